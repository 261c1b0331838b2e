"""Audit of published numbers: every check passing and failing, on hand-made numbers and records,
and the inconsistencies of the two full papers found by the checks themselves."""

import json

import pandas as pd
import pytest

from replication.audit import checks as ac
from replication.audit.core import CLASSIFICATIONS, AuditReport, audit, format_text, to_frame, to_json
from replication.engine.errors import InputError
from replication.analyses.measurement import average_variance_extracted, composite_reliability
from replication.audit.model_df import cfa_df, sem_df
from replication.record.schema import Claim, Marker, Published, Record, load_record


def pub(value, printed=None, where="Table X", **kw):
    return Published(value=value, printed=printed if printed is not None else str(value), where=where, **kw)


LEGEND = [Marker(marker="***", p_below=0.001), Marker(marker="**", p_below=0.01), Marker(marker="*", p_below=0.05)]


# ------------------------------------------------------------------------------------------
# Plain checks
# ------------------------------------------------------------------------------------------
def test_ave_and_cr_consistent_within_rounding():
    lam = [pub(0.78, "0.78"), pub(0.75, "0.75"), pub(0.71, "0.71")]
    ave = average_variance_extracted([0.78, 0.75, 0.71])
    cr = composite_reliability([0.78, 0.75, 0.71])
    assert ac.check_ave(lam, pub(round(ave, 3), f"{ave:.3f}")).status == "consistent"
    assert ac.check_cr(lam, pub(round(cr, 3), f"{cr:.3f}")).status == "consistent"
    # 0.565 is off the point value 0.558 but reachable with loadings inside their rounding
    assert ac.check_ave(lam, pub(0.565, "0.565")).status == "consistent"


def test_ave_and_cr_inconsistent_beyond_rounding():
    lam = [pub(0.78, "0.78"), pub(0.75, "0.75"), pub(0.71, "0.71")]
    f = ac.check_ave(lam, pub(0.60, "0.600"), items=["a", "b", "c"], construct="T")
    assert f.status == "inconsistent" and f.severity == "minor"
    assert "0.5583" in f.recomputed and "a 0.78" in f.detail
    assert ac.check_cr(lam, pub(0.85, "0.850")).status == "inconsistent"
    assert ac.check_ave([], pub(0.5, "0.50")).status == "not_checkable"


def test_loading_bounds():
    ok = ac.check_loading_bounds({"a": pub(0.99, "0.99"), "b": pub(1.004, "1.00")})
    assert [f.status for f in ok] == ["consistent"]
    bad = ac.check_loading_bounds({"a": pub(0.9, "0.90"), "b": pub(1.02, "1.02")})
    assert [f.status for f in bad] == ["inconsistent"] and bad[0].severity == "major"
    assert ac.check_loading_bounds({}) == []


def test_chisq_df_and_pvalue():
    assert ac.check_chisq_df(pub(382.05, "382.05"), pub(231, "231"), pub(1.65, "1.65")).status == "consistent"
    f = ac.check_chisq_df(pub(382.05, "382.05"), pub(231, "231"), pub(1.75, "1.75"))
    assert f.status == "inconsistent" and f.severity == "major"
    p = pub(0.001, "p < 0.001", relation="<")
    assert ac.check_chisq_pvalue(pub(382.05, "382.05"), pub(231, "231"), p).status == "consistent"
    assert ac.check_chisq_pvalue(pub(240.0, "240.0"), pub(231, "231"), p).status == "inconsistent"


def test_rmsea_from_chisq_either_convention():
    # sqrt((382.05 - 231) / (231 * 525)) = 0.0353, printed 0.04 (two decimals)
    assert ac.check_rmsea(pub(382.05, "382.05"), pub(231, "231"), pub(525, "525"), pub(0.04, "0.04")).status \
        == "consistent"
    # printed 0.035 with three decimals: N gives 0.03529, N - 1 gives 0.03533
    assert ac.check_rmsea(pub(382.05, "382.05"), pub(231, "231"), pub(525, "525"),
                          pub(0.035, "0.035")).status == "consistent"
    f = ac.check_rmsea(pub(382.05, "382.05"), pub(231, "231"), pub(525, "525"), pub(0.06, "0.06"))
    assert f.status == "inconsistent" and "would need chi-square" in f.detail


def test_rmsea_n_minus_one_convention_counts():
    # chi-square 120 on 50 df, N = 51: N gives 0.1661, N-1 gives 0.1673
    f = ac.check_rmsea(pub(120.0, "120.0"), pub(50, "50"), pub(51, "51"), pub(0.1673, "0.1673"))
    assert f.status == "consistent"
    f = ac.check_rmsea(pub(120.0, "120.0"), pub(50, "50"), pub(51, "51"), pub(0.1690, "0.1690"))
    assert f.status == "inconsistent"


