"""Which combinations of estimator, missing-data treatment, groups, ordered items, standard
errors, test and bootstrap are fitted: the one rule of :func:`replication.fit` and of
``replicate fit``.

:func:`check_options` refuses, with one line naming the option, what lavaan 0.6 refuses (ML,
MLM or MLR with ordered items; full-information ML with ordered items or with MLM; DWLS and
WLSMV without ordered items) and what the suite does not fit (multi-group ordered models, a
bootstrap of anything but an ML fit of one group on complete rows, PLS with groups, ordered
items or full-information ML). The messages name the options as the caller knows them: the
keyword arguments of :func:`replication.fit` (``ordered``, ``missing='fiml'``) or the flags of
``replicate fit`` (``--ordered``, ``--missing fiml``) with ``cli=True``.
"""

from __future__ import annotations

from replication.engine.errors import InputError
from replication.engine.multigroup_table import EQUAL_CATEGORIES

__all__ = ["ESTIMATORS", "SEM_ESTIMATORS", "PLS_ESTIMATORS", "GROUP_EQUAL", "SCHEMES",
           "SE_TYPES", "TESTS", "check_options", "normal_estimator"]

SEM_ESTIMATORS = ("ML", "MLM", "MLR", "DWLS", "WLSMV")
PLS_ESTIMATORS = ("PLS", "PLSc")
ESTIMATORS = SEM_ESTIMATORS + PLS_ESTIMATORS
#: lavaan's ``group.equal`` words; ``thresholds`` constrains nothing without ordered items
#: (multi-group models of ordered items are not fitted), as in lavaan.
GROUP_EQUAL = EQUAL_CATEGORIES[:2] + ("thresholds",) + EQUAL_CATEGORIES[2:]
SCHEMES = ("path", "centroid", "factorial")
#: lavaan's ``se =`` and ``test =`` values each estimator implies (the only ones accepted).
SE_TYPES = {"ML": "standard", "MLM": "robust.sem", "MLR": "robust.huber.white",
            "DWLS": "standard", "WLSMV": "robust.sem"}
TESTS = {"ML": "standard", "MLM": "satorra.bentler", "MLR": "yuan.bentler.mplus",
         "DWLS": "standard", "WLSMV": "scaled.shifted"}


def normal_estimator(estimator: str) -> str:
    """``estimator`` in the suite's spelling (``mlr`` -> ``MLR``, ``plsc`` -> ``PLSc``)."""
    up = str(estimator).upper()
    return "PLSc" if up == "PLSC" else up


def _names(cli: bool) -> dict:
    if cli:
        return {"estimator": "--estimator", "ordered": "--ordered", "fiml": "--missing fiml",
                "listwise": "--missing listwise", "missing": "--missing", "group": "--group",
                "group_equal": "--group-equal", "group_partial": "--group-partial",
                "bootstrap": "--bootstrap", "scheme": "--scheme", "se": "--se",
                "test": "--test", "all": "--ordered all", "cols": "--ordered COL,..."}
    return {"estimator": "estimator", "ordered": "ordered", "fiml": "missing='fiml'",
            "listwise": "missing='listwise'", "missing": "missing", "group": "group",
            "group_equal": "group_equal", "group_partial": "group_partial",
            "bootstrap": "bootstrap", "scheme": "scheme", "se": "se", "test": "test",
            "all": "ordered=True", "cols": "ordered=[...]"}


def _check_pls(nm: dict, estimator: str, ordered, missing: str, group, se, test) -> None:
    if group:
        raise InputError(f"{nm['group']}: not available with {nm['estimator']} {estimator} "
                         "(PLS fits one group); leave it out")
    if ordered:
        raise InputError(f"{nm['ordered']}: not available with {nm['estimator']} {estimator} "
                         "(PLS treats items as continuous); leave it out")
    if missing == "fiml":
        raise InputError(f"{nm['fiml']}: not available with {nm['estimator']} {estimator}; "
                         f"expected {nm['listwise']}")
    if se is not None or test is not None:
        which = nm["se"] if se is not None else nm["test"]
        raise InputError(f"{which}: not available with {nm['estimator']} {estimator} (PLS "
                         f"standard errors come from {nm['bootstrap']})")


