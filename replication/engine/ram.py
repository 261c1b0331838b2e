"""The model engine: lavaan's parameter table and the reticular action model (RAM) of a model.

:func:`specify` turns lavaan syntax into lavaan's parameter table (:class:`ModelSpec`) with
lavaan's defaults; :class:`RAM` holds the table as matrices and computes the model-implied
covariance ``Sigma(theta) = F (I - A)^-1 S (I - A)^-T F'``, its derivatives, the ML
discrepancy with its gradient, Hessian and expected information, the standardized solution,
and minimizes the discrepancy (Newton / Fisher scoring, L-BFGS). Estimation with results
(:mod:`replication.engine.sem`), the bootstrap (:mod:`replication.engine.bootstrap`) and the misfit
calibration (:mod:`replication.data.misfit`) all use this one engine.

Defaults are lavaan's (``lavaan(model, auto.var = TRUE, auto.fix.first = TRUE,
auto.cov.lv.x = TRUE)``, with ``fixed.x``; ``cov_y=True`` adds ``auto.cov.y`` as ``sem()`` and
``cfa()`` do): a free (residual) variance for every variable, the first loading of each factor
fixed to 1, free covariances among exogenous latent variables, observed predictors fixed.x.

Notes
-----
``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` with ``S`` computed with divisor N; lavaan
reports ``T = N F_ML`` (its ``fmin`` is ``F_ML / 2``). The expected information per
observation is ``I = 1/2 Delta' (Sigma^-1 (x) Sigma^-1) Delta``.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
model for moment structures. *British Journal of Mathematical and Statistical Psychology*, 37,
234-251.
Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
structures. *South African Statistical Journal*, 8, 1-24 (derivatives, Fisher scoring).
Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
analysis. *Psychometrika*, 34, 183-202.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from replication.engine.errors import InputError
from replication.engine.syntax import Statement, parse_model

__all__ = [
    "ModelSpec",
    "specify",
    "RAM",
    "total_covariance",
    "label_values",
    "eval_defined",
    "ml_discrepancy",
    "MLFit",
    "fit_ml",
]

# ------------------------------------------------------------------------------------------
# Parameter table
# ------------------------------------------------------------------------------------------
@dataclass
class ModelSpec:
    """lavaan's parameter table of a model, with the RAM index arrays.

    ``rows`` holds one dict per parameter: ``lhs, op, rhs, free`` (0-based index into the
    free-parameter vector, ``-1`` when fixed), ``value`` (fixed value or 0), ``label``,
    ``exo`` (a fixed.x moment set to its sample value) and ``user`` (written in the model).
    """

    ov: list[str]
    lv: list[str]
    rows: list[dict]
    n_free: int
    defined: list[tuple[str, str]] = field(default_factory=list)
    ov_x: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return self.ov + self.lv

    def free_rows(self) -> list[dict]:
        """First row of each free parameter, in parameter order."""
        first: dict[int, dict] = {}
        for r in self.rows:
            if r["free"] >= 0 and r["free"] not in first:
                first[r["free"]] = r
        return [first[k] for k in range(self.n_free)]

    def free_keys(self) -> list[str]:
        """``"lhs op rhs"`` of each free parameter."""
        return [f"{r['lhs']} {r['op']} {r['rhs']}" for r in self.free_rows()]

    @property
    def df(self) -> int:
        """Degrees of freedom of the covariance structure, ``p(p+1)/2 - k(k+1)/2 - q``.

        ``p`` observed variables, ``k`` of them fixed.x (their moments are not fitted), ``q``
        free parameters; lavaan's ``df`` without a mean structure.

        References
        ----------
        Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 (t-rule).
        lavaan ``R/lav_partable.R`` (``lav_partable_df``).
        """
        p, k = len(self.ov), len(self.ov_x)
        return p * (p + 1) // 2 - k * (k + 1) // 2 - self.n_free


def _ordered_unique(seq) -> list:
    out: list = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


def specify(model: str | list[Statement], *, cov_y: bool = False,
            observed: list[str] | None = None) -> ModelSpec:
    """Build lavaan's parameter table from model syntax.

    Parameters
    ----------
    model : str or list of Statement
        lavaan syntax (see :func:`replication.engine.syntax.parse_model`).
    cov_y : bool, default False
        Free the residual covariances among dependent variables that predict nothing, as
        lavaan's ``sem()``/``cfa()`` do (``auto.cov.y``). The default matches
        ``lavaan(model, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)``, which is
        how AMOS and LISREL diagrams count degrees of freedom.
    observed : list of str, optional
        Order of the observed variables (of a covariance matrix the model will be fitted to);
        names the model does not use are dropped. Default: lavaan's order (indicators first,
        then the other observed variables in order of appearance).

    Returns
    -------
    ModelSpec

    Notes
    -----
    Defaults as lavaan's: the first indicator of each latent variable has its loading fixed to 1
    (unless a modifier is written for it), every variable gets a free (residual) variance except
    the only indicator of a latent variable, whose residual variance is fixed to 0
    (``auto.fix.single``), exogenous latent variables covary freely, and observed variables used
    only as predictors are
    fixed.x (their variances and covariances are fixed to the sample values and are not
    parameters). Parameters that share a label are one parameter (an equality constraint).
    A label alone does not free the first loading (as in lavaan); ``NA*`` does.

    Raises
    ------
    InputError
        Syntax errors, a parameter written twice, a label that is also a variable name, a
        defined parameter that uses an unknown label, or ``observed`` without a variable the
        model uses.
    """
    stmts = parse_model(model) if isinstance(model, str) else list(model)
    lv = _ordered_unique(s.lhs for s in stmts if s.op == "=~")
    names_all: list[str] = []
    for s in stmts:
        if s.op == ":=":
            continue
        for nm in (s.lhs, s.rhs) if s.op != "=~" else (s.rhs,):
            if nm not in lv and nm not in names_all:
                names_all.append(nm)
    # lavaan orders observed variables: indicators first, then the others in order of appearance
    indicators = _ordered_unique(s.rhs for s in stmts if s.op == "=~" and s.rhs not in lv)
    ov = indicators + [n for n in names_all if n not in indicators]
    if observed is not None:
        absent = [v for v in ov if v not in observed]
        if absent:
            raise InputError(f"model: variable {absent[0]!r} is not among the observed variables")
        ov = [v for v in observed if v in ov]
    labels = {s.label for s in stmts if s.label}
    clash = sorted(labels & (set(ov) | set(lv)))
    if clash:
        raise InputError(f"model: label {clash[0]!r} is also a variable name")
    lhs_reg = {s.lhs for s in stmts if s.op == "~"}
    rhs_reg = {s.rhs for s in stmts if s.op == "~"}
    ind_set = {s.rhs for s in stmts if s.op == "=~"}
    ov_x = [v for v in ov if v in rhs_reg and v not in lhs_reg and v not in ind_set]
    lv_x = [v for v in lv if v not in lhs_reg]

    rows: list[dict] = []
    seen: dict[tuple[str, str, str], dict] = {}
    first_ind: dict[str, str] = {}
    for s in stmts:
        if s.op == "=~" and s.lhs not in first_ind:
            first_ind[s.lhs] = s.rhs

    def key(lhs, op, rhs):
        if op == "~~":
            return (min(lhs, rhs), op, max(lhs, rhs))
        return (lhs, op, rhs)

    def add(lhs, op, rhs, *, fixed=None, label=None, user=False, exo=False, line=0):
        k = key(lhs, op, rhs)
        if k in seen:
            raise InputError(f"model line {line}: parameter {lhs} {op} {rhs} is specified twice")
        row = {"lhs": lhs, "op": op, "rhs": rhs, "fixed": fixed, "label": label, "user": user,
               "exo": exo}
        seen[k] = row
        rows.append(row)

    for s in stmts:
        if s.op == ":=":
            continue
        if s.op == "~" and s.lhs == s.rhs:
            raise InputError(f"model line {s.line}: {s.lhs!r} cannot be regressed on itself")
        fixed = s.fixed
        if s.op == "=~" and first_ind[s.lhs] == s.rhs and fixed is None and not s.free:
            fixed = 1.0
        add(s.lhs, s.op, s.rhs, fixed=fixed, label=s.label, user=True, line=s.line)
    # lavaan's auto.fix.single: the only indicator of a latent variable has its (default)
    # residual variance fixed to 0, so the latent variable is that observed variable
    n_ind: dict[str, list[str]] = {}
    for s in stmts:
        if s.op == "=~":
            n_ind.setdefault(s.lhs, []).append(s.rhs)
    single = {inds[0] for inds in n_ind.values() if len(inds) == 1 and inds[0] not in lv}
    for v in ov:
        if v in ov_x:
            continue
        if key(v, "~~", v) not in seen:
            add(v, "~~", v, fixed=0.0 if v in single else None)
    for v in lv:
        if key(v, "~~", v) not in seen:
            add(v, "~~", v)
    for i, a in enumerate(lv_x):
        for b in lv_x[i + 1:]:
            if key(a, "~~", b) not in seen:
                add(a, "~~", b)
    if cov_y:
        ys = [v for v in lv + ov if v in lhs_reg and v not in rhs_reg and v not in ind_set]
        for i, a in enumerate(ys):
            for b in ys[i + 1:]:
                if key(a, "~~", b) not in seen:
                    add(a, "~~", b)
    for i, a in enumerate(ov_x):
        for b in ov_x[i:]:
            k = key(a, "~~", b)
            if k in seen:
                raise InputError(f"model: {a} ~~ {b} is fixed to the sample value (fixed.x); "
                                 "remove the statement")
            add(a, "~~", b, exo=True)
    # free-parameter indices (labels shared -> one parameter; a label shared with a fixed
    # parameter fixes every parameter that carries it)
    n_free = 0
    by_label: dict[str, int] = {}
    fixed_label = {r["label"]: float(r["fixed"]) for r in rows
                   if r["label"] and r["fixed"] is not None}
    for r in rows:
        if r["label"] in fixed_label and r["fixed"] is None:
            r["fixed"] = fixed_label[r["label"]]
        if r["exo"] or r["fixed"] is not None:
            r["free"] = -1
            r["value"] = 0.0 if r["fixed"] is None else float(r["fixed"])
            continue
        r["value"] = 0.0
        if r["label"] and r["label"] in by_label:
            r["free"] = by_label[r["label"]]
            continue
        r["free"] = n_free
        if r["label"]:
            by_label[r["label"]] = n_free
        n_free += 1
    defined = [(s.lhs, s.expr) for s in stmts if s.op == ":="]
    known = set(by_label) | {r["label"] for r in rows if r["label"]}
    for name, expr in defined:
        for tok in re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", expr):
            if tok not in known and tok not in {d for d, _ in defined}:
                raise InputError(f"model: defined parameter {name!r} uses {tok!r}, which is not "
                                 "a parameter label")
    return ModelSpec(ov=ov, lv=lv, rows=rows, n_free=n_free, defined=defined, ov_x=ov_x)


# ------------------------------------------------------------------------------------------
# RAM engine: implied covariance, ML discrepancy, gradient, expected information
# ------------------------------------------------------------------------------------------
def total_covariance(A: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Covariance of all variables of a RAM model, ``(I - A)^-1 S (I - A)^-T``.

    ``A`` holds directed paths (row <- column), ``S`` the covariances of the exogenous parts
    (variances, residual and disturbance (co)variances).

    References
    ----------
    McArdle, J. J., & McDonald, R. P. (1984), eq. 9.
    """
    G = np.linalg.inv(np.eye(len(A)) - A)
    return G @ S @ G.T