def test_rmsea_from_ratio():
    ok = ac.check_rmsea_ratio(pub(3.205, "3.205"), pub(465, "465"), pub(0.069, "0.069"), df=176)
    assert ok.status == "consistent"
    bad = ac.check_rmsea_ratio(pub(3.205, "3.205"), pub(465, "465"), pub(0.094, "0.094"), df=176)
    assert bad.status == "inconsistent" and bad.severity == "major"
    assert "chi-square/df in [5.07, 5.15]" in bad.detail


def test_agfi_from_gfi():
    # 1 - (231/176)(1 - GFI) with GFI in [0.805, 0.815] reaches [0.744, 0.757]
    assert ac.check_agfi(pub(0.81, "0.81"), pub(0.76, "0.76"), 176, 21).status == "consistent"
    assert ac.check_agfi(pub(0.81, "0.81"), pub(0.80, "0.80"), 176, 21).status == "inconsistent"


def test_df_against_described_model():
    count = cfa_df(24, 7)
    assert ac.check_df(pub(231, "231"), count, "cfa").status == "consistent"
    f = ac.check_df(pub(230, "230"), count, "cfa")
    assert f.status == "inconsistent" and "no whole number of items" in f.detail
    f = ac.check_df(pub(254, "254"), count, "cfa")  # 25 items would give 254
    assert f.status == "inconsistent" and "implies 25 items" in f.detail


def test_df_with_assumed_items_reports_implied_count():
    c = sem_df(24, 7, 2, 5, 8)
    assumed = type(c)(c.df, c.moments, c.free, c.parts, c.n_items, c.structural, ["CF", "PR"])
    f = ac.check_df(pub(243, "243"), assumed)
    assert f.status == "consistent" and "implies 24 items" in f.detail
    assert ac.check_df(pub(244, "244"), assumed).status == "inconsistent"


def test_statistic_from_estimate_and_se():
    assert ac.check_statistic(pub(0.47, "0.47"), pub(0.17, "0.17"), pub(2.78, "2.78")).status == "consistent"
    f = ac.check_statistic(pub(1.12, "1.12"), pub(0.61, "0.61"), pub(18.61, "18.61"))
    assert f.status == "inconsistent" and f.severity == "major"  # 1.84: not significant at 0.05
    assert "S.E. 0.060" in f.detail
    f = ac.check_statistic(pub(1.00, "1.00"), pub(0.07, "0.07"), pub(17.05, "17.05"))
    # 14.3 (15.46 at most within rounding): significant either way, but 17.05 is 10% away from
    # every value the printed estimate and S.E. allow: more than rounding and a few per cent
    assert f.status == "inconsistent" and f.severity == "major" and "10% away" in f.detail
    # 3% beyond rounding is minor: 1.00 / 0.07 is at most 15.462, printed 15.95
    f = ac.check_statistic(pub(1.00, "1.00"), pub(0.07, "0.07"), pub(15.95, "15.95"))
    assert f.status == "inconsistent" and f.severity == "minor"
    assert ac.check_statistic(pub(0.1, "0.1"), pub(0.0, "0.0"), pub(3.0, "3.0")).status == "not_checkable"


def test_p_value_from_statistic():
    assert ac.check_p_value(pub(2.78, "2.78"), pub(0.01, "p < 0.01", relation="<")).status == "consistent"
    f = ac.check_p_value(pub(1.50, "1.50"), pub(0.05, "p < 0.05", relation="<"))
    assert f.status == "inconsistent" and f.severity == "major"
    assert ac.check_p_value(pub(2.52, "2.52"), pub(0.012, "0.012")).status == "consistent"
    assert ac.check_p_value(pub(2.52, "2.52"), pub(0.020, "0.020")).status == "inconsistent"


def test_marker_against_legend():
    p = ac.p_range_from_statistic((2.775, 2.785))  # p ~ 0.0054
    assert ac.check_marker(p, "**", LEGEND, "T", "C.R. = 2.78").status == "consistent"
    f = ac.check_marker(p, "***", LEGEND, "T", "C.R. = 2.78")
    assert f.status == "inconsistent" and f.recomputed == "**"
    assert ac.check_marker(ac.p_range_from_statistic((1.0, 1.0)), None, LEGEND, "T", "z").status == "consistent"
    assert ac.check_marker(ac.p_range_from_statistic((2.5, 2.5)), None, LEGEND, "T", "z").status == "inconsistent"
    assert ac.check_marker(p, "+", LEGEND, "T", "z").status == "not_checkable"


def test_marker_near_a_level_is_not_flagged():
    # t printed 1.96: p in [0.0497, 0.0503] straddles 0.05, so both * and no marker fit
    p = ac.p_range_from_statistic((1.955, 1.965))
    assert ac.check_marker(p, "*", LEGEND, "T", "t").status == "consistent"
    assert ac.check_marker(p, None, LEGEND, "T", "t").status == "consistent"


def _ev(hid, supported, t, est=0.3, sign="+"):
    return ac.Evidence(hid, supported, ac.p_range_from_statistic((t - 0.005, t + 0.005)),
                       (est - 0.005, est + 0.005), sign, f"t = {t}", f"row {hid}")


