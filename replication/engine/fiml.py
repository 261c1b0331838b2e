"""Missing-data patterns for full-information maximum likelihood (lavaan ``missing = "ml"``).

:class:`Patterns` groups the rows of a data matrix by which variables are observed and gives
the casewise normal log-likelihood of a mean vector and covariance matrix (with its gradient),
the saturated (h1) moments by the EM algorithm and the log-likelihood of the independence
model. :func:`replication.engine.sem.fit` with ``missing="fiml"`` uses it.

Patterns with the same number of observed variables are kept together as one block of stacked
arrays, so that one likelihood evaluation is a handful of batched linear-algebra calls (one per
block) rather than one call per pattern.

Notes
-----
With ``n_g`` rows of pattern ``g`` observed on ``o_g``, means ``m_g`` and covariance
``S_g`` (divisor ``n_g``), ``log L = -1/2 sum_g n_g (p_g log 2 pi + log|Sigma_oo| +
tr(Sigma_oo^-1 (S_g + (m_g - mu_o)(m_g - mu_o)')))``.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced Structural Equation Modeling*.
Erlbaum.
Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from incomplete
data via the EM algorithm. *JRSS B*, 39, 1-38.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Patterns"]

_LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class _Block:
    """The ``G`` patterns that observe ``k`` of the ``p`` variables, as stacked arrays.

    Attributes
    ----------
    obs : (G, k) int array
        Observed variables of each pattern (ascending).
    mis : (G, p - k) int array
        Missing variables of each pattern (ascending).
    n : (G,) float array
        Rows of each pattern.
    mean : (G, k) array
        Means of the observed variables.
    cov : (G, k, k) array
        Covariances of the observed variables (divisor ``n_g``).
    """

    obs: np.ndarray
    mis: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    cov: np.ndarray

    def sub(self, M: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The submatrices ``M[rows_g, cols_g]`` of every pattern, shape (G, len, len)."""
        return M[rows[:, :, None], cols[:, None, :]]


def _blocks(X: np.ndarray) -> list[_Block]:
    """Patterns of ``X`` (rows with no observed value dropped), grouped by observed count."""
    obs = ~np.isnan(X)
    keys, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = inv.ravel()
    order = np.argsort(inv, kind="stable")
    starts = np.searchsorted(inv[order], np.arange(len(keys) + 1))
    by_k: dict[int, list] = {}
    for g, key in enumerate(keys):
        k = int(key.sum())
        if k == 0:
            continue
        rows = X[order[starts[g]:starts[g + 1]]][:, key]
        m = rows.mean(axis=0)
        c = rows - m
        by_k.setdefault(k, []).append((np.flatnonzero(key), np.flatnonzero(~key), len(rows),
                                       m, c.T @ c / len(rows)))
    return [_Block(obs=np.array([g[0] for g in gs]), mis=np.array([g[1] for g in gs]),
                   n=np.array([g[2] for g in gs], dtype=float),
                   mean=np.array([g[3] for g in gs]), cov=np.array([g[4] for g in gs]))
            for _, gs in sorted(by_k.items())]


