"""The N convention of the named software (AMOS, LISREL, EQS: N - 1; lavaan, Mplus: N) against
the printed N-dependent numbers. Reference: lavaan's three-factor CFA of the first 75 rows of
Holzinger and Swineford (tests/fixtures/audit/hs_models.json, scripts/audit_fixtures.R)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from replication.audit.software_checks import software_convention
from replication.engine import fit_indices
from tests.test_audit_published import _block, _example, _findings, _pub

KEYS = ("chisq", "df", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue")


def _raw(software: str, n: int = 75) -> dict:
    raw = _example()
    raw["sample"]["n"] = {"value": n, "printed": str(n), "where": "text"}
    raw["sample"]["software"] = {"value": software, "where": "Method"}
    raw["results"]["fit"] = [_block("three_n75", "cfa", keys=KEYS, syntax=False)]
    for k in ("loadings", "r2", "parameters"):
        raw["results"].pop(k, None)
    return raw


def test_programs_map_to_their_divisor():
    assert [software_convention(s) for s in ("IBM SPSS AMOS 24", "LISREL 8.80", "EQS 6.1", "lavaan 0.6",
                                             "Mplus 8", "SmartPLS 3")] == ["N-1", "N-1", "N-1", "N", "N", None]


def test_lavaans_numbers_are_lavaans_convention():
    f = _findings(_raw("lavaan 0.6.14"), "software_convention")
    assert len(f) == 1 and f[0].status == "consistent" and f[0].recomputed == "N"


def test_lavaans_numbers_named_as_amos_output_say_which_convention_fits():
    f = _findings(_raw("AMOS 24"), "software_convention")[0]
    assert f.status == "inconsistent" and f.severity == "minor" and f.recomputed == "N"
    assert "N-1" in f.detail and "lavaan and Mplus" in f.detail


def test_without_a_named_program_there_is_no_finding():
    raw = _raw("lavaan")
    del raw["sample"]["software"]
    assert not _findings(raw, "software_convention")


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=30, max_value=600), st.integers(min_value=5, max_value=200),
       st.integers(min_value=40, max_value=3000), st.sampled_from(["AMOS 26", "lavaan"]))
def test_numbers_of_the_named_program_are_never_flagged(chisq, df, n, software):
    from replication.audit.software_checks import software_convention_findings
    from replication.record.core import Record
    nm1 = software_convention(software) == "N-1"
    raw = _raw(software, n)
    raw["results"]["fit"] = [{"model": "cfa", "measures": {
        "chisq": _pub(chisq, 3, "chisq"), "df": {"value": df, "printed": str(df), "where": "df"},
        "rmsea": _pub(fit_indices.rmsea(round(chisq, 3), df, n, n_minus_one=nm1), 3, "rmsea")}}]
    fs = software_convention_findings(Record.model_validate(raw))
    assert fs and fs[0].status == "consistent"