def test_verdict_against_own_rule():
    assert ac.check_verdict(_ev("H1", True, 2.5), [0.05]).status == "consistent"
    assert ac.check_verdict(_ev("H1", False, 1.2), [0.05]).status == "consistent"
    f = ac.check_verdict(_ev("H1", True, 1.2), [0.05])
    assert f.status == "inconsistent" and f.severity == "major"
    assert ac.check_verdict(_ev("H1", False, 3.0), [0.05]).status == "inconsistent"
    # significant but of the wrong sign: not supported is right
    assert ac.check_verdict(_ev("H1", False, -3.0, est=-0.3), [0.05]).status == "consistent"
    assert ac.check_verdict(_ev("H1", True, -3.0, est=-0.3), [0.05]).status == "inconsistent"


def test_verdict_coherence():
    evs = [_ev("H1", True, 2.5), _ev("H2", False, 1.2), _ev("H3", True, 1.81)]
    assert ac.check_verdict_coherence(evs, [0.05, 0.1]).status == "consistent"
    evs = [_ev("H1", True, 2.5), _ev("H2", False, 1.78), _ev("H3", True, 1.81)]
    f = ac.check_verdict_coherence(evs, [0.01, 0.05, 0.1])
    assert f.status == "inconsistent" and "H3 is supported" in f.detail and "H2" in f.detail
    evs = [_ev("H1", True, 1.7), _ev("H2", False, 2.9)]
    f = ac.check_verdict_coherence(evs, [0.05])
    assert f.status == "inconsistent" and "H2 has the stronger evidence" in f.detail
    assert ac.check_verdict_coherence(evs[:1], [0.05]).status == "not_checkable"


def test_standardized_bound():
    assert ac.check_standardized_bound(pub(0.85, "0.85"), 1, "X->Y", outcome="Y").status == "consistent"
    f = ac.check_standardized_bound(pub(1.00, "1.00"), 1, "X->Y", outcome="Y")
    assert f.status == "consistent" and "boundary" in f.detail
    f = ac.check_standardized_bound(pub(1.12, "1.12"), 1, "X->Y", outcome="Y")
    assert f.status == "inconsistent" and f.severity == "major"
    assert ac.check_standardized_bound(pub(1.06, "1.06"), 3, "X->Y", r2_min=0.9, outcome="Y").status == "consistent"
    assert ac.check_standardized_bound(pub(1.06, "1.06"), 3, "X->Y", r2_min=1.2, outcome="Y").status == "inconsistent"
    assert ac.check_standardized_bound(pub(1.06, "1.06"), 3, "X->Y", outcome="Y").status == "not_checkable"


def test_implied_r2_finding():
    paths = {("A", "Y"): pub(0.5, "0.50"), ("B", "Y"): pub(0.4, "0.40")}
    f = ac.check_implied_r2("Y", paths, 0.1, 0.55, ["A~~B = 0.3 (assumed)"])
    assert f.status == "consistent"
    f = ac.check_implied_r2("Y", paths, 0.1, 1.2, ["A~~B = 0.9 (assumed)"])
    assert f.status == "consistent" and "above 1" in f.detail
    f = ac.check_implied_r2("Y", paths, 1.1, 1.3, ["A~~B = 0.3 (assumed)"])
    assert f.status == "inconsistent" and "every admissible" in f.detail


def test_sample_description_checks():
    n = pub(525, "525")
    assert ac.check_group_sum([pub(249, "249"), pub(276, "276")], n, "Gender").status == "consistent"
    assert ac.check_group_sum([pub(249, "249"), pub(266, "266")], n, "Gender").status == "inconsistent"
    assert ac.check_group_percent(pub(249, "249"), n, pub(47.4, "47.4")).status == "consistent"
    assert ac.check_group_percent(pub(249, "249"), n, pub(47.7, "47.7")).status == "inconsistent"
    assert ac.check_percent_sum([pub(47.4, "47.4"), pub(52.6, "52.6")], "Gender").status == "consistent"
    assert ac.check_percent_sum([pub(33.3, "33.3")] * 3, "Thirds").status == "consistent"
    assert ac.check_percent_sum([pub(47.4, "47.4"), pub(51.6, "51.6")], "Gender").status == "inconsistent"
    assert ac.check_response_rate(pub(465, "465"), pub(500, "500"), pub(93, "93%", unit="percent")).status \
        == "consistent"
    assert ac.check_response_rate(pub(465, "465"), pub(500, "500"), pub(95, "95%", unit="percent")).status \
        == "inconsistent"


