"""PLS-SEM: partial least squares path modelling (PLS) and consistent PLS (PLSc).

``fit_pls(model, data, ...)`` fits a model written in lavaan-style syntax (``=~`` Mode A or,
under PLSc, a common factor; ``<~`` Mode B composite; ``~`` structural paths) and returns a
:class:`PLSResult`; ``predict_pls`` runs PLSpredict (k-fold out-of-sample prediction against
the linear-model benchmark). The numbers follow seminr (R), the reference of the tests.

Modules: ``model`` (syntax), ``data`` (indicator matrix, missing values), ``algorithm``
(the PLS iteration), ``consistent`` (rho_A, PLSc), ``estimate`` (one estimation),
``quality`` (criteria formulas), ``tables`` (result rows), ``bootstrap``, ``predict``,
``results`` (``PLSResult``), ``fit`` (``fit_pls``).
"""
from replication.engine.pls.fit import fit_pls
from replication.engine.pls.model import PLSModel, parse_pls_model
from replication.engine.pls.predict import PredictResult, predict_pls
from replication.engine.pls.results import PLSResult

__all__ = ["fit_pls", "predict_pls", "parse_pls_model", "PLSModel", "PLSResult",
           "PredictResult"]