class RAM:
    """Vectorized RAM representation of a :class:`ModelSpec` for ML estimation.

    Parameters
    ----------
    spec : ModelSpec
    S : ndarray, optional
        Covariance matrix of the observed variables (in ``spec.ov`` order) that sets the
        fixed.x variances and covariances; needed only when the model has fixed.x variables.

    Notes
    -----
    Observed variables come first (``spec.ov`` order), then latent variables (``spec.lv``);
    ``A`` holds directed paths (row <- column), ``S`` (co)variances. Each free matrix entry is
    listed in ``a_rows, a_cols, a_par`` or ``s_rows, s_cols, s_par`` with its parameter index.
    """

    def __init__(self, spec: ModelSpec, S: np.ndarray | None = None):
        self.spec = spec
        names = spec.names
        self.p = len(spec.ov)
        self.m = len(names)
        pos = {n: i for i, n in enumerate(names)}
        m = self.m
        self.A0 = np.zeros((m, m))
        self.S0 = np.zeros((m, m))
        a_rows, a_cols, a_par = [], [], []
        s_rows, s_cols, s_par = [], [], []
        ov_pos = {n: i for i, n in enumerate(spec.ov)}
        self.exo_entries: list[tuple[int, int, int, int]] = []
        for r in spec.rows:
            if r["op"] == "=~":
                i, j = pos[r["rhs"]], pos[r["lhs"]]
                mat = "A"
            elif r["op"] == "~":
                i, j = pos[r["lhs"]], pos[r["rhs"]]
                mat = "A"
            else:
                i, j = pos[r["lhs"]], pos[r["rhs"]]
                mat = "S"
            if r["exo"]:
                oi, oj = ov_pos[r["lhs"]], ov_pos[r["rhs"]]
                self.exo_entries.append((i, j, oi, oj))
                if S is None:
                    raise InputError(f"model: {r['lhs']} ~~ {r['rhs']} is fixed.x; a covariance "
                                     "matrix is needed to set its value")
                r["value"] = float(S[oi, oj])
            if r["free"] < 0:
                if mat == "A":
                    self.A0[i, j] = r["value"]
                else:
                    self.S0[i, j] = self.S0[j, i] = r["value"]
                continue
            if mat == "A":
                a_rows.append(i), a_cols.append(j), a_par.append(r["free"])
            else:
                s_rows.append(i), s_cols.append(j), s_par.append(r["free"])
        self.a_rows, self.a_cols, self.a_par = (np.array(a_rows, int), np.array(a_cols, int),
                                                np.array(a_par, int))
        self.s_rows, self.s_cols, self.s_par = (np.array(s_rows, int), np.array(s_cols, int),
                                                np.array(s_par, int))
        self.q = spec.n_free
        self.eye = np.eye(m)
        par = np.concatenate([self.a_par, self.s_par])
        self._unique = len(np.unique(par)) == len(par) == self.q
        self._order = np.argsort(par, kind="stable")

    def set_exo(self, S: np.ndarray) -> None:
        """Fix the fixed.x variances and covariances to the sample values of ``S``."""
        for i, j, oi, oj in self.exo_entries:
            self.S0[i, j] = self.S0[j, i] = S[oi, oj]

    def _scatter(self, values: np.ndarray, par: np.ndarray) -> np.ndarray:
        if self._unique:
            return values[self._order]
        out = np.zeros((self.q,) + values.shape[1:])
        np.add.at(out, par, values)
        return out

    # -- matrices
    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``A`` and ``S`` at ``theta`` (one value per free parameter)."""
        A = self.A0.copy()
        Sm = self.S0.copy()
        A[self.a_rows, self.a_cols] = theta[self.a_par]
        Sm[self.s_rows, self.s_cols] = theta[self.s_par]
        Sm[self.s_cols, self.s_rows] = theta[self.s_par]
        return A, Sm

    def parts(self, theta: np.ndarray):
        A, Sm = self.matrices(theta)
        B = np.linalg.inv(self.eye - A)
        G = B[: self.p]
        Sigma = G @ Sm @ G.T
        return A, Sm, B, G, Sigma

    def implied(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance of the observed variables, ``F (I-A)^-1 S (I-A)^-T F'``."""
        return self.parts(theta)[4]

    def total_cov(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance of all (observed and latent) variables."""
        return total_covariance(*self.matrices(theta))

    # -- discrepancy
    def fml(self, theta: np.ndarray, S: np.ndarray, logdet_S: float) -> float:
        """``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` (inf where Sigma is not PD).

        References
        ----------
        Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
        analysis. *Psychometrika*, 34, 183-202.
        """
        Sigma = self.implied(theta)
        try:
            K = np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            return np.inf
        Ki = np.linalg.inv(K)
        logdet = 2.0 * np.sum(np.log(np.diag(K)))
        tr = float(np.einsum("ij,ij->", Ki @ S, Ki))
        return float(logdet + tr - logdet_S - self.p)

    def _entries(self, theta: np.ndarray):
        """Low-rank pieces u, v with dSigma/dtheta_e = u v' + v u' for each matrix entry e."""
        A, Sm, B, G, Sigma = self.parts(theta)
        R = B @ Sm @ G.T  # m x p
        U_a = G[:, self.a_rows].T  # (na, p)
        V_a = R[self.a_cols]  # (na, p)
        U_s = G[:, self.s_rows].T
        V_s = G[:, self.s_cols].T.copy()
        diag = self.s_rows == self.s_cols
        V_s[diag] *= 0.5
        U = np.vstack([U_a, U_s])
        V = np.vstack([V_a, V_s])
        par = np.concatenate([self.a_par, self.s_par])
        return Sigma, U, V, par

    def gradient(self, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
        """Gradient of ``F_ML``: ``tr(W dSigma_k)`` with ``W = Sigma^-1 - Sigma^-1 S Sigma^-1``.

        References
        ----------
        Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
        structures. *South African Statistical Journal*, 8, 1-24.
        Neudecker, H., & Satorra, A. (1991). Linear structural relations: gradient and Hessian of
        the fitting function. *Statistics & Probability Letters*, 11, 57-61.
        """
        Sigma, U, V, par = self._entries(theta)
        Si = np.linalg.inv(Sigma)
        W = Si - Si @ S @ Si
        g_e = 2.0 * np.einsum("ep,ep->e", U @ W, V)
        return self._scatter(g_e, par)

    def delta(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``dSigma/dtheta`` as an array (q, p, p), and Sigma.

        References
        ----------
        McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
        model for moment structures. *British Journal of Mathematical and Statistical Psychology*,
        37, 234-251.
        Neudecker, H., & Satorra, A. (1991). Linear structural relations: gradient and Hessian of
        the fitting function. *Statistics & Probability Letters*, 11, 57-61.
        """
        Sigma, U, V, par = self._entries(theta)
        D_e = U[:, :, None] * V[:, None, :]
        D_e = D_e + D_e.transpose(0, 2, 1)
        return self._scatter(D_e, par), Sigma

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """``dSigma/dtheta``, shape ``(q, p, p)``.

        ``dSigma/dA_ij = F B E_ij B S B' F' + transpose`` and
        ``dSigma/dS_ij = F B (E_ij + E_ji) B' F'`` (``E_ii`` once on the diagonal), with
        ``B = (I - A)^-1``; entries that share a label are summed.
        """
        return self.delta(theta)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Expected information per observation, ``1/2 tr(Sigma^-1 dS_a Sigma^-1 dS_b)``.

        References
        ----------
        Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
        structures. *South African Statistical Journal*, 8, 1-24.
        Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure
        analysis with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
        """
        D, Sigma = self.delta(theta)
        return self.information_from(D, np.linalg.inv(Sigma))

    def information_from(self, D: np.ndarray, Si: np.ndarray) -> np.ndarray:
        """Expected information ``1/2 tr(Sigma^-1 D_a Sigma^-1 D_b)`` from ``D = dSigma/dtheta``.

        References
        ----------
        Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
        structures. *South African Statistical Journal*, 8, 1-24.
        Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure
        analysis with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
        """
        q, p = D.shape[0], self.p
        X = Si @ D  # (q, p, p)
        Xt = X.transpose(0, 2, 1).reshape(q, p * p)
        return 0.5 * (X.reshape(q, p * p) @ Xt.T)

    def score_step(self, theta: np.ndarray, S: np.ndarray):
        """Fisher-scoring direction, gradient and information at ``theta``."""
        D, Sigma = self.delta(theta)
        Si = np.linalg.inv(Sigma)
        W = Si - Si @ S @ Si
        g = D.reshape(D.shape[0], -1) @ W.reshape(-1)
        info = self.information_from(D, Si)
        try:
            step = np.linalg.solve(2.0 * info, -g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(2.0 * info, g, rcond=None)[0]
        return step, g, info

    def newton_step(self, theta: np.ndarray, S: np.ndarray):
        """Newton direction with the analytic Hessian of ``F_ML`` (scoring if not PD).

        Notes
        -----
        ``d2F/da db = tr(W Sigma_ab) - tr(X_a X_b) + 2 tr(X_b Sigma^-1 S X_a)`` with
        ``W = Sigma^-1 - Sigma^-1 S Sigma^-1`` and ``X_a = Sigma^-1 Sigma_a``; the second
        derivatives ``Sigma_ab`` of the RAM form are nonzero for pairs of directed paths and for
        a directed path with a (co)variance. The traces are computed in whitened form
        (``Sigma = K K'``, ``T_a = K^-1 Sigma_a K^-T``), where each ``Sigma_a`` is a sum of
        rank-one terms.
        """
        A, Sm = self.matrices(theta)
        B = np.linalg.inv(self.eye - A)
        G = B[: self.p]
        Sigma = G @ Sm @ G.T
        K = np.linalg.cholesky(Sigma)
        Ki = np.linalg.inv(K)
        Si = Ki.T @ Ki
        St = Ki @ S @ Ki.T
        W = Si - Si @ S @ Si
        R = B @ Sm @ G.T
        U = np.vstack([G[:, self.a_rows].T, G[:, self.s_rows].T])
        V = np.vstack([R[self.a_cols], G[:, self.s_cols].T])
        nd = len(self.a_rows)
        diag = np.concatenate([np.zeros(nd, bool), self.s_rows == self.s_cols])
        V[diag] *= 0.5
        g_e = 2.0 * np.einsum("ep,ep->e", U @ W, V)
        Ut = U @ Ki.T
        Vt = V @ Ki.T
        T = Ut[:, :, None] * Vt[:, None, :]
        T = T + T.transpose(0, 2, 1)
        TS = T @ St
        ne, p = T.shape[0], self.p
        Tf = T.reshape(ne, p * p)
        info2 = Tf @ Tf.T
        hess_e = 2.0 * (Tf @ TS.reshape(ne, p * p).T) - info2
        if nd:
            H = G.T @ W @ G
            P = R @ W @ G
            C = B @ Sm @ B.T
            i, j = self.a_rows[:, None], self.a_cols[:, None]
            k, l = self.a_rows[None, :], self.a_cols[None, :]
            hess_e[:nd, :nd] += 2.0 * (B[l, i] * P[j, k] + B[j, k] * P[l, i] + C[j, l] * H[k, i])
            si, sj = self.s_rows[None, :], self.s_cols[None, :]
            has = 2.0 * (B[j, si] * H[i, sj] + B[j, sj] * H[i, si])
            has = np.where(si == sj, 0.5 * has, has)
            hess_e[:nd, nd:] += has
            hess_e[nd:, :nd] += has.T
        if self._unique:
            o = self._order
            g = g_e[o]
            hess = hess_e[np.ix_(o, o)]
            info2 = info2[np.ix_(o, o)]
        else:
            par = np.concatenate([self.a_par, self.s_par])
            M = np.zeros((self.q, len(par)))
            M[par, np.arange(len(par))] = 1.0
            g = M @ g_e
            hess = M @ hess_e @ M.T
            info2 = M @ info2 @ M.T
        scoring = np.linalg.solve(info2, -g)
        try:
            L = np.linalg.cholesky(hess)
            step = -np.linalg.solve(L.T, np.linalg.solve(L, g))
        except np.linalg.LinAlgError:
            step = scoring
        return step, g, hess, scoring

    def fisher(self, theta0: np.ndarray, S: np.ndarray, *, max_iter: int = 200,
               tol: float = 1e-9, newton: bool = True,
               decrement: float = 1e-14) -> tuple[np.ndarray, bool, int]:
        """Newton (or Fisher scoring) iterations with step halving from ``theta0``.

        Returns ``(theta, converged, iterations)``; converged when the largest absolute
        gradient element of ``F_ML`` is below ``tol`` (lavaan's nlminb stops on the relative
        change of the objective; the gradient criterion here is at least as strict). Newton
        steps use the analytic Hessian and fall back to scoring where it is not positive
        definite; iterations also stop after a full Newton step whose Newton decrement
        ``-g' step`` (twice the predicted decrease of ``F_ML``) was below ``decrement``, since the
        step leaves an error of the order of that decrement squared.

        References
        ----------
        Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure
        analysis with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
        """
        logdet_S = np.linalg.slogdet(S)[1]
        theta = np.asarray(theta0, float).copy()
        f = self.fml(theta, S, logdet_S)
        if not np.isfinite(f):
            return theta, False, 0
        for it in range(1, max_iter + 1):
            try:
                if newton:
                    step, g, _, scoring = self.newton_step(theta, S)
                else:
                    step, g, _ = self.score_step(theta, S)
                    scoring = step
            except np.linalg.LinAlgError:
                return theta, False, it
            # the gradient test alone depends on the units of the variables; the Newton
            # decrement -g'step does not (Boyd & Vandenberghe 2004, sec. 9.5.1)
            if np.max(np.abs(g)) < tol and abs(float(g @ step)) < max(decrement, tol * tol):
                return theta, True, it
            cand = theta + step
            fc = self.fml(cand, S, logdet_S)
            t = 1.0
            if not (np.isfinite(fc) and fc <= f + 1e-14):
                # far from the optimum: scoring steps with halving
                step = scoring
                while t > 1e-10:
                    cand = theta + t * step
                    fc = self.fml(cand, S, logdet_S)
                    if np.isfinite(fc) and fc <= f + 1e-14:
                        break
                    t *= 0.5
                else:
                    return theta, self._stationary(theta, S), it
                t = 0.0  # not a full Newton step
            theta, f_old, f = cand, f, fc
            if newton and t == 1.0 and -float(g @ step) < decrement:
                return theta, True, it
            if abs(f_old - f) < 1e-15 and np.max(np.abs(step)) < 1e-12:
                return theta, self._stationary(theta, S), it
        return theta, self._stationary(theta, S), max_iter

    def _stationary(self, theta: np.ndarray, S: np.ndarray, gtol: float = 1e-6,
                    dtol: float = 1e-10) -> bool:
        """Whether ``theta`` is a stationary point of ``F_ML``: small gradient and small Fisher
        scoring decrement ``g' I^-1 g`` (which, unlike the gradient, does not depend on the units
        of the variables; Boyd & Vandenberghe 2004, sec. 9.5.1)."""
        try:
            step, g, _ = self.score_step(theta, S)
        except np.linalg.LinAlgError:
            return False
        dec = abs(float(g @ step))
        return bool(np.max(np.abs(g)) < gtol and np.isfinite(dec) and dec < dtol)

    def lbfgs(self, theta0: np.ndarray, S: np.ndarray) -> np.ndarray:
        """Quasi-Newton minimization of ``F_ML`` (used when Fisher scoring cannot start)."""
        logdet_S = np.linalg.slogdet(S)[1]

        def fun(t):
            f = self.fml(t, S, logdet_S)
            if not np.isfinite(f):
                return 1e10, np.zeros_like(t)
            return f, self.gradient(t, S)

        res = optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                                options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
        return res.x

    # -- parameters from matrices
    def theta_from(self, A: np.ndarray, S: np.ndarray, names: list[str]) -> np.ndarray:
        """Read the free parameters from full matrices ``A``, ``S`` indexed by ``names``.

        Latent variables are first rescaled so that every fixed loading takes its fixed value
        (``A' = D A D^-1``, ``S' = D S D`` with ``D`` the latent scale factors).

        Raises
        ------
        InputError
            When a marker loading is zero in ``A``.
        """
        own = self.spec.names
        pos = {v: names.index(v) for v in own}
        order = [pos[v] for v in own]
        A = np.asarray(A, float)[np.ix_(order, order)]
        S = np.asarray(S, float)[np.ix_(order, order)]
        p = self.p
        d = np.ones(len(own))
        for j in range(p, len(own)):
            fixed_rows = np.nonzero(self.A0[:p, j])[0]
            if len(fixed_rows):
                i = fixed_rows[0]
                if A[i, j] == 0:
                    raise InputError(f"model: marker loading of {own[j]} is zero in the population")
                d[j] = A[i, j] / self.A0[i, j]
        A = (d[:, None] * A) / d[None, :]
        S = d[:, None] * S * d[None, :]
        theta = np.empty(self.q)
        seen = np.zeros(self.q, bool)
        for rows, cols, par, M in ((self.a_rows, self.a_cols, self.a_par, A),
                                   (self.s_rows, self.s_cols, self.s_par, S)):
            for i, j, k in zip(rows, cols, par):
                if not seen[k]:
                    theta[k], seen[k] = M[i, j], True
        return theta

    # -- standardized solution
    def _std_index(self):
        if getattr(self, "_std_idx", None) is None:
            pos = {n: i for i, n in enumerate(self.spec.names)}
            kind, ii, jj = [], [], []
            for r in self.spec.rows:
                if r["op"] == "=~":
                    kind.append(0), ii.append(pos[r["rhs"]]), jj.append(pos[r["lhs"]])
                elif r["op"] == "~":
                    kind.append(0), ii.append(pos[r["lhs"]]), jj.append(pos[r["rhs"]])
                else:
                    a, b = pos[r["lhs"]], pos[r["rhs"]]
                    kind.append(1 if a == b else 2), ii.append(a), jj.append(b)
            self._std_idx = (np.array(kind), np.array(ii, int), np.array(jj, int))
        return self._std_idx

    def standardized(self, theta: np.ndarray) -> np.ndarray:
        """lavaan's ``std.all`` for every row of the parameter table (``cov.std = TRUE``).

        Loadings and regressions are scaled by the model-implied SDs of both variables,
        variances divided by the implied total variance, covariances divided by the square
        root of the product of the two (residual) variances.

        References
        ----------
        Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 and 7
        (standardized coefficients).
        lavaan ``R/lav_standardize.R`` (``lav_standardize_all``, ``cov.std = TRUE``).
        """
        kind, ii, jj = self._std_index()
        A, Sm = self.matrices(theta)
        C = total_covariance(A, Sm)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.diag(C))
            dS = np.diag(Sm)
            out = np.where(
                kind == 0, A[ii, jj] * sd[jj] / sd[ii],
                np.where(kind == 1, Sm[ii, jj] / C[ii, ii],
                         Sm[ii, jj] / np.sqrt(np.where((dS[ii] > 0) & (dS[jj] > 0),
                                                       dS[ii] * dS[jj], np.nan))))
        return out.astype(float)



# ------------------------------------------------------------------------------------------
# Defined parameters
# ------------------------------------------------------------------------------------------
def eval_defined(spec: ModelSpec, values: dict[str, float]) -> dict[str, float]:
    """Values of the defined parameters (``name := expression``) of a model.

    Parameters
    ----------
    spec : ModelSpec
        Model with ``spec.defined``, pairs ``(name, expression)`` in the order written.
    values : dict
        ``{label: value}`` of the labelled parameters (:func:`label_values`).

    Returns
    -------
    dict
        ``{name: value}``; each expression is an arithmetic expression of labels and earlier
        defined parameters (``+ - * / ^`` and parentheses), evaluated in order, so that
        ``ind := a*b`` gives the indirect effect ``a b`` and ``total := c + a*b`` the total
        effect.

    Raises
    ------
    InputError
        When an expression cannot be evaluated.

    Notes
    -----
    The standard errors of defined parameters (:mod:`replication.engine.sem`) come from the delta
    method on these values.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36 (the ``:=`` operator).
    Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in structural
    equation models. *Sociological Methodology*, 13, 290-312.
    """
    env = dict(values)
    out = {}
    for name, expr in spec.defined:
        try:
            val = eval(expr.replace("^", "**"), {"__builtins__": {}}, env)  # noqa: S307
        except Exception:
            raise InputError(f"model: cannot evaluate defined parameter {name} := {expr}") from None
        env[name] = float(val)
        out[name] = float(val)
    return out


def label_values(spec: ModelSpec, theta: np.ndarray) -> dict[str, float]:
    """Values of labelled parameters (for ``:=`` expressions)."""
    return {r["label"]: (theta[r["free"]] if r["free"] >= 0 else r["value"])
            for r in spec.rows if r["label"]}


# ------------------------------------------------------------------------------------------
# ML discrepancy of two matrices and the calibration minimizer
# ------------------------------------------------------------------------------------------
def ml_discrepancy(S: np.ndarray, Sigma: np.ndarray) -> float:
    """Maximum-likelihood discrepancy ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p``.

    ``inf`` when ``Sigma`` or ``S`` is not positive definite. lavaan reports ``T = N * F`` (its
    ``fmin`` is ``F / 2``), with ``S`` computed with divisor N.

    References
    ----------
    Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
    analysis. *Psychometrika*, 34, 183-202.
    """
    p = len(S)
    try:
        L = np.linalg.cholesky(Sigma)
        Ls = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return float("inf")
    ld_sigma = 2 * np.sum(np.log(np.diag(L)))
    ld_s = 2 * np.sum(np.log(np.diag(Ls)))
    Z = np.linalg.solve(L, Ls)
    return float(ld_sigma + np.sum(Z * Z) - ld_s - p)


@dataclass
class MLFit:
    """Result of :func:`fit_ml`: estimates, minimum of F, convergence and iterations."""

    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    gradient_norm: float


def fit_ml(ram: RAM, S: np.ndarray, theta0: np.ndarray, tol: float = 1e-10,
           max_iter: int = 200) -> MLFit:
    """Minimize the ML discrepancy by Fisher scoring with step halving.

    Parameters
    ----------
    ram : RAM
    S : ndarray
        Covariance matrix (``ram.spec.ov`` order).
    theta0 : ndarray
        Start values, near the minimum.
    tol : float
        Stop when ``F`` changes by less than ``tol`` and no step element exceeds 1e-7.
    max_iter : int

    Returns
    -------
    MLFit

    Notes
    -----
    The step is ``I^-1 g`` with ``I_kl = tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l)`` and
    ``g_k = tr(Sigma^-1 (Sigma - S) Sigma^-1 dSigma_k)``, halved until ``F`` does not increase.
    Used by the misfit calibration to follow the minimum as the covariance matrix moves, with
    a stopping rule on ``F`` itself (the quantity calibrated); :meth:`RAM.fisher` is the
    estimator of :mod:`replication.engine.sem`.

    References
    ----------
    Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure
    analysis with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
    """
    theta = np.asarray(theta0, float).copy()
    f = ml_discrepancy(S, ram.implied(theta))
    g = np.zeros_like(theta)
    for it in range(1, max_iter + 1):
        J, Sigma = ram.delta(theta)
        Wi = np.linalg.inv(Sigma)
        WJ = np.einsum("ij,kjl->kil", Wi, J)
        info = np.einsum("kij,lji->kl", WJ, WJ)
        g = np.einsum("ij,kij->k", Wi @ (Sigma - S) @ Wi, J)
        try:
            step = np.linalg.solve(info, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, g, rcond=None)[0]
        t = 1.0
        while t > 1e-8:
            cand = theta - t * step
            fc = ml_discrepancy(S, ram.implied(cand))
            if fc <= f + 1e-14:
                break
            t /= 2
        else:
            return MLFit(theta, f, False, it, float(np.linalg.norm(g)))
        theta, f_old, f = cand, f, fc
        if abs(f_old - f) < tol and np.max(np.abs(t * step)) < 1e-7:
            g = ram.gradient(theta, S)
            return MLFit(theta, f, True, it, float(np.linalg.norm(g)))
    return MLFit(theta, f, False, max_iter, float(np.linalg.norm(g)))