def test_claims():
    c = Claim(text="all CR above 0.7", where="text", quantity="cr", comparison=">", threshold=0.7)
    vals = [("A", pub(0.79, "0.79")), ("B", pub(0.81, "0.81"))]
    assert ac.check_claim(c, vals).status == "consistent"
    f = ac.check_claim(c, vals + [("C", pub(0.69, "0.69"))])
    assert f.status == "inconsistent" and "C = 0.69" in f.detail
    # 0.70 printed may be 0.7049: not a contradiction of "> 0.7"
    assert ac.check_claim(c, vals + [("C", pub(0.70, "0.70"))]).status == "consistent"
    most = Claim(text="mostly above 0.6", where="text", quantity="loading", quantifier="most",
                 comparison=">", threshold=0.6)
    assert ac.check_claim(most, [("a", pub(0.7)), ("b", pub(0.5)), ("c", pub(0.8))]).status == "consistent"
    assert ac.check_claim(most, [("a", pub(0.7)), ("b", pub(0.5)), ("c", pub(0.4))]).status == "inconsistent"
    assert ac.check_claim(most, []).status == "not_checkable"


def test_harman_and_mean_sd():
    assert ac.check_harman(pub(28.7, "28.7 %", unit="percent")).status == "consistent"
    assert ac.check_harman(pub(49.96, "49.96 %", unit="percent")).status == "consistent"
    assert ac.check_harman(pub(52.0, "52.0 %", unit="percent")).status == "inconsistent"
    assert ac.check_mean_sd(pub(5.44, "5.44"), pub(0.90, "0.90"), 1, 7, 525).status == "consistent"
    assert ac.check_mean_sd(pub(6.80, "6.80"), pub(1.50, "1.50"), 1, 7, 525).status == "inconsistent"
    assert ac.check_mean_sd(pub(7.40, "7.40"), pub(0.10, "0.10"), 1, 7, 525).status == "inconsistent"


# ------------------------------------------------------------------------------------------
# Hand-made records
# ------------------------------------------------------------------------------------------
def _raw(**over):
    raw = {
        "id": "toy", "title": "Toy", "short_title": "Toy", "evidence": "tables",
        "citation": {"authors": ["A"], "title": "Toy", "venue": "V", "source_file": "toy.txt"},
        "sample": {"n": {"value": 400, "printed": "400", "where": "Section 3"},
                   "scale_points": {"value": 5, "printed": "5", "where": "Section 3"}},
        "constructs": {"X": {"name": "X", "items": ["x1", "x2", "x3"]},
                       "W": {"name": "W", "items": ["w1", "w2", "w3"]},
                       "Y": {"name": "Y", "items": ["y1", "y2", "y3"]},
                       "Z": {"name": "Z", "items": ["z1", "z2", "z3"]}},
        "model": {"kind": "sem", "paths": [{"from": "X", "to": "Y"}, {"from": "W", "to": "Y"},
                                           {"from": "Y", "to": "Z"}]},
    }
    raw.update(over)
    return raw


def _p(v, printed, where, **kw):
    return {"value": v, "printed": printed, "where": where, **kw}


def _path(x, y, h, est, t, verdict, marker=None, se=None):
    out = {"from": x, "to": y, "hypothesis": h, "estimate_label": "Standardized coefficient",
           "statistic_label": "t",
           "estimate": _p(est, f"{est:.2f}", f"Table 3, row {h}, column beta"),
           "statistic": _p(t, f"{t:.2f}", f"Table 3, row {h}, column t", **({"marker": marker} if marker else {})),
           "verdict": {"value": verdict, "where": f"Table 3, row {h}, column result"}}
    if se is not None:
        out["se"] = _p(se, f"{se:.2f}", f"Table 3, row {h}, column SE")
    return out


def _hyp(h, x, y, verdict):
    return {"id": h, "from": x, "to": y, "verdict": {"value": verdict, "where": f"Table 3, row {h}"}}


def _good_results():
    lam = {i: _p(0.8, "0.80", f"Table 1, row {i}") for c in "xwyz" for i in (f"{c}1", f"{c}2", f"{c}3")}
    ave = average_variance_extracted([0.8] * 3)
    cr = composite_reliability([0.8] * 3)
    cons = {c: {"ave": _p(round(ave, 3), f"{ave:.3f}", f"Table 1, {c}, AVE"),
                "cr": _p(round(cr, 3), f"{cr:.3f}", f"Table 1, {c}, CR")} for c in "XWYZ"}
    # df of the toy SEM: 78 - (8 + 12 + 3 + 3 + 2) = 50; chi-square 100 -> RMSEA sqrt(50/(50*400)) = 0.05
    fit = [{"model": "sem", "measures": {
        "chisq": _p(100.0, "100.00", "Table 2, chi-square"), "df": _p(50, "50", "Table 2, df"),
        "chisq_df": _p(2.0, "2.00", "Table 2, chi-square/df"), "rmsea": _p(0.05, "0.050", "Table 2, RMSEA"),
        "gfi": _p(0.95, "0.95", "Table 2, GFI"), "agfi": _p(0.92, "0.92", "Table 2, AGFI")}}]
    paths = [_path("X", "Y", "H1", 0.40, 5.0, "supported", "***"),
             _path("W", "Y", "H2", 0.10, 1.50, "not supported"),
             _path("Y", "Z", "H3", 0.50, 6.0, "supported", "***")]
    return {"loadings": lam, "constructs": cons, "fit": fit, "paths": paths,
            "significance": [{"marker": "***", "p_below": 0.001}, {"marker": "**", "p_below": 0.01},
                             {"marker": "*", "p_below": 0.05}],
            "claims": [{"text": "All AVE above 0.5", "where": "Section 4", "quantity": "ave",
                        "comparison": ">", "threshold": 0.5}],
            "harman": {"first_factor_percent": _p(30.0, "30.0 %", "Section 4", unit="percent")}}


