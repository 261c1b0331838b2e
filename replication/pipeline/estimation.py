"""The record's estimator in the per-paper pipeline: a model fitted as the paper fitted it.

:func:`fit_record_model` fits a model of the record by maximum likelihood
(:func:`replication.engine.sem.fit`) and, when the record's ``model.estimator`` is MLM or MLR,
adds the robust standard errors and the scaled and robust fit measures under lavaan's names
(``chisq.scaled``, ``chisq.scaling.factor``, ``pvalue.scaled``, ``cfi.scaled``, ``tli.scaled``,
``rmsea.scaled``, ``cfi.robust``, ``tli.robust``, ``rmsea.robust``) through
:func:`replication.engine.robust.robust_fit` (complete rows) or
:func:`replication.engine.robust_fiml.robust_fiml` (MLR with full-information ML), so a paper
that printed a Satorra-Bentler chi-square is compared with the scaled statistic. ML fits are
returned exactly as :func:`replication.engine.sem.fit` gives them.

Notes
-----
lavaan: ``estimator = "MLM"`` is ML estimates with Satorra-Bentler (1994) scaled test and
robust ("sandwich", expected information) standard errors; ``estimator = "MLR"`` is ML
estimates with the Yuan-Bentler (2000) scaled test and Huber-White standard errors (observed
information). The estimates, and hence the ML fit measures, are the same as with ML.

References
----------
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard errors in
covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), *Latent variables analysis*
(pp. 399-419). Sage.
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165-200.
"""

from __future__ import annotations

import pandas as pd

from replication.engine import robust as rb
from replication.engine import sem
from replication.engine.errors import InputError

__all__ = ["PIPELINE_ESTIMATORS", "ROBUST_ROWS", "fit_record_model", "with_robust"]

#: Estimators of ``model.estimator`` the per-paper pipeline fits.
PIPELINE_ESTIMATORS = ("ML", "MLM", "MLR")
#: Scaled and robust fit measures a robust fit adds (lavaan's names), as reports list them.
ROBUST_ROWS = ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.scaled",
               "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust"]


def with_robust(result, data: pd.DataFrame, estimator: str):
    """An ML fit with the robust standard errors and scaled fit measures of ``estimator``.

    Parameters
    ----------
    result : FitResult
        :func:`replication.engine.sem.fit` of the model (ML estimates).
    data : DataFrame
        The responses it was fitted to.
    estimator : {"MLM", "MLR"}

    Returns
    -------
    FitResult
        The same object, with ``parameters`` holding robust ``se``, ``z``, ``pvalue``,
        ``fit_measures`` extended by :data:`replication.engine.robust.SCALED_MEASURES` and
        ``estimator`` set.
    """
    spec, fm = result.spec, result.fit_measures
    if result.missing == "fiml":
        if estimator != "MLR":
            raise InputError(f"model.estimator: {estimator} with sample.missing fiml; lavaan "
                             "refuses missing = \"ml\" with MLM, expected MLR")
        from replication.engine.robust_fiml import robust_fiml

        rob = robust_fiml(spec, result.theta, data[spec.ov].to_numpy(float), fm["chisq"],
                          fm["baseline.chisq"])
    else:
        X = data[spec.ov].dropna().to_numpy(float)
        rob = rb.robust_fit(spec, result.theta, X, estimator, fm["chisq"], fm["baseline.chisq"])
    result.parameters = rob.apply(result.parameters, spec)
    result.fit_measures = {**fm, **rob.fit_measures}
    result.estimator = estimator
    return result


def fit_record_model(record, syntax: str, data: pd.DataFrame, *, missing: str = "listwise"):
    """Fit one model of the record with the record's estimator.

    Parameters
    ----------
    record : Record
        Its ``model.estimator`` chooses the estimator (``ML`` when the record gives none).
    syntax : str
        lavaan syntax of the model (the record's CFA, SEM or a named fit block).
    data : DataFrame
    missing : {"listwise", "fiml"}

    Returns
    -------
    FitResult

    Notes
    -----
    With ``model.estimator`` DWLS or WLSMV (ordered items) the paper pipeline fits ML and says
    so in the result's ``warnings``; ``replicate fit --estimator WLSMV --ordered ...`` fits the
    ordinal model (:func:`replication.engine.ordinal.fit_ordinal`).

    Raises
    ------
    InputError
        MLM with full-information ML (lavaan refuses it).
    """
    estimator = record.model.estimator
    result = sem.fit(syntax, data, missing=missing)
    if estimator == "ML":
        return result
    if estimator not in PIPELINE_ESTIMATORS:
        result.warnings.append(f"model.estimator {estimator} (ordered items): fitted by ML here; "
                               f"`replicate fit --estimator {estimator} --ordered ...` fits the "
                               "ordinal model")
        return result
    return with_robust(result, data, estimator)