def _scatter(p: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of the (G, r, c) ``values`` into a (p, p) matrix at ``[rows_g, cols_g]``."""
    flat = rows[:, :, None] * p + cols[:, None, :]
    return np.bincount(flat.ravel(), weights=values.ravel(), minlength=p * p).reshape(p, p)


class Patterns:
    """Missing-data patterns with their sizes, means and covariances (divisor n_g).

    Parameters
    ----------
    X : (N, p) array
        Data with NaN for missing values; rows with no observed value are left out.
    """

    def __init__(self, X: np.ndarray):
        self.p = X.shape[1]
        self.blocks = _blocks(X)
        self.n = int(sum(b.n.sum() for b in self.blocks))

    def loglik(self, mu: np.ndarray, Sigma: np.ndarray, grad: bool = False):
        """Casewise normal log-likelihood and, optionally, d/dmu and d/dSigma.

        The gradient is ``d/dmu = sum_g n_g Sigma_oo^-1 d_g`` and ``d/dSigma_oo =
        -1/2 sum_g n_g (Sigma_oo^-1 - Sigma_oo^-1 M_g Sigma_oo^-1)`` with ``d_g = m_g - mu_o``
        and ``M_g = S_g + d_g d_g'`` (Arbuckle, 1996).
        """
        p = self.p
        ll = 0.0
        gmu = np.zeros(p)
        gS = np.zeros((p, p))
        for b in self.blocks:
            try:
                K = np.linalg.cholesky(b.sub(Sigma, b.obs, b.obs))
            except np.linalg.LinAlgError:
                return (-np.inf, None, None) if grad else -np.inf
            Ki = np.linalg.inv(K)
            Si = Ki.transpose(0, 2, 1) @ Ki
            d = b.mean - mu[b.obs]
            M = b.cov + d[:, :, None] * d[:, None, :]
            logdet = 2.0 * np.log(np.diagonal(K, axis1=1, axis2=2)).sum(axis=1)
            k = b.obs.shape[1]
            ll += -0.5 * float(b.n @ (k * _LOG_2PI + logdet + np.einsum("gij,gij->g", Si, M)))
            if grad:
                gmu += np.bincount(b.obs.ravel(), weights=(b.n[:, None] * np.einsum(
                    "gij,gj->gi", Si, d)).ravel(), minlength=p)
                gS += _scatter(p, b.obs, b.obs, -0.5 * b.n[:, None, None] * (Si - Si @ M @ Si))
        return (ll, gmu, gS) if grad else ll

    def _available_means(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean of each variable over the rows where it is observed, and that row count."""
        tot = np.zeros(self.p)
        cnt = np.zeros(self.p)
        for b in self.blocks:
            tot += np.bincount(b.obs.ravel(), weights=(b.n[:, None] * b.mean).ravel(),
                               minlength=self.p)
            cnt += np.bincount(b.obs.ravel(), weights=np.repeat(b.n, b.obs.shape[1]),
                               minlength=self.p)
        return tot / cnt, cnt

    def _expected_moments(self, b: _Block, mu: np.ndarray, Sigma: np.ndarray):
        """E-step of one block: each pattern's expected mean vector and cross-product matrix.

        With ``B = Sigma_mo Sigma_oo^-1``, the missing part's conditional mean is
        ``mu_m + B (m_g - mu_o)`` and its conditional covariance ``Sigma_mm - B Sigma_om``
        (Dempster, Laird & Rubin, 1977; Little & Rubin, 2002, sec. 11.2).
        """
        G, p = len(b.n), self.p
        g = np.arange(G)[:, None, None]
        full_m = np.empty((G, p))
        C = np.empty((G, p, p))
        full_m[np.arange(G)[:, None], b.obs] = b.mean
        C[g, b.obs[:, :, None], b.obs[:, None, :]] = b.cov
        if b.mis.shape[1]:
            Soo = b.sub(Sigma, b.obs, b.obs)
            Som = b.sub(Sigma, b.obs, b.mis)
            Bt = np.linalg.solve(Soo, Som)  # (G, k, m): B transposed
            B = Bt.transpose(0, 2, 1)
            cond = b.sub(Sigma, b.mis, b.mis) - B @ Som
            full_m[np.arange(G)[:, None], b.mis] = mu[b.mis] + np.einsum(
                "gmk,gk->gm", B, b.mean - mu[b.obs])
            BS = B @ b.cov
            C[g, b.mis[:, :, None], b.obs[:, None, :]] = BS
            C[g, b.obs[:, :, None], b.mis[:, None, :]] = BS.transpose(0, 2, 1)
            C[g, b.mis[:, :, None], b.mis[:, None, :]] = BS @ Bt + cond
        return full_m, C

    def em(self, tol: float = 1e-10, max_iter: int = 5000):
        """Saturated (h1) mean and covariance by the EM algorithm.

        Iterates ``mu = T1 / N`` and ``Sigma = T2 / N - mu mu'`` from the expected sufficient
        statistics ``T1 = sum_g n_g E[x]`` and ``T2 = sum_g n_g E[x x']`` until no element of
        ``mu`` or ``Sigma`` moves by ``tol`` (Dempster, Laird & Rubin, 1977).
        """
        mu, _ = self._available_means()
        Sigma = np.diag(np.maximum(1e-6, self._marginal_vars(mu)))
        for _ in range(max_iter):
            T1 = np.zeros(self.p)
            T2 = np.zeros((self.p, self.p))
            for b in self.blocks:
                full_m, C = self._expected_moments(b, mu, Sigma)
                T1 += b.n @ full_m
                T2 += np.einsum("g,gij->ij", b.n, C + full_m[:, :, None] * full_m[:, None, :])
            mu_new = T1 / self.n
            Sigma_new = T2 / self.n - np.outer(mu_new, mu_new)
            done = max(np.abs(mu_new - mu).max(), np.abs(Sigma_new - Sigma).max()) < tol
            mu, Sigma = mu_new, Sigma_new
            if done:
                break
        return mu, Sigma

    def _marginal_vars(self, mu: np.ndarray) -> np.ndarray:
        """Variance of each variable about ``mu`` over the rows where it is observed."""
        ss = np.zeros(self.p)
        cnt = np.zeros(self.p)
        for b in self.blocks:
            dev = np.diagonal(b.cov, axis1=1, axis2=2) + (b.mean - mu[b.obs]) ** 2
            ss += np.bincount(b.obs.ravel(), weights=(b.n[:, None] * dev).ravel(),
                              minlength=self.p)
            cnt += np.bincount(b.obs.ravel(), weights=np.repeat(b.n, b.obs.shape[1]),
                               minlength=self.p)
        return ss / cnt

    def independence_loglik(self) -> float:
        """Log-likelihood of the independence model (each variable's own ML mean and variance)."""
        mu, cnt = self._available_means()
        v = self._marginal_vars(mu)
        return float(np.sum(-0.5 * cnt * (np.log(2 * np.pi) + np.log(v) + 1)))