def _good_record(**results_over):
    res = _good_results()
    res.update(results_over)
    hyps = [_hyp("H1", "X", "Y", "supported"), _hyp("H2", "W", "Y", "not supported"),
            _hyp("H3", "Y", "Z", "supported")]
    sample = {"n": _p(400, "400", "Section 3"), "invited": _p(500, "500", "Section 3"),
              "response_rate": _p(80, "80%", "Section 3", unit="percent"),
              "scale_points": _p(5, "5", "Section 3"),
              "groups": [{"measure": "Gender", "category": "m", "count": _p(180, "180", "Table 0, row m, column n"),
                          "percent": _p(45.0, "45.0", "Table 0, row m, column %", unit="percent")},
                         {"measure": "Gender", "category": "f", "count": _p(220, "220", "Table 0, row f, column n"),
                          "percent": _p(55.0, "55.0", "Table 0, row f, column %", unit="percent")}]}
    return Record.model_validate(_raw(results=res, hypotheses=hyps, sample=sample,
                                      assumptions=[{"target": "correlations.X~~W", "value": 0.2, "reason": "r"}]))


def test_consistent_record_has_no_finding_inconsistent():
    report = audit(_good_record())
    bad = [f for f in report.findings if f.status == "inconsistent"]
    assert bad == []
    checks = {f.check for f in report.findings if f.status == "consistent"}
    assert {"ave", "cr", "loading_bound", "chisq_df", "rmsea", "df", "agfi", "marker", "verdict",
            "verdict_coherence", "standardized_bound", "implied_r2", "sample_sum", "sample_percent",
            "percent_sum", "response_rate", "claim", "harman"} <= checks
    s = report.summary()
    assert s["classification"] == "consistent" and s["inconsistent"] == 0


def test_inconsistent_record_is_flagged_by_every_check():
    res = _good_results()
    res["constructs"]["X"]["ave"] = _p(0.700, "0.700", "Table 1, X, AVE")
    res["fit"][0]["measures"]["rmsea"] = _p(0.08, "0.080", "Table 2, RMSEA")
    res["fit"][0]["measures"]["df"] = _p(52, "52", "Table 2, df")
    res["paths"][1] = _path("W", "Y", "H2", 0.10, 1.90, "not supported", "**")
    res["paths"][2] = _path("Y", "Z", "H3", 1.05, 6.0, "supported", "***")
    res["paths"][0] = _path("X", "Y", "H1", 0.40, 1.70, "supported")
    res["claims"][0]["threshold"] = 0.7
    rec = Record.model_validate(_raw(results=res, hypotheses=[_hyp("H1", "X", "Y", "supported"),
                                                              _hyp("H2", "W", "Y", "not supported"),
                                                              _hyp("H3", "Y", "Z", "supported")]))
    report = audit(rec)
    bad = {(f.check, f.where) for f in report.findings if f.status == "inconsistent"}
    checks = {c for c, _ in bad}
    assert {"ave", "rmsea", "df", "marker", "standardized_bound", "verdict", "verdict_coherence",
            "claim"} <= checks
    assert ("standardized_bound", "Table 3, row H3, column beta") in bad
    assert report.summary()["classification"] == "major inconsistencies"


def test_implied_r2_in_a_record_names_the_assumed_correlation():
    res = _good_results()
    res["paths"][0] = _path("X", "Y", "H1", 0.90, 9.0, "supported", "***")
    res["paths"][1] = _path("W", "Y", "H2", 0.60, 7.0, "supported", "***")
    rec = Record.model_validate(_raw(results=res, assumptions=[
        {"target": "correlations.X~~W", "value": 0.5, "reason": "r"}]))
    f = [f for f in audit(rec).findings if f.check == "implied_r2"][0]
    # .81 + .36 + 2 .9 .6 .5 = 1.71 with the assumed .5; admissible with r <= -0.157
    assert f.status == "consistent"
    assert "X~~W = 0.5 (assumed)" in f.recomputed and "1.710" in f.recomputed


def test_implied_r2_inadmissible_for_every_correlation():
    raw = _raw(model={"kind": "sem", "paths": [{"from": "X", "to": "Y"}, {"from": "X", "to": "W"},
                                               {"from": "Y", "to": "Z"}, {"from": "W", "to": "Z"}]})
    paths = [_path("X", "Y", "H1", 0.90, 9.0, "supported", "***"), _path("X", "W", "H2", 0.90, 9.0, "supported", "***"),
             _path("Y", "Z", "H3", 0.70, 5.0, "supported", "***"), _path("W", "Z", "H4", 0.70, 5.0, "supported", "***")]
    raw["results"] = {"paths": paths}
    f = [f for f in audit(Record.model_validate(raw)).findings if f.check == "implied_r2"][0]
    assert f.status == "inconsistent" and f.severity == "major"


