"""Newton iterations on lavaan's ML discrepancy of a RAM model, with the analytic Hessian.

:class:`NewtonKernel` evaluates ``F_ML`` at a point (:meth:`NewtonKernel.point`) and, at an
accepted point, its gradient, analytic Hessian and expected information
(:meth:`NewtonKernel.derivatives`), reusing the matrices of the evaluation. Every derivative
comes from two Gram matrices of ``p``-vectors in the space of all ``m`` variables,
``Q' Sigma^-1 Q`` and ``Q' W Q`` with ``Q = [G, G S B']`` (``B = (I - A)^-1``, ``G`` its
observed rows, ``W = Sigma^-1 - Sigma^-1 S Sigma^-1``): each ``dSigma/dtheta_e`` of a matrix
entry is ``u_e v_e' + v_e u_e'`` with ``u_e`` and ``v_e`` columns of ``Q``, so the traces of
products of two derivatives reduce to products of entries of the Gram matrices, and no array
of ``q`` ``p x p`` derivative matrices is formed. :func:`newton_fit` runs the iteration and
convergence rule of :meth:`replication.engine.ram.RAM.fisher` with the kernel
(:meth:`~replication.engine.ram.RAM.refit`, used by the bootstrap).

Notes
-----
With ``D_a = u_a v_a' + v_a u_a'`` and symmetric ``M``, ``N``:
``tr(D_a M D_b N) = (v_a'M u_b)(v_b'N u_a) + (v_a'M v_b)(u_b'N u_a) + (u_a'M u_b)(v_b'N v_a)
+ (u_a'M v_b)(u_b'N v_a)``. The expected information (per observation, times 2) is
``tr(Sigma^-1 D_a Sigma^-1 D_b)``, the Hessian of ``F_ML``
``tr(Sigma^-1 D_a Sigma^-1 D_b) - 2 tr(Sigma^-1 D_a W D_b) + tr(W Sigma_ab)``, where the second
derivatives ``Sigma_ab`` of the RAM form are nonzero for two directed paths and for a directed
path with a (co)variance (Neudecker & Satorra, 1991).

References
----------
Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
structures. *South African Statistical Journal*, 8, 1-24.
Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure analysis
with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
model for moment structures. *British Journal of Mathematical and Statistical Psychology*, 37,
234-251.
Neudecker, H., & Satorra, A. (1991). Linear structural relations: gradient and Hessian of the
fitting function. *Statistics & Probability Letters*, 11, 57-61.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["NewtonKernel", "Point", "newton_fit"]


@dataclass
class Point:
    """The matrices of one evaluation of ``F_ML``: ``A``, ``S`` (RAM), ``B = (I - A)^-1``,
    ``G S`` with ``G = B[:p]``, ``Sigma^-1``, ``log|Sigma|`` and ``F_ML`` itself; ``cache``
    keeps what the derivatives compute from these alone (not from the data), shared by the
    copies :meth:`NewtonKernel.rescored` makes for other data."""

    A: np.ndarray
    Sm: np.ndarray
    B: np.ndarray
    GS: np.ndarray
    Si: np.ndarray
    logdet: float
    f: float
    cache: dict = field(default_factory=dict)


class NewtonKernel:
    """``F_ML``, its gradient, Hessian and expected information for one RAM model.

    Parameters
    ----------
    ram : replication.engine.ram.RAM
        The model (its index arrays ``a_rows, a_cols, a_par, s_rows, s_cols, s_par`` and its
        fixed matrices ``A0``, ``S0``, read at every evaluation, so that fixed.x values set
        later count).

    Notes
    -----
    In a recursive model ``A`` is nilpotent (``A^d = 0`` with ``d - 1`` the longest chain of
    directed paths), and ``(I - A)^-1 = I + A + ... + A^(d-1)`` is summed by Horner's rule;
    otherwise ``I - A`` is inverted.
    """

    def __init__(self, ram):
        self.ram = ram
        p, m = ram.p, ram.m
        self.p, self.m = p, m
        ar, ac, sr, sc = ram.a_rows, ram.a_cols, ram.s_rows, ram.s_cols
        self.nd = nd = len(ar)
        self.a_flat = ar * m + ac
        self.s_flat = np.concatenate([sr * m + sc, sc * m + sr])
        self.s_par2 = np.concatenate([ram.s_par, ram.s_par])
        self.eye = np.eye(m)
        self.depth = _nilpotency(ram.A0 != 0, ar, ac)
        par = np.concatenate([ram.a_par, ram.s_par])
        ne = len(par)
        # from matrix entries to parameters: a permutation, or sums over shared labels
        if ram._unique:
            perm, self.M = ram._order, None
        else:
            perm = np.arange(ne)
            self.M = np.zeros((ram.q, ne))
            self.M[par, np.arange(ne)] = 1.0
        self.perm = perm
        self.perm2 = perm[:, None] * ne + perm[None, :]
        # u_e, v_e as columns of Q = [G, G S B'] (p x 2m), in matrix-entry order (paths, then
        # (co)variances); v halved for a variance
        iu = np.concatenate([ar, sr])
        iv = np.concatenate([m + ac, sc])
        c = np.concatenate([np.ones(nd), np.where(sr == sc, 0.5, 1.0)])
        w = 2 * m

        def pairs(x, y):
            return x[:, None] * w + y[None, :]

        # trace layers: left from Q' Sigma^-1 Q, right from Q' W Q (module Notes)
        self.left = np.stack([pairs(iv, iu), pairs(iu, iv), pairs(iv, iv), pairs(iu, iu)])
        self.right = np.stack([pairs(iu, iv), pairs(iv, iu), pairs(iu, iu), pairs(iv, iv)])
        self.cc2 = 2.0 * c[:, None] * c[None, :]
        self.g_flat = iu * w + iv
        self.g_scale = 2.0 * c
        # second derivatives: path pairs (i <- j, k <- l): B[l,i] (G'WR')[j,k] and its
        # transpose, C[j,l] (G'WG)[k,i] with C = B S B'; a path with a (co)variance (s, t):
        # B[j,s] (G'WG)[i,t] + B[j,t] (G'WG)[i,s]; G'WG and G'WR' are blocks of Q' W Q
        i, j = ar[:, None], ac[:, None]
        k, l = ar[None, :], ac[None, :]
        self.aa = (l * m + i, (m + j) * w + k, j * m + l, k * w + i)
        si, sj = sr[None, :], sc[None, :]
        self.as_ = (j * m + si, i * w + sj, j * m + sj, i * w + si)
        self.as_scale = np.where(si == sj, 1.0, 2.0)

    # -- evaluation
    def inverse(self, A: np.ndarray) -> np.ndarray:
        """``(I - A)^-1`` (Horner's rule for a nilpotent ``A``)."""
        if self.depth is None:
            return np.linalg.inv(self.eye - A)
        B = self.eye + A
        for _ in range(self.depth - 2):
            B = A @ B
            B += self.eye
        return B

    def point(self, theta: np.ndarray, S: np.ndarray, logdet_S: float) -> Point | None:
        """``F_ML`` at ``theta`` with its matrices; None where ``Sigma`` is not positive
        definite (or ``I - A`` is singular)."""
        ram = self.ram
        A = ram.A0.copy()
        A.flat[self.a_flat] = theta[ram.a_par]
        Sm = ram.S0.copy()
        Sm.flat[self.s_flat] = theta[self.s_par2]
        try:
            B = self.inverse(A)
        except np.linalg.LinAlgError:
            return None
        G = B[: self.p]
        GS = G @ Sm
        Sigma = GS @ G.T
        try:
            K = np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            return None
        Si = np.linalg.inv(Sigma)
        Si = 0.5 * (Si + Si.T)
        logdet = 2.0 * float(np.log(K.diagonal()).sum())
        f = logdet + float(np.vdot(S, Si)) - logdet_S - self.p
        if not np.isfinite(f):
            return None
        return Point(A, Sm, B, GS, Si, logdet, f)

    def rescored(self, pt: Point, S: np.ndarray, logdet_S: float) -> Point | None:
        """``pt`` (the same parameters) with ``F_ML`` for the data ``S``, sharing its matrices
        and cache (a start shared by many refits)."""
        f = pt.logdet + float(np.vdot(S, pt.Si)) - logdet_S - self.p
        return replace(pt, f=f) if np.isfinite(f) else None

    def derivatives(self, pt: Point, S: np.ndarray):
        """Gradient, Hessian and expected information (times 2) of ``F_ML`` at ``pt``.

        Returns
        -------
        g : ndarray (q,)
        hess : ndarray (q, q)
        info2 : ndarray (q, q)
            ``tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b)``, twice the expected information per
            observation (the Fisher-scoring matrix of ``F_ML``).
        """
        B, Si, cache = pt.B, pt.Si, pt.cache
        QW = self._qw(pt, S)
        nd = self.nd
        if "L" not in cache:
            Q = cache["Q"]
            L = ((Q.T @ Si) @ Q).take(self.left)
            info = L[0] * L[1]
            info += L[2] * L[3]
            info *= self.cc2
            cache["L"], cache["info"] = L, info
            cache["C"] = B @ pt.Sm @ B.T if nd else None
        L, info, C = cache["L"], cache["info"], cache["C"]
        hess = np.einsum("kab,kab->ab", L, QW.take(self.right))
        hess *= -self.cc2
        hess += info
        g = self.g_scale * QW.take(self.g_flat)
        if nd:
            b_li, qw_jk, c_jl, qw_ki = self.aa
            T = B.take(b_li) * QW.take(qw_jk)
            T += T.T
            T += C.take(c_jl) * QW.take(qw_ki)
            T *= 2.0
            hess[:nd, :nd] += T
            b_js, qw_it, b_jt, qw_is = self.as_
            has = B.take(b_js) * QW.take(qw_it)
            has += B.take(b_jt) * QW.take(qw_is)
            has *= self.as_scale
            hess[:nd, nd:] += has
            hess[nd:, :nd] += has.T
        if self.M is None:
            return g[self.perm], hess.take(self.perm2), info.take(self.perm2)
        M = self.M
        return M @ g, M @ hess @ M.T, M @ info @ M.T

    def _qw(self, pt: Point, S: np.ndarray) -> np.ndarray:
        """``Q' W Q`` at ``pt`` (``Q`` kept in its cache)."""
        B, Si = pt.B, pt.Si
        Q = pt.cache.get("Q")
        if Q is None:
            Q = pt.cache["Q"] = np.concatenate([B[: self.p], pt.GS @ B.T], axis=1)
        W = Si - Si @ S @ Si
        return (Q.T @ W) @ Q

    def gradient(self, pt: Point, S: np.ndarray) -> np.ndarray:
        """Gradient of ``F_ML`` at ``pt``, ``2 u_e' W v_e`` for each matrix entry."""
        g = self.g_scale * self._qw(pt, S).take(self.g_flat)
        return g[self.perm] if self.M is None else self.M @ g

    def newton(self, pt: Point, S: np.ndarray):
        """Newton direction at ``pt`` (None where the Hessian is not positive definite), the
        gradient, the Hessian and the scoring matrix."""
        g, hess, info2 = self.derivatives(pt, S)
        try:
            np.linalg.cholesky(hess)
            step = np.linalg.solve(hess, -g)
        except np.linalg.LinAlgError:
            step = None
        return step, g, hess, info2


def _nilpotency(fixed: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> int | None:
    """Smallest ``d`` with ``A^d = 0`` for every ``A`` with nonzero entries only where
    ``fixed`` is True or at ``(rows, cols)``; None when the paths contain a cycle."""
    P = fixed.copy()
    P[rows, cols] = True
    P = P.astype(np.int64)
    power = P.copy()
    for d in range(1, len(P) + 1):
        if not power.any():
            return max(d, 2)
        power = np.minimum(power @ P, 1)
    return None


def newton_fit(kernel: NewtonKernel, theta0: np.ndarray, S: np.ndarray, *, max_iter: int = 200,
               tol: float = 1e-9, newton: bool = True, decrement: float = 1e-14,
               stationary=None, start: Point | None = None) -> tuple[np.ndarray, bool, int]:
    """Newton (or Fisher-scoring) iterations with step halving from ``theta0``: the iteration
    of :meth:`replication.engine.ram.RAM.fisher`, which documents the rule.

    ``stationary(theta)`` decides convergence where the iterations stall; ``start`` is the
    :class:`Point` at ``theta0`` for other data (the matrices do not depend on the data),
    rescored for ``S``.

    References
    ----------
    Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure
    analysis with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
    Boyd, S., & Vandenberghe, L. (2004). *Convex Optimization*. Cambridge University Press,
    sec. 9.5.1 (the Newton decrement).
    """
    logdet_S = np.linalg.slogdet(S)[1]
    theta = np.asarray(theta0, float).copy()
    if start is not None:
        pt = kernel.rescored(start, S, logdet_S)
    else:
        pt = kernel.point(theta, S, logdet_S)
    if pt is None:
        return theta, False, 0
    f = pt.f

    def stalled(theta):
        return theta, bool(stationary is not None and stationary(theta))

    last = None  # Hessian and decrement of the last full Newton step
    for it in range(1, max_iter + 1):
        if last is not None and last[1] < 1e-8:
            # close to the optimum the last Hessian predicts the decrement to within a relative
            # O(|step|); when that prediction passes the test, the exact one does too
            g = kernel.gradient(pt, S)
            try:
                dec = abs(float(g @ np.linalg.solve(last[0], g)))
            except np.linalg.LinAlgError:
                dec = np.inf
            if np.abs(g).max() < tol and dec < 0.5 * max(decrement, tol * tol):
                return theta, True, it
        last = None
        try:
            if newton:
                step, g, hess, info2 = kernel.newton(pt, S)
            else:
                g, _, info2 = kernel.derivatives(pt, S)
                step = None
            scoring = None
            if step is None:
                step = scoring = np.linalg.solve(info2, -g)
        except np.linalg.LinAlgError:
            return theta, False, it
        # the gradient test alone depends on the units of the variables; the Newton
        # decrement -g'step does not (Boyd & Vandenberghe 2004, sec. 9.5.1)
        if np.abs(g).max() < tol and abs(float(g @ step)) < max(decrement, tol * tol):
            return theta, True, it
        new = theta + step
        cand = kernel.point(new, S, logdet_S)
        t = 1.0
        if cand is None or not cand.f <= f + 1e-14:
            # far from the optimum: scoring steps with halving
            if scoring is None:
                try:
                    scoring = np.linalg.solve(info2, -g)
                except np.linalg.LinAlgError:
                    return theta, False, it
            else:
                t = 0.5  # the full scoring step was just tried
            step = scoring
            while t > 1e-10:
                new = theta + t * step
                cand = kernel.point(new, S, logdet_S)
                if cand is not None and cand.f <= f + 1e-14:
                    break
                t *= 0.5
            else:
                return (*stalled(theta), it)
            t = 0.0  # not a full Newton step
        theta, f_old, f, pt = new, f, cand.f, cand
        if newton and t == 1.0:
            if -float(g @ step) < decrement:
                return theta, True, it
            if scoring is None:
                last = (hess, -float(g @ step))
        if abs(f_old - f) < 1e-15 and np.max(np.abs(step)) < 1e-12:
            return (*stalled(theta), it)
    return (*stalled(theta), max_iter)
