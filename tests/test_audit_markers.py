"""Significance markers on parameters, loadings and chi-squares, the sign of an estimate against
its statistic, and fit statistics printed from Satorra-Bentler scaled chi-squares. Reference
values: lavaan MLM fits of Holzinger and Swineford (scripts/audit_fixtures.R,
tests/fixtures/audit/hs_models.json) and closed forms."""

from __future__ import annotations

import copy

from hypothesis import given, settings, strategies as st

from replication.audit.marker_checks import check_chisq_marker, check_sign
from replication.audit.scaled_checks import chisq_df_finding
from replication.engine import fit_indices
from replication.record.schema import Marker, Published
from tests.test_audit_published import MODELS, _block, _example, _findings, _pub

LEGEND = [{"marker": "*", "p_below": 0.05}, {"marker": "**", "p_below": 0.01}, {"marker": "***", "p_below": 0.001}]
LEG = [Marker(**m) for m in LEGEND]


def _p(v: float, dec: int = 3, marker: str | None = None) -> Published:
    text = f"{v:.{dec}f}"
    return Published(value=float(text), printed=text, where="t", marker=marker)


def _marked_example(markers: dict[str, str] | None) -> dict:
    raw = _example()
    raw["results"]["significance"] = LEGEND
    for p in raw["results"]["parameters"]:
        key = f"{p['lhs']} {p['op']} {p['rhs']}"
        if markers is None and "z" in p:  # every printed z of lavaan's tutorial is above 3.29
            p["est"]["marker"] = "***"
        elif markers and key in markers and "est" in p:
            p["est"]["marker"] = markers[key]
    return raw


def test_stars_on_lavaans_parameters_agree_with_their_z():
    raw = _marked_example(None)
    fs = _findings(raw, "marker")
    assert fs and all(f.status == "consistent" for f in fs), [f.detail for f in fs if f.status != "consistent"]


def test_a_missing_star_on_a_large_z_is_flagged():
    raw = _marked_example({"visual =~ x2": "***"})
    bad = [f for f in _findings(raw, "marker") if f.status == "inconsistent"]
    assert bad and all(f.severity == "minor" for f in bad)  # the other z > 3.3 print no marker


def test_star_on_a_loading_uses_its_parameter_row():
    raw = _marked_example({})
    raw["results"]["loadings"]["x2"]["marker"] = "*"  # z 5.554: p < .001, so '***'
    bad = [f for f in _findings(raw, "marker") if f.status == "inconsistent"]
    assert len(bad) >= 1 and any("x2" in f.detail for f in bad)


def test_chisq_star_against_its_p():
    chisq = _p(85.306, 3, "***")
    assert check_chisq_marker(chisq, 24, "***", LEG).status == "consistent"
    assert check_chisq_marker(_p(30.1, 1, "*"), 24, "*", LEG).status == "inconsistent"  # p = .18


def test_sign_of_estimate_against_its_statistic():
    assert check_sign(_p(0.25, 2), _p(3.1, 2), "a->b").status == "consistent"
    f = check_sign(_p(-0.25, 2), _p(3.1, 2), "a->b")
    assert f.status == "inconsistent" and f.severity == "major"
    assert check_sign(_p(0.00, 2), _p(3.1, 2), "a->b") is None


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-3, max_value=3).filter(lambda x: abs(x) > 0.01),
       st.floats(min_value=0.01, max_value=1), st.sampled_from([2, 3]))
def test_sign_of_a_correctly_rounded_estimate_and_z_never_flagged(est, se, dec):
    f = check_sign(_p(est, dec), _p(est / se, dec), "x")
    assert f is None or f.status == "consistent"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1, max_value=400), st.integers(min_value=1, max_value=300), st.sampled_from([1, 2, 3]))
def test_chisq_marker_of_its_true_p_never_flagged(chisq, df, dec):
    p = fit_indices.chisq_pvalue(chisq, df)
    marker = "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else None
    c = _p(chisq, dec)
    assert check_chisq_marker(c, df, marker, LEG).status == "consistent"


# ------------------------------------------------------------------ scaled statistics
def _scaled_block(name: str, model: str, with_plain: bool = True) -> dict:
    m = MODELS[name]
    b = _block(name, model, keys=("chisq", "df") if with_plain else ("df",))
    b["measures"].update({
        "chisq.scaled": _pub(m["chisq_scaled"], 3, f"{model} SB chi-square"),
        "cfi.scaled": _pub(m["cfi_scaled"], 3, f"{model} CFI"),
        "tli.scaled": _pub(m["tli_scaled"], 3, f"{model} TLI"),
        "baseline.chisq.scaled": _pub(m["baseline_chisq_scaled"], 3, f"{model} baseline"),
        "chisq_df": _pub(m["chisq_scaled"] / m["df"], 2, f"{model} chi2/df")})
    return b


def test_scaled_indices_of_lavaans_mlm_fits_share_one_scaled_baseline():
    raw = _example()
    raw["results"]["fit"] = [_scaled_block("three", "cfa"), _scaled_block("one", "one_factor"),
                             _scaled_block("second", "second_order")]
    fs = _findings(raw)
    for check in ("incremental_fit_scaled", "baseline_chisq", "baseline_scaled", "chisq_df"):
        got = [f for f in fs if f.check == check]
        assert got and all(f.status == "consistent" for f in got), (check, [f.detail for f in got])
    assert any("Satorra-Bentler" in f.detail for f in fs if f.check == "chisq_df")


def test_plain_indices_printed_beside_only_the_scaled_chisq_are_checked_against_it():
    raw = _example()
    b = _scaled_block("three", "cfa", with_plain=False)
    m = b["measures"]
    m["cfi"], m["tli"] = m.pop("cfi.scaled"), m.pop("tli.scaled")
    raw["results"]["fit"] = [b]
    got = _findings(raw, "incremental_fit_scaled")
    assert len(got) == 1 and got[0].status == "consistent"


def test_a_wrong_scaled_baseline_is_major():
    raw = _example()
    b = _scaled_block("three", "cfa")
    b["measures"]["baseline.chisq.scaled"] = _pub(MODELS["three"]["baseline_chisq_scaled"] * 1.2, 3, "baseline")
    raw["results"]["fit"] = [b]
    got = _findings(raw, "baseline_chisq")
    assert got[0].status == "inconsistent" and got[0].severity == "major"


def test_chisq_df_of_plain_chisq_keeps_the_plain_check():
    m = {"chisq": _p(85.306), "df": Published(value=24, printed="24", where="t"), "chisq_df": _p(85.306 / 24, 2),
         "chisq.scaled": _p(80.1)}
    f = chisq_df_finding(m)
    assert f.status == "consistent" and "Satorra" not in f.detail
    bad = copy.deepcopy(m)
    bad["chisq_df"] = _p(5.0, 2)
    assert chisq_df_finding(bad).severity == "major"