def test_minor_only_record_is_classified_minor():
    res = _good_results()
    res["constructs"]["X"]["ave"] = _p(0.700, "0.700", "Table 1, X, AVE")
    rec = Record.model_validate(_raw(results=res, hypotheses=[_hyp("H1", "X", "Y", "supported"),
                                                              _hyp("H2", "W", "Y", "not supported"),
                                                              _hyp("H3", "Y", "Z", "supported")]))
    s = audit(rec).summary()
    assert s["classification"] == "minor inconsistencies" and s["minor"] == 1 and s["major"] == 0


def test_abstract_only_record_is_not_checkable():
    rec = Record.model_validate(_raw(hypotheses=[_hyp("H1", "X", "Y", "supported")]))
    report = audit(rec)
    assert {f.status for f in report.findings} == {"not_checkable"}
    assert all(f.detail for f in report.findings)
    assert report.summary()["classification"] == "not checkable"


def test_ratio_only_fit_uses_described_df():
    res = _good_results()
    res["fit"] = [{"model": "sem", "measures": {"chisq_df": _p(2.0, "2.00", "Table 2"),
                                                "rmsea": _p(0.05, "0.050", "Table 2, RMSEA")}}]
    report = audit(Record.model_validate(_raw(results=res)))
    by = {f.check: f for f in report.findings}
    assert by["rmsea"].status == "consistent" and "df 50" in by["rmsea"].detail
    assert by["df"].status == "not_checkable" and "df = 78 - 28 = 50" in by["df"].detail


def test_output_shapes():
    report = audit(_good_record())
    js = to_json(report)
    assert js["paper"] == "toy"
    assert all(list(f) == ["check", "where", "reported", "recomputed", "status", "detail", "severity"]
               for f in js["findings"])
    assert all(f["severity"] in ("major", "minor", "info") for f in js["findings"])
    assert json.loads(json.dumps(js)) == js
    df = to_frame(report)
    assert isinstance(df, pd.DataFrame) and len(df) == len(report.findings)
    assert list(df.columns)[:6] == ["check", "where", "reported", "recomputed", "status", "detail"]
    text = format_text(report)
    assert text.startswith("Audit of toy: consistent")
    assert report.summary()["classification"] in CLASSIFICATIONS
    assert isinstance(report, AuditReport)


def test_audit_rejects_wrong_input():
    with pytest.raises(InputError):
        audit(42)


# ------------------------------------------------------------------------------------------
# The two full papers: the checks find the published inconsistencies themselves
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live_commerce():
    return audit(load_record("live_commerce"))


@pytest.fixture(scope="module")
def e_engagement():
    return audit(load_record("e_engagement"))


def _find(report, check, where_part=""):
    return [f for f in report.findings if f.check == check and where_part in f.where]


def test_live_commerce_rmsea_against_ratio(live_commerce):
    (f,) = _find(live_commerce, "rmsea")
    assert f.status == "inconsistent" and f.reported == "0.094"
    assert "0.0689" in f.recomputed  # sqrt((3.205 - 1) / 465)


def test_live_commerce_inadmissible_rd(live_commerce):
    (r2,) = [f for f in _find(live_commerce, "implied_r2") if "HI->RD 1.06" in f.reported]
    assert r2.status == "inconsistent"
    assert "T~~SN = 0.3 (assumed)" in r2.recomputed
    # the verdict rests on the described model's uncorrelated disturbances of PI, HI and MI, and
    # says so; freeing them (a model the paper does not describe) would make it admissible, so minor
    assert "uncorrelated as in the described model" in r2.detail
    assert "if those disturbances may correlate" in r2.recomputed and r2.severity == "minor"
    (b,) = _find(live_commerce, "standardized_bound", "H4b")
    assert b.status == "inconsistent" and b.reported == "1.06"
    others = [f for f in _find(live_commerce, "implied_r2") if "RD" not in f.reported]
    assert others and all(f.status == "consistent" for f in others)


def test_live_commerce_verdicts_h2a_h2c(live_commerce):
    (f,) = _find(live_commerce, "verdict_coherence")
    assert f.status == "inconsistent"
    assert "H2c is supported" in f.detail and "H2a is not" in f.detail


def test_live_commerce_markers_and_claims(live_commerce):
    bad_markers = {f.where.split(",")[1].strip() for f in _find(live_commerce, "marker") if f.status == "inconsistent"}
    assert "row H2b" in bad_markers and "row H2a" in bad_markers
    agfi_claim = [f for f in _find(live_commerce, "claim") if f.status == "inconsistent"]
    assert len(agfi_claim) == 1 and "AGFI = 0.76" in agfi_claim[0].detail
    assert all(f.status == "consistent" for f in _find(live_commerce, "ave") + _find(live_commerce, "cr"))
    assert live_commerce.summary()["classification"] == "major inconsistencies"


