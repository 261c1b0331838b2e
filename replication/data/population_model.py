"""The population a record implies: the :class:`Population` type and its table columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Population", "CHANGE_COLUMNS", "PARAM_COLUMNS"]

CHANGE_COLUMNS = ["target", "published", "used", "change", "reason"]
PARAM_COLUMNS = ["lhs", "op", "rhs", "est", "std", "published", "status", "source"]


@dataclass
class Population:
    """A linear structural population for the items of one record.

    Attributes
    ----------
    record_id : str
    items : list of str
        Item names (record order); columns of ``cov`` and index of ``means``.
    constructs : dict
        ``{construct: [items]}``.
    latents : list of str
        Constructs in causal order (exogenous first).
    cov : DataFrame
        Model-implied covariance of the items (items x items): the target.
    means : Series
        Item means.
    loadings : DataFrame
        Unstandardized loadings (items x latents) in the population metric.
    beta : DataFrame
        ``beta.loc[y, x]``: coefficient of ``x`` in the equation of ``y`` (latents and products).
    latent_cov : DataFrame
        Covariance of latents and product terms (``X:M``).
    disturbance_cov : DataFrame
        Covariance of exogenous variables, product terms and disturbances (the ``Psi`` of
        ``C = (I - B)^-1 Psi (I - B)^-T``).
    residuals : Series
        Item residual variances.
    products : list of tuple
        ``(x, m)`` latent products that enter the structural equations.
    params : DataFrame
        Columns ``lhs, op, rhs, est, std, published, status, source``: every parameter used,
        with the published value beside it and where it came from (``published``, ``assumed``,
        ``derived``, ``default`` or ``changed``).
    changes : DataFrame
        Columns ``target, published, used, change, reason``: numbers changed for admissibility.
    notes : list of str
        Defaults used and other remarks, one sentence each.
    metric : str
        ``standardized`` or ``unstandardized``: how printed estimates were read.
    n : int
    scale_points : int
    level : str
        ``latent`` (SEM records: the printed coefficients hold among latent variables) or
        ``composite`` (regression records: they hold among item-mean scores; see
        :func:`population`).
    reliability : Series or None
        Composite reliability of each construct's item mean (``composite`` level only).
    syntax, theta, residual_cov : str, ndarray, DataFrame or None
        Level ``syntax`` (records with ``model.syntax``): the main model, its parameter vector
        at the population and the covariance of the item residuals (residual covariances
        between items included); see :mod:`replication.data.syntax_population`.
    """

    record_id: str
    items: list[str]
    constructs: dict[str, list[str]]
    latents: list[str]
    cov: pd.DataFrame
    means: pd.Series
    loadings: pd.DataFrame
    beta: pd.DataFrame
    latent_cov: pd.DataFrame
    disturbance_cov: pd.DataFrame
    residuals: pd.Series
    products: list[tuple[str, str]]
    params: pd.DataFrame
    changes: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    metric: str = "standardized"
    n: int = 0
    scale_points: int = 5
    level: str = "latent"
    reliability: pd.Series | None = None
    syntax: str | None = None
    theta: np.ndarray | None = None
    residual_cov: pd.DataFrame | None = None

    @property
    def item_sd(self) -> pd.Series:
        """Population standard deviation of each item."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.items)
