"""Population model built from a published record, and its admissibility.

:func:`population` turns the numbers a paper printed (and the record's assumptions) into a
linear structural population: standardized loadings, item means and standard deviations, latent
variances, exogenous correlations, structural coefficients (plus latent interactions and control
effects) and disturbance variances. Its implied item covariance matrix is the target of the
reconstruction.

For regression records the printed coefficients hold among composite (item-mean) scores and
the population is built at that level (``Population.level == "composite"``; see
:func:`population`).

Where the printed numbers cannot all hold (a loading above 1, an exogenous correlation matrix
that is not positive definite, a construct whose predictors explain more than all of its
variance), the nearest admissible population is used by the rules below, and every change is
returned in ``Population.changes``:

* loadings: a standardized loading above ``max_loading`` is set to ``max_loading`` (sign kept);
* correlation matrices (exogenous constructs, disturbances): eigenvalues below ``min_eigen``
  are raised to it and the matrix is rescaled to unit diagonal;
* structural paths: when R-squared of a construct exceeds ``1 - min_disturbance``, all
  coefficients into that construct (paths, interactions, controls) are multiplied by the same
  factor ``c = sqrt((1 - min_disturbance) / R2)``, which keeps their ratios, signs and the
  direction of the prediction and gives R-squared ``1 - min_disturbance`` exactly.
"""

from __future__ import annotations

from replication.data.population_formulas import (item_sd_from_composite, nearest_correlation,
                                                  spearman_brown_loading)
from replication.data.population_model import Population
from replication.data.population_steps import build_population
from replication.data.syntax_population import syntax_population
from replication.engine.reliability import composite_reliability

__all__ = ["Population", "population", "spearman_brown_loading", "nearest_correlation",
           "item_sd_from_composite", "composite_reliability"]

# The steps live in :mod:`replication.data.population_steps`, the plain formulas in
# :mod:`replication.data.population_formulas` and the result type in
# :mod:`replication.data.population_model`; their public names are gathered here.


def population(record, max_loading: float = 0.995, min_disturbance: float = 0.02,
               min_eigen: float = 1e-3) -> Population:
    """Build the population model of a record and its implied item covariance.

    Parameters
    ----------
    record : replication.record.schema.Record
    max_loading : float, default 0.995
        Largest standardized loading of a multi-item construct (residual variance at least
        ``1 - max_loading**2`` of the item variance).
    min_disturbance : float, default 0.02
        Smallest disturbance variance of a dependent construct, as a share of its variance
        (R-squared at most ``1 - min_disturbance``).
    min_eigen : float, default 1e-3
        Smallest eigenvalue of a correlation matrix of exogenous constructs or disturbances.

    Returns
    -------
    Population

    Notes
    -----
    Values are read from ``record.values()`` in this order:

    * standardized loadings: ``items.<i>.loading``, ``constructs.<C>.loading``, the equal
      loading implied by ``constructs.<C>.alpha`` (:func:`spearman_brown_loading`), the root of
      ``constructs.<C>.ave``; a single-item construct without any is measured without error
      (loading 1); otherwise a default of 0.7 (noted);
    * item SD: the common SD giving the printed ``constructs.<C>.sd`` to the mean score
      (:func:`item_sd_from_composite`), else ``(K - 1) / 4`` on a K-point scale (noted);
      item means: ``constructs.<C>.mean``, else the scale midpoint (noted);
    * latent variances: 1 in the standardized metric; in the unstandardized metric the
      variance of the true score of the construct's first item (its loading is 1, as in AMOS);
    * structural coefficients: ``paths.<X>-><Y>.estimate`` in the metric of
      ``model.estimate_metric``, else ``paths.<X>-><Y>.std``, ``controls.<V>-><Y>.std``,
      ``interactions.<X>x<M>-><Y>.std`` (standardized: ``b = beta * sd(Y) / sd(X)``);
    * exogenous correlations and disturbance correlations: ``correlations.<A>~~<B>``, else 0
      (noted).

    Disturbance variances follow from the construct variances:
    ``psi_Y = Var(Y) - b' C b`` with ``C`` the covariance of the predictors (latent products
    ``X*M`` of exogenous constructs have covariance ``C_xz C_mw + C_xw C_mz`` and are
    uncorrelated with the linear terms under normality; Bohrnstedt & Goldberger, 1969). The
    implied covariances are ``C = (I - B)^-1 Psi (I - B)^-T`` and
    ``Sigma = Lambda C Lambda' + Theta`` (Bollen, 1989, ch. 8).

    Regression records (``model.kind: regression``, ``Population.level == "composite"``): the
    printed coefficients are OLS coefficients among item-mean scores, so the structure above
    is built among the composites (in the unstandardized metric a composite's variance is that
    of its item mean), a product ``X:M`` is the product of the centred composites and its
    standardized coefficient is ``b sd(X M) / sd(Y)`` as the moderated regression prints it.
    Latent correlations are the composite correlations over ``sqrt(rho_i rho_j)`` with
    ``rho`` the composite reliability (:func:`composite_reliability`; 1 for a single item
    measured without error), made admissible by :func:`nearest_correlation` where needed
    (reported under ``composites.<A>~~<B>``); latent variables have unit variance and the
    items ``loading x latent + residual``, so the item means have the composite-level
    correlations exactly. ``latent_cov``, ``beta`` and ``disturbance_cov`` are then latent-level
    (products are observed terms with reliability 1) and ``params`` keeps the composite-level
    coefficients.

    References
    ----------
    Bollen, K. A. (1989). *Structural equations with latent variables*. Wiley.
    Bohrnstedt, G. W., & Goldberger, A. S. (1969). On the exact covariance of products of random
    variables. *JASA*, 64, 1439-1442.
    """
    if record.model.syntax is not None:
        return syntax_population(record)
    return build_population(record, max_loading, min_disturbance, min_eigen)