def test_e_engagement_critical_ratios(e_engagement):
    bad = [f for f in _find(e_engagement, "statistic") if f.status == "inconsistent"]
    assert {f.reported for f in bad} == {"18.61", "17.05"}
    (wom,) = [f for f in bad if f.reported == "18.61"]
    assert wom.severity == "major" and "1.836" in wom.recomputed


def test_e_engagement_standardized_above_one(e_engagement):
    (f,) = [f for f in _find(e_engagement, "standardized_bound") if f.status == "inconsistent"]
    assert f.reported == "1.12" and "WOM" in f.where
    assert "unstandardized" in f.detail  # the record's reading is named


def test_e_engagement_fit_and_sample_consistent(e_engagement):
    for check in ("chisq_df", "rmsea", "df", "chisq_pvalue", "sample_sum", "sample_percent", "percent_sum",
                  "response_rate", "harman", "verdict", "verdict_coherence"):
        fs = _find(e_engagement, check)
        assert fs and all(f.status == "consistent" for f in fs), check
    (df_cfa,) = [f for f in _find(e_engagement, "df") if f.reported == "231"]
    assert "implies 24 items" in df_cfa.detail


def test_incremental_fit_indices_share_a_baseline():
    ms = {"nfi": pub(0.96, "0.96"), "cfi": pub(0.98, "0.98"), "tli": pub(0.98, "0.98")}
    f = ac.check_incremental_fit((382.045, 382.055), 231, 24, ms, "CFA")
    assert f.status == "consistent"
    # hand computation: NFI gives [8490, 10916], CFI [6318, 10346], TLI [7495, 12307]
    lo, hi = ac.baseline_range((382.045, 382.055), 231, 24, ms)
    assert lo == pytest.approx(382.05 / 0.045, rel=1e-3) and hi == pytest.approx(276 + 151.05 / 0.015, rel=1e-3)
    bad = dict(ms, cfi=pub(0.90, "0.90"))
    f = ac.check_incremental_fit((382.045, 382.055), 231, 24, bad, "CFA")
    assert f.status == "inconsistent" and f.severity == "major" and "CFI needs" in f.detail
    f = ac.check_incremental_fit((382.045, 382.055), 231, 24, bad, "CFA", df_printed=False)
    assert f.status == "not_checkable"
    assert ac.check_incremental_fit((382.0, 382.1), 231, 24, {"nfi": pub(0.96, "0.96")}) is None


def test_common_baseline_of_two_blocks():
    assert ac.check_common_baseline({"CFA": (8490, 10346), "SEM": (7756, 8751)}, "T", 24).status == "consistent"
    f = ac.check_common_baseline({"CFA": (8490, 10346), "SEM": (5000, 6000)}, "T", 24)
    assert f.status == "inconsistent" and "do not overlap" in f.detail
    assert ac.check_common_baseline({"CFA": (1, 2)}, "T", 24) is None


def test_agfi_with_unprinted_df_is_not_a_finding():
    f = ac.check_agfi(pub(0.81, "0.81"), pub(0.80, "0.80"), 176, 21, df_printed=False)
    assert f.status == "not_checkable"


def test_e_engagement_cfa_and_sem_share_a_baseline(e_engagement):
    (f,) = _find(e_engagement, "baseline")
    assert f.status == "consistent"
    assert all(g.status == "consistent" for g in _find(e_engagement, "incremental_fit"))


def test_audit_is_deterministic_and_accepts_an_id(live_commerce):
    assert to_json(audit("live_commerce")) == to_json(live_commerce)


