"""Missing-data patterns for full-information maximum likelihood (lavaan ``missing = "ml"``).

:class:`Patterns` groups the rows of a data matrix by which variables are observed and gives
the casewise normal log-likelihood of a mean vector and covariance matrix (with its gradient),
the saturated (h1) moments by the EM algorithm and the log-likelihood of the independence
model. :func:`replication.engine.sem.fit` with ``missing="fiml"`` uses it.

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

import numpy as np

__all__ = ["Patterns"]


class Patterns:
    """Missing-data patterns with their sizes, means and covariances (divisor n_g)."""

    def __init__(self, X: np.ndarray):
        obs = ~np.isnan(X)
        keys, inv = np.unique(obs, axis=0, return_inverse=True)
        self.groups = []
        for g, key in enumerate(keys):
            if not key.any():
                continue
            rows = X[inv.ravel() == g][:, key]
            m = rows.mean(axis=0)
            c = rows - m
            self.groups.append((np.flatnonzero(key), len(rows), m, c.T @ c / len(rows)))
        self.n = int(sum(g[1] for g in self.groups))
        self.p = X.shape[1]

    def loglik(self, mu: np.ndarray, Sigma: np.ndarray, grad: bool = False):
        """Casewise normal log-likelihood and, optionally, d/dmu and d/dSigma."""
        ll = 0.0
        gmu = np.zeros(self.p)
        gS = np.zeros((self.p, self.p))
        for idx, n_g, m, S_g in self.groups:
            Soo = Sigma[np.ix_(idx, idx)]
            try:
                K = np.linalg.cholesky(Soo)
            except np.linalg.LinAlgError:
                return (-np.inf, None, None) if grad else -np.inf
            Ki = np.linalg.inv(K)
            Si = Ki.T @ Ki
            d = m - mu[idx]
            M = S_g + np.outer(d, d)
            ll += -0.5 * n_g * (len(idx) * np.log(2 * np.pi) + 2 * np.sum(np.log(np.diag(K)))
                                + np.sum(Si * M))
            if grad:
                gmu[idx] += n_g * (Si @ d)
                gS[np.ix_(idx, idx)] += -0.5 * n_g * (Si - Si @ M @ Si)
        return (ll, gmu, gS) if grad else ll

    def _available_means(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean of each variable over the rows where it is observed, and that row count."""
        mu = np.zeros(self.p)
        cnt = np.zeros(self.p)
        for idx, n_g, m, _ in self.groups:
            mu[idx] += n_g * m
            cnt[idx] += n_g
        return mu / cnt, cnt

    def em(self, tol: float = 1e-10, max_iter: int = 5000):
        """Saturated (h1) mean and covariance by the EM algorithm."""
        p = self.p
        mu, cnt = self._available_means()
        Sigma = np.diag([max(1e-6, v) for v in self._marginal_vars(mu)])
        for _ in range(max_iter):
            T1 = np.zeros(p)
            T2 = np.zeros((p, p))
            for idx, n_g, m, S_g in self.groups:
                mis = np.setdiff1d(np.arange(p), idx)
                if len(mis):
                    B = Sigma[np.ix_(mis, idx)] @ np.linalg.inv(Sigma[np.ix_(idx, idx)])
                    cond = Sigma[np.ix_(mis, mis)] - B @ Sigma[np.ix_(idx, mis)]
                else:
                    B = np.zeros((0, len(idx)))
                    cond = np.zeros((0, 0))
                # expected sufficient statistics of the group
                full_m = np.empty(p)
                full_m[idx] = m
                full_m[mis] = mu[mis] + B @ (m - mu[idx])
                C = np.zeros((p, p))
                C[np.ix_(idx, idx)] = S_g
                C[np.ix_(mis, idx)] = B @ S_g
                C[np.ix_(idx, mis)] = (B @ S_g).T
                C[np.ix_(mis, mis)] = B @ S_g @ B.T + cond
                T1 += n_g * full_m
                T2 += n_g * (C + np.outer(full_m, full_m))
            mu_new = T1 / self.n
            Sigma_new = T2 / self.n - np.outer(mu_new, mu_new)
            done = max(np.abs(mu_new - mu).max(), np.abs(Sigma_new - Sigma).max()) < tol
            mu, Sigma = mu_new, Sigma_new
            if done:
                break
        return mu, Sigma

    def _marginal_vars(self, mu):
        p = self.p
        ss = np.zeros(p)
        cnt = np.zeros(p)
        for idx, n_g, m, S_g in self.groups:
            ss[idx] += n_g * (np.diag(S_g) + (m - mu[idx]) ** 2)
            cnt[idx] += n_g
        return ss / cnt

    def independence_loglik(self) -> float:
        """Log-likelihood of the independence model (each variable's own ML mean and variance)."""
        mu, cnt = self._available_means()
        v = self._marginal_vars(mu)
        return float(np.sum(-0.5 * cnt * (np.log(2 * np.pi) + np.log(v) + 1)))
