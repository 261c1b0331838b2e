"""Replication tests: anchors from Patil, Peng & Leek (2016) and Simonsohn (2015), TOST, and
every block of a record recomputable from its own estimates and SEs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from replication.compare import replication_tests as rt
from replication.engine.errors import InputError


def test_prediction_interval_correlation_anchor():
    # Patil, Peng & Leek (2016): r = .30, n1 = 100, n2 = 200 -> [0.066, 0.502]
    lo, hi = rt.prediction_interval_r(0.30, 100, 200)
    assert round(lo, 3) == 0.066 and round(hi, 3) == 0.502


def test_effect_33_gives_33_percent_power():
    se = 0.12
    d = rt.effect_33(se)
    z = stats.norm.isf(0.025)
    assert stats.norm.sf(z - d / se) + stats.norm.cdf(-z - d / se) == pytest.approx(1 / 3, abs=1e-12)
    # one-tail approximation z_.975 + z_(1/3) = 1.5292; the other tail lowers it slightly
    assert d / se == pytest.approx(stats.norm.isf(0.025) + stats.norm.ppf(1 / 3), abs=1e-3)


def test_small_telescopes_two_and_a_half_times_n_has_about_80_percent_power():
    # Simonsohn (2015): with 2.5 times the original N and a true effect of zero, the test of
    # "smaller than d33" rejects about 80% of the time; here by simulation of the replication
    se_o = 0.1
    se_r = se_o / math.sqrt(2.5)
    rng = np.random.default_rng(1)
    est_r = rng.normal(0.0, se_r, 20000)
    rejected = np.mean([rt.small_telescopes(0.3, se_o, e, se_r)["p"] < 0.05 for e in est_r[:4000]])
    analytic = stats.norm.cdf(rt.effect_33(se_o) / se_r - stats.norm.isf(0.05))
    assert 0.75 < analytic < 0.82
    assert abs(rejected - analytic) < 3 * math.sqrt(analytic * (1 - analytic) / 4000)


@pytest.mark.parametrize("est_r, se_r, verdict", [
    (0.30, 0.05, "replicated"),        # z vs 0: 6.0; vs d33: +1.4
    (0.0, 0.05, "failed"),             # vs d33: -4.6
    (0.10, 0.10, "inconclusive"),      # vs 0: 1.0; vs d33: -1.3
    (0.12, 0.04, "smaller than d33"),  # vs 0: 3.0; vs d33: -2.7
])
def test_small_telescopes_verdicts(est_r, se_r, verdict):
    # original 0.40 with se 0.15: d33 = 0.229
    assert rt.small_telescopes(0.40, 0.15, est_r, se_r)["verdict"] == verdict


def test_small_telescopes_follows_a_negative_original():
    pos = rt.small_telescopes(0.4, 0.15, 0.1, 0.05)
    neg = rt.small_telescopes(-0.4, 0.15, -0.1, 0.05)
    assert neg["effect_33"] == pytest.approx(-pos["effect_33"])
    assert neg["z"] == pytest.approx(pos["z"]) and neg["verdict"] == pos["verdict"]


def test_tost():
    out = rt.tost(0.02, 0.03, 0.1)
    assert out["p_lower"] == pytest.approx(stats.norm.sf(0.12 / 0.03))
    assert out["p_upper"] == pytest.approx(stats.norm.cdf(-0.08 / 0.03))
    assert out["equivalent"] is True
    assert rt.tost(0.09, 0.03, 0.1)["equivalent"] is False


@pytest.mark.parametrize("call", [lambda: rt.difference_test(0.3, 0.0, 0.2, 0.1),
                                  lambda: rt.tost(0.1, 0.1, -1.0),
                                  lambda: rt.prediction_interval_r(1.2, 100, 200)])
def test_bad_input(call):
    with pytest.raises(InputError):
        call()


def _check_block(b, alpha=0.05):
    eo, so = b["original"]["estimate"], b["original"]["se"]
    er, sr = b["replication"]["estimate"], b["replication"]["se"]
    z = (er - eo) / math.sqrt(so ** 2 + sr ** 2)
    assert b["difference"]["z"] == pytest.approx(z, rel=1e-12)
    assert b["difference"]["p"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    h = 1.959963984540054 * math.sqrt(so ** 2 + sr ** 2)
    assert b["prediction_interval"] == pytest.approx([eo - h, eo + h], rel=1e-12)
    st = b["small_telescopes"]
    s = 1 if eo >= 0 else -1
    assert st["effect_33"] == pytest.approx(s * 1.5285687127 * so, rel=1e-8)  # root checked above
    assert st["z"] == pytest.approx(s * (er - st["effect_33"]) / sr, rel=1e-9)
    assert st["p"] == pytest.approx(stats.norm.cdf(st["z"]), rel=1e-9)


@pytest.mark.parametrize("pid", ["live_commerce", "e_engagement", "value_cocreation",
                                 "service_recovery"])
def test_every_path_hypothesis_gets_a_recomputable_block(pid):
    from replication.data.reconstruct import reconstruct
    from replication.engine import sem, syntax
    from replication.record.schema import load_record

    rec = load_record(pid)
    data = reconstruct(rec, source="simulated", seed=5, n=400).data
    if rec.model.kind == "sem":
        params = sem.fit(syntax.sem_syntax(rec), data).params
    else:
        from replication.pipeline import steps
        from replication.pipeline.inputs import Inputs

        mod = steps.run_moderation(Inputs(rec, data, {"source": "csv"}))
        params = steps.regression_paths(mod.regression)
    out = rt.replication_tests(rec, params, sesoi=0.1)
    paths = [h.id for h in rec.hypotheses if h.kind == "path"]
    assert sorted(out) == sorted(paths)
    values = rec.values()
    for hid, b in out.items():
        assert "not_available" not in b, (hid, b)
        _check_block(b)
        assert set(b["equivalence"]) >= {"sesoi", "p", "equivalent"}
        key = str(rec.hypothesis_path(next(h for h in rec.hypotheses if h.id == hid)).value)
        printed_se = values.get(f"paths.{key}.se")
        if b["original"]["source"] == "printed":
            assert b["original"]["se"] == printed_se.value
        elif b["original"]["source"] == "estimate/t":
            st = values[f"paths.{key}.statistic"].value
            assert b["original"]["se"] == pytest.approx(abs(b["original"]["estimate"] / st))