# ------------------------------------------------------------------------------------------------
# Worked examples (lavaan tutorial output) and records with one printed number broken
# ------------------------------------------------------------------------------------------------
def _example(eid: str) -> dict:
    import yaml
    from tests.conftest import ROOT
    return yaml.safe_load((ROOT / "data" / "examples" / eid / "paper.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("eid", ["holzinger_swineford", "political_democracy"])
def test_worked_examples_have_nothing_inconsistent(eid):
    from replication.audit import audit
    rep = audit(eid)
    assert not [f for f in rep.findings if f.status == "inconsistent"]
    checks = {f.check for f in rep.findings if f.status == "consistent"}
    assert {"df", "rmsea", "incremental_fit", "statistic", "p_value", "smc", "std_bound"} <= checks
    df = next(f for f in rep.findings if f.check == "df")
    assert df.recomputed.startswith("24" if eid == "holzinger_swineford" else "35")


def _break(raw: dict, what: str) -> dict:
    fit = raw["results"]["fit"][0]["measures"]
    if what == "rmsea":  # 0.092 printed by lavaan; 0.150 cannot follow from chi-square, df and N
        fit["rmsea"] = {"value": 0.150, "printed": "0.150", "where": "broken RMSEA"}
    elif what == "df":
        fit["df"] = {"value": 27, "printed": "27", "where": "broken df"}
    else:  # a z 27% away from est/SE: visual =~ x2 est 0.554, SE 0.100, z 5.554 printed
        p = next(p for p in raw["results"]["parameters"] if p["lhs"] == "visual" and p["rhs"] == "x2")
        z = round(p["z"]["value"] * 1.27, 3)
        p["z"] = {"value": z, "printed": f"{z:.3f}", "where": "broken z"}
        p.pop("pvalue")
    return raw


@pytest.mark.parametrize("what, check", [("rmsea", "rmsea"), ("df", "df"), ("z", "statistic")])
def test_one_broken_printed_number_is_a_major_finding(what, check):
    from replication.audit import audit
    from replication.record.core import Record
    rec = Record.model_validate(_break(_example("holzinger_swineford"), what))
    bad = [f for f in audit(rec).findings if f.status == "inconsistent"]
    mine = [f for f in bad if f.check == check]
    assert len(mine) == 1 and mine[0].severity == "major" and mine[0].where.startswith("broken")
    if what != "df":  # a wrong df also breaks the statistics computed from it (RMSEA, CFI, TLI)
        assert len(bad) == 1


def test_n_based_checks_use_the_analysed_n():
    from replication.audit import audit
    from replication.record.core import Record
    raw = _example("holzinger_swineford")
    raw["sample"]["n"] = {"value": 400, "printed": "400", "where": "reported sample"}
    assert any(f.check == "rmsea" and f.status == "inconsistent" for f in audit(Record.model_validate(raw)).findings)
    raw["sample"]["n_analysed"] = {"value": 301, "printed": "301", "where": "complete rows"}
    assert all(f.status != "inconsistent" for f in audit(Record.model_validate(raw)).findings)


def test_cr_bounds_from_ave_and_item_count():
    from replication.audit.bound_checks import check_cr_ave_bound, cr_bounds
    # equal loadings reach the upper bound: CR of three loadings 0.8 (AVE 0.64)
    lo, hi = cr_bounds(0.64, 3)
    assert lo == 0.64 and hi == pytest.approx(composite_reliability([0.8] * 3), abs=1e-15)
    # unequal loadings stay inside
    lam = [0.9, 0.7, 0.5]
    lo, hi = cr_bounds(average_variance_extracted(lam), 3)
    assert lo < composite_reliability(lam) < hi
    assert check_cr_ave_bound(pub(0.84, "0.84"), pub(0.64, "0.64"), 3).status == "consistent"
    f = check_cr_ave_bound(pub(0.95, "0.95"), pub(0.64, "0.64"), 3, "C")
    assert f.status == "inconsistent" and f.severity == "minor"


def test_smc_against_squared_loading_and_standardized_bounds():
    from replication.audit.bound_checks import check_smc, check_std_all
    assert check_smc(pub(0.772, "0.772"), pub(0.596, "0.596")).status == "consistent"  # 0.772^2 = 0.5960
    assert check_smc(pub(0.772, "0.772"), pub(0.650, "0.650")).status == "inconsistent"
    assert check_std_all(pub(0.99, "0.99"), "F =~ x").status == "consistent"
    f = check_std_all(pub(1.04, "1.04"), "F =~ x")
    assert f.status == "inconsistent" and f.severity == "major"
    assert check_std_all(pub(-0.02, "-0.02"), "x ~~ x", variance=True).status == "inconsistent"


def _two_model_record(break_cfi: bool = False):
    """HS three-factor CFA with the competing one-factor model as a second fit block, printed to
    three decimals from tests/fixtures/record/hs_models.json (scripts/record_fixtures.R)."""
    import json

    from replication.record.core import Record
    from tests.conftest import ROOT

    ref = json.loads((ROOT / "tests" / "fixtures" / "record" / "hs_models.json").read_text())
    one = next(m for m in ref["models"] if m["model"] == "one")
    fm = one["fit_measures"]
    measures = {k: {"value": round(fm[k], 3 if k != "df" else 0),
                    "printed": f"{fm[k]:.{3 if k != 'df' else 0}f}", "where": f"one-factor model, {k}"}
                for k in ("chisq", "df", "cfi", "tli", "rmsea")}
    if break_cfi:  # a CFI of 0.800 needs another baseline chi-square than the three-factor CFI
        measures["cfi"] = {"value": 0.8, "printed": "0.800", "where": "one-factor model, cfi"}
    raw = _example("holzinger_swineford")
    raw["results"]["fit"].append({"model": "one_factor", "syntax": one["syntax"], "measures": measures})
    return Record.model_validate(raw)


def test_several_fitted_models_each_checked_and_one_baseline_across_them():
    from replication.audit import audit
    rec = _two_model_record()
    fs = audit(rec).findings
    assert not [f for f in fs if f.status == "inconsistent"]
    dfs = [f for f in fs if f.check == "df"]
    assert sorted(f.recomputed.split()[0] for f in dfs) == ["24", "27"]
    assert any(f.check == "baseline" and f.status == "consistent" for f in fs)
    bad = [f for f in audit(_two_model_record(break_cfi=True)).findings if f.status == "inconsistent"]
    assert bad and all(f.severity == "major" for f in bad)
