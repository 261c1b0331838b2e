"""The model engine: the reticular action model (RAM) of a parameter table.

:class:`RAM` holds lavaan's parameter table (:func:`replication.engine.partable.specify`, re-exported
here with :class:`ModelSpec`) as matrices and computes the model-implied
covariance ``Sigma(theta) = F (I - A)^-1 S (I - A)^-T F'``, its derivatives, the ML
discrepancy with its gradient, Hessian and expected information, the standardized solution,
and minimizes the discrepancy (Newton / Fisher scoring, L-BFGS). Estimation with results
(:mod:`replication.engine.estimation`), the bootstrap (:mod:`replication.engine.bootstrap`) and the misfit
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


import numpy as np

from replication.engine.calibration import MLFit, fit_ml, ml_discrepancy
from replication.engine.errors import InputError
from replication.engine.newton import NewtonKernel, newton_fit
from replication.engine.partable import ModelSpec, eval_defined, label_values, specify

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

    @property
    def kernel(self) -> NewtonKernel:
        """The :class:`~replication.engine.newton.NewtonKernel` of this model (built once)."""
        if getattr(self, "_kernel", None) is None:
            self._kernel = NewtonKernel(self)
        return self._kernel

    def refit(self, theta0: np.ndarray, S: np.ndarray, *, max_iter: int = 200,
              tol: float = 1e-9, start=None) -> tuple[np.ndarray, bool, int]:
        """:meth:`fisher`'s Newton iterations and convergence rule, with the derivatives of
        :class:`~replication.engine.newton.NewtonKernel` (:func:`replication.engine.newton.
        newton_fit`): the same optimum to within rounding, several times faster; for many
        refits of one model (the bootstrap).

        Returns ``(theta, converged, iterations)`` as :meth:`fisher`. ``start``, the kernel's
        :class:`~replication.engine.newton.Point` at ``theta0`` for any data, saves its
        evaluation when many refits start at one ``theta0`` (models without fixed.x moments,
        which change with the data).
        """
        return newton_fit(self.kernel, theta0, S, max_iter=max_iter, tol=tol,
                          stationary=lambda t: self._stationary(t, S), start=start)

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

    def lbfgs(self, theta0: np.ndarray, S: np.ndarray, max_iter: int = 5000,
              max_fun: int = 15000) -> np.ndarray:
        """Quasi-Newton minimization of ``F_ML`` (used when Fisher scoring cannot start), at most
        ``max_iter`` iterations and ``max_fun`` evaluations (scipy's L-BFGS-B; Nocedal & Wright
        2006, ch. 7)."""
        logdet_S = np.linalg.slogdet(S)[1]

        def fun(t):
            f = self.fml(t, S, logdet_S)
            if not np.isfinite(f):
                return 1e10, np.zeros_like(t)
            return f, self.gradient(t, S)

        from scipy import optimize  # loaded only when scoring cannot start

        res = optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                                options={"maxiter": max_iter, "maxfun": max_fun, "gtol": 1e-10,
                                         "ftol": 1e-15})
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
        A, Sm = self.matrices(theta)
        return self.standardized_from(A, Sm, total_covariance(A, Sm))

    def standardized_from(self, A: np.ndarray, Sm: np.ndarray, C: np.ndarray) -> np.ndarray:
        """:meth:`standardized` from the RAM matrices ``A``, ``S`` and the total covariance
        ``C = (I - A)^-1 S (I - A)^-T`` (:func:`total_covariance`) at hand."""
        kind, ii, jj = self._std_index()
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.diag(C))
            dS = np.diag(Sm)
            out = np.where(
                kind == 0, A[ii, jj] * sd[jj] / sd[ii],
                np.where(kind == 1, Sm[ii, jj] / C[ii, ii],
                         Sm[ii, jj] / np.sqrt(np.where((dS[ii] > 0) & (dS[jj] > 0),
                                                       dS[ii] * dS[jj], np.nan))))
        return out.astype(float)

    def standardized_lv(self, theta: np.ndarray) -> np.ndarray:
        """lavaan's ``std.lv`` for every row of the parameter table (``cov.std = TRUE``).

        Only latent variables are standardized: a loading is multiplied by the model-implied
        SD of its factor, a regression divided by the SD of a latent outcome and multiplied by
        the SD of a latent predictor, a latent variance divided by the implied total variance,
        a covariance divided by ``sqrt(|psi|)`` of each latent side (its residual variance);
        observed variables keep their units.

        References
        ----------
        lavaan ``R/lav_standardize.R`` (``lav_standardize_lv``, ``cov.std = TRUE``).
        """
        kind, ii, jj = self._std_index()
        A, Sm = self.matrices(theta)
        C = total_covariance(A, Sm)
        latent = np.arange(self.m) >= self.p
        with np.errstate(invalid="ignore", divide="ignore"):
            var = np.diag(C)
            eta = np.where(latent, np.sqrt(np.where(var < 0, np.nan, var)), 1.0)
            rv = np.where(latent, np.sqrt(np.abs(np.diag(Sm))), 1.0)
            out = np.where(
                kind == 0, A[ii, jj] * eta[jj] / eta[ii],
                np.where(kind == 1, Sm[ii, jj] / eta[ii] ** 2, Sm[ii, jj] / (rv[ii] * rv[jj])))
        return out.astype(float)