def _check_se_test(nm: dict, estimator: str, se, test, bootstrap) -> None:
    if se is not None and se not in (SE_TYPES[estimator], "bootstrap"):
        raise InputError(f"{nm['se']}: {se!r} with {nm['estimator']} {estimator}; expected "
                         f"{SE_TYPES[estimator]!r} (or 'bootstrap' with {nm['bootstrap']} N)")
    if se == "bootstrap" and bootstrap is None:
        raise InputError(f"{nm['se']}: 'bootstrap' needs {nm['bootstrap']} N (the number of "
                         "resamples)")
    if test is not None and test != TESTS[estimator]:
        raise InputError(f"{nm['test']}: {test!r} with {nm['estimator']} {estimator}; "
                         f"expected {TESTS[estimator]!r}")


def check_options(estimator: str, ordered, missing: str = "listwise", group: str | None = None,
                  group_equal=(), group_partial=(), bootstrap: int | None = None, *,
                  scheme: str | None = None, se: str | None = None, test: str | None = None,
                  cli: bool = False) -> None:
    """Refuse combinations of options that lavaan refuses or that the suite does not fit.

    Parameters
    ----------
    estimator : str
        One of :data:`ESTIMATORS` (already in the suite's spelling).
    ordered : list of str or bool or None
        The ordered items (empty or None: none).
    missing : {"listwise", "fiml"}
    group, group_equal, group_partial :
        Multi-group options.
    bootstrap : int, optional
    scheme : str, optional
        PLS weighting scheme (only with PLS or PLSc).
    se, test : str, optional
        lavaan's ``se =`` and ``test =``: only the values the estimator implies.
    cli : bool
        Name the options by their ``replicate fit`` flags.

    Raises
    ------
    InputError
        One line naming the option and what is expected.
    """
    nm = _names(cli)
    if estimator not in ESTIMATORS:
        raise InputError(f"{nm['estimator']}: {estimator!r} is not supported; expected one of "
                         f"{', '.join(ESTIMATORS)}")
    if missing not in ("listwise", "fiml"):
        raise InputError(f"{nm['missing']}: {missing!r}; expected listwise or fiml")
    if scheme is not None and scheme not in SCHEMES:
        raise InputError(f"{nm['scheme']}: {scheme!r}; expected one of {', '.join(SCHEMES)}")
    if scheme is not None and estimator not in PLS_ESTIMATORS:
        raise InputError(f"{nm['scheme']}: the inner weighting scheme is a PLS option; expected "
                         f"{nm['estimator']} PLS or PLSc")
    if estimator in PLS_ESTIMATORS:
        _check_pls(nm, estimator, ordered, missing, group, se, test)
        return
    if ordered and estimator in ("ML", "MLM", "MLR"):
        raise InputError(f"{nm['ordered']}: lavaan does not fit ordered items with estimator "
                         f"{estimator}; use {nm['estimator']} WLSMV (or DWLS)")
    if ordered and missing == "fiml":
        raise InputError(f"{nm['fiml']}: full-information ML is not available for ordered "
                         "items (lavaan refuses missing = \"ml\" with categorical data); use "
                         f"{nm['listwise']}")
    if missing == "fiml" and estimator == "MLM":
        raise InputError(f"{nm['fiml']}: lavaan refuses missing = \"ml\" with estimator MLM; "
                         f"use {nm['estimator']} MLR")
    if estimator in ("DWLS", "WLSMV") and not ordered:
        raise InputError(f"{nm['estimator']} {estimator}: expected ordered items ({nm['all']} "
                         f"or {nm['cols']}); continuous items are fitted with ML, MLM or MLR")
    bad = [w for w in group_equal if w not in GROUP_EQUAL]
    if bad:
        raise InputError(f"{nm['group_equal']}: {bad[0]!r} is not one of lavaan's group.equal "
                         f"words; expected some of {', '.join(GROUP_EQUAL)}")
    if (group_equal or group_partial) and not group:
        raise InputError(f"{nm['group_equal']}/{nm['group_partial']}: expected {nm['group']} "
                         "as well")
    if group_partial and not group_equal:
        raise InputError(f"{nm['group_partial']}: expected {nm['group_equal']} with the "
                         "constraints it relaxes")
    if group and ordered:
        raise InputError(f"{nm['ordered']}: not available for multi-group models; fit the "
                         "groups one at a time")
    if bootstrap is not None and (estimator != "ML" or group):
        raise InputError(f"{nm['bootstrap']}: the suite bootstraps ML fits of one group only; "
                         f"leave out {nm['estimator']} and {nm['group']}")
    if bootstrap is not None and missing == "fiml":
        raise InputError(f"{nm['bootstrap']}: the bootstrap refits complete rows by ML and is "
                         f"not available with {nm['fiml']}; use {nm['listwise']}")
    _check_se_test(nm, estimator, se, test, bootstrap)
