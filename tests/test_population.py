"""Population model from a record: known covariances, derived loadings, admissibility."""

import math

import numpy as np
import pandas as pd
import pytest

from replication.engine.errors import InputError
from replication.data.population import (composite_reliability, item_sd_from_composite,
                                    nearest_correlation, population, spearman_brown_loading)
from tests.toy_records import make_record, pub

ITEMS = {"X": ["X1", "X2", "X3"], "M": ["M1", "M2", "M3"], "Y": ["Y1", "Y2", "Y3"]}


def test_standardized_population_by_hand():
    rec = make_record([("X", "Y"), ("M", "Y")], ITEMS,
                      assumptions=[("constructs.X.loading", 0.8), ("constructs.M.loading", 0.7),
                                   ("constructs.Y.loading", 0.6), ("paths.X->Y.std", 0.3),
                                   ("paths.M->Y.std", 0.2), ("correlations.X~~M", 0.5)])
    pop = population(rec)
    S = pop.cov
    # default item SD (K - 1) / 4 = 1 on 5 points, mean = midpoint 3
    assert np.allclose(np.diag(S), 1.0)
    assert np.allclose(pop.means, 3.0)
    assert S.loc["X1", "X2"] == pytest.approx(0.64)
    assert S.loc["X1", "M1"] == pytest.approx(0.8 * 0.7 * 0.5)
    cov_xy = 0.3 + 0.2 * 0.5
    assert S.loc["X1", "Y1"] == pytest.approx(0.8 * 0.6 * cov_xy)
    r2 = 0.3 ** 2 + 0.2 ** 2 + 2 * 0.3 * 0.2 * 0.5
    psi = pop.params.query("lhs == 'Y' and op == '~~' and rhs == 'Y'")["est"].iloc[0]
    assert psi == pytest.approx(1 - r2)
    assert pop.changes.empty
    assert any("default" in n for n in pop.notes)


def test_spearman_brown_and_composite_sd():
    lam = spearman_brown_loading(0.8, 4)
    assert lam == pytest.approx(math.sqrt(0.5))
    r = lam ** 2
    assert 4 * r / (1 + 3 * r) == pytest.approx(0.8)
    R = np.full((4, 4), r) + np.eye(4) * (1 - r)
    s = item_sd_from_composite(0.9, R)
    assert math.sqrt(s ** 2 * R.sum() / 16) == pytest.approx(0.9)
    with pytest.raises(InputError):
        spearman_brown_loading(1.2, 3)


def test_unstandardized_metric_uses_printed_estimates_means_sds_alphas():
    stats = {c: {"mean": pub(m), "sd": pub(s), "alpha": pub(a)}
             for c, m, s, a in (("X", 5.0, 1.0, 0.8), ("M", 4.5, 1.1, 0.85), ("Y", 4.0, 1.2, 0.9))}
    paths = [{"from": "X", "to": "Y", "estimate": pub(0.6)}, {"from": "M", "to": "Y", "estimate": pub(0.3)}]
    rec = make_record([("X", "Y"), ("M", "Y")], ITEMS, constructs_stats=stats, scale=7,
                      path_results=paths,
                      assumptions=[("model.estimate_metric", "unstandardized"),
                                   ("correlations.X~~M", 0.3)])
    pop = population(rec)
    assert pop.metric == "unstandardized"
    b = pop.beta.loc["Y", ["X", "M"]]
    assert b["X"] == pytest.approx(0.6) and b["M"] == pytest.approx(0.3)
    # first loading is 1 (AMOS marker metric); composite SD and mean as printed
    assert pop.loadings.loc["X1", "X"] == pytest.approx(1.0)
    for c, sd in (("X", 1.0), ("M", 1.1), ("Y", 1.2)):
        its = ITEMS[c]
        v = pop.cov.loc[its, its].to_numpy().sum() / 9
        assert math.sqrt(v) == pytest.approx(sd)
        assert pop.means[its[0]] == pytest.approx({"X": 5.0, "M": 4.5, "Y": 4.0}[c])
        std = pop.params.query(f"lhs == '{c}' and op == '=~'")["std"]
        assert np.allclose(std, spearman_brown_loading({"X": 0.8, "M": 0.85, "Y": 0.9}[c], 3))


def test_inadmissible_paths_scaled_uniformly():
    rec = make_record([("X", "Y"), ("M", "Y")], ITEMS,
                      assumptions=[("paths.X->Y.std", 0.9), ("paths.M->Y.std", 0.6),
                                   ("correlations.X~~M", 0.5)])
    pop = population(rec, min_disturbance=0.02)
    r2 = 0.81 + 0.36 + 2 * 0.9 * 0.6 * 0.5
    c = math.sqrt(0.98 / r2)
    ch = pop.changes.set_index("target")
    assert set(ch.index) == {"paths.X->Y.std", "paths.M->Y.std"}
    assert ch.loc["paths.X->Y.std", "used"] == pytest.approx(0.9 * c)
    assert ch.loc["paths.M->Y.std", "used"] == pytest.approx(0.6 * c)
    assert ch.loc["paths.M->Y.std", "change"] == pytest.approx(0.6 * c - 0.6)
    psi = pop.params.query("lhs == 'Y' and op == '~~' and rhs == 'Y'")["std"].iloc[0]
    assert psi == pytest.approx(0.02)
    assert np.linalg.eigvalsh(pop.cov.to_numpy()).min() > 0


def test_loading_above_one_and_non_pd_correlations_projected():
    items = {"A": ["A1", "A2"], "B": ["B1", "B2"], "C": ["C1", "C2"], "Y": ["Y1", "Y2"]}
    rec = make_record([("A", "Y"), ("B", "Y"), ("C", "Y")], items, loadings={"A1": 1.02},
                      assumptions=[("correlations.A~~B", 0.9), ("correlations.A~~C", 0.9),
                                   ("correlations.B~~C", -0.9), ("paths.A->Y.std", 0.1)])
    pop = population(rec)
    ch = pop.changes.set_index("target")
    assert ch.loc["items.A1.loading", "used"] == pytest.approx(0.995)
    assert {"correlations.A~~B", "correlations.A~~C", "correlations.B~~C"} <= set(ch.index)
    R = pop.latent_cov.loc[["A", "B", "C"], ["A", "B", "C"]].to_numpy()
    assert np.linalg.eigvalsh(R).min() > 0
    assert np.allclose(np.diag(R), 1.0)


def test_nearest_correlation_keeps_pd_matrix():
    R = np.array([[1, 0.3], [0.3, 1.0]])
    assert nearest_correlation(R) is R
    bad = np.array([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]])
    out = nearest_correlation(bad, 1e-3)
    assert np.allclose(np.diag(out), 1)
    assert np.linalg.eigvalsh(out).min() > 0


def test_latent_interaction_variance():
    rec = make_record([("X", "Y"), ("M", "Y")], ITEMS, moderations=[("X", "M", "Y")],
                      assumptions=[("paths.X->Y.std", 0.3), ("paths.M->Y.std", 0.2),
                                   ("interactions.XxM->Y.std", 0.2), ("correlations.X~~M", 0.4)])
    pop = population(rec)
    # Var(XM) = 1 + r^2 for standardized normal X, M (Bohrnstedt-Goldberger)
    assert pop.latent_cov.loc["X:M", "X:M"] == pytest.approx(1 + 0.16)
    assert pop.latent_cov.loc["X:M", "X"] == pytest.approx(0.0)
    assert pop.latent_cov.loc["Y", "Y"] == pytest.approx(1.0)


def test_cycle_is_refused_before_a_population_is_built():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="directed cycle X->Y->X"):
        make_record([("X", "Y"), ("Y", "X")], ITEMS)


# ---------------------------------------------------------------------------------- regression records
def regression_record(loading=(0.8, 0.7, 0.6), r_xm=0.4, interaction=0.15, n=400):
    """X, M -> Y with X x M and a single-item control C, as a regression record."""
    items = {**ITEMS, "C": ["C1"]}
    rec = make_record([("X", "Y"), ("M", "Y")], items, kind="regression", n=n,
                      moderations=[("X", "M", "Y")],
                      assumptions=[("constructs.X.loading", loading[0]),
                                   ("constructs.M.loading", loading[1]),
                                   ("constructs.Y.loading", loading[2]),
                                   ("paths.X->Y.std", 0.3), ("paths.M->Y.std", 0.2),
                                   ("correlations.X~~M", r_xm),
                                   ("interactions.XxM->Y.std", interaction)])
    raw = rec.model_dump(by_alias=True, exclude_none=True)
    raw["assumptions"].append({"target": "controls.C->Y.std", "value": 0.1, "reason": "test"})
    raw["constructs"]["C"]["role"] = "control"
    raw["model"]["controls"] = ["C"]
    raw["model"]["moderations"][0]["method"] = "regression"
    return type(rec).model_validate(raw)


def _composite_cov(pop):
    S = pop.cov
    names = list(pop.constructs)
    return pd.DataFrame([[S.loc[pop.constructs[a], pop.constructs[b]].to_numpy().mean()
                          for b in names] for a in names], index=names, columns=names)


def test_regression_record_population_holds_among_composites_by_hand():
    rec = regression_record()
    pop = population(rec)
    assert pop.level == "composite"
    # composite reliability of three items with loading l: (3l)^2 / ((3l)^2 + 3(1 - l^2))
    for c, l in (("X", 0.8), ("M", 0.7), ("Y", 0.6)):
        assert pop.reliability[c] == pytest.approx(9 * l * l / (9 * l * l + 3 * (1 - l * l)))
        assert composite_reliability([l] * 3) == pytest.approx(pop.reliability[c])
    assert pop.reliability["C"] == 1.0 and pop.residuals["C1"] == 0.0
    Cc = _composite_cov(pop)
    d = np.sqrt(np.diag(Cc))
    Rc = Cc / np.outer(d, d)
    # composite correlations: the standardized regression of the composites
    assert Rc.loc["X", "M"] == pytest.approx(0.4)
    assert Rc.loc["X", "Y"] == pytest.approx(0.3 + 0.2 * 0.4)
    assert Rc.loc["M", "Y"] == pytest.approx(0.2 + 0.3 * 0.4)
    assert Rc.loc["C", "Y"] == pytest.approx(0.1)
    assert Rc.loc["C", "X"] == pytest.approx(0.0)
    # latent correlations: corrected for attenuation
    rho = pop.reliability
    assert pop.latent_cov.loc["X", "M"] == pytest.approx(0.4 / math.sqrt(rho["X"] * rho["M"]))
    assert pop.latent_cov.loc["X", "Y"] == pytest.approx(0.38 / math.sqrt(rho["X"] * rho["Y"]))
    # the interaction beta is b sd(X M) / sd(Y) with X, M the composites: R2 adds beta^2
    r2 = 0.3 ** 2 + 0.2 ** 2 + 2 * 0.3 * 0.2 * 0.4 + 0.1 ** 2 + 0.15 ** 2
    psi = pop.params.query("lhs == 'Y' and op == '~~' and rhs == 'Y'")["std"].iloc[0]
    assert psi == pytest.approx(1 - r2)
    row = pop.params.query("lhs == 'Y' and op == '~' and rhs == 'X:M'").iloc[0]
    assert row["std"] == pytest.approx(0.15)
    assert row["est"] == pytest.approx(0.15 / math.sqrt(1 + 0.4 ** 2))
    assert pop.changes.empty


def test_regression_record_inadmissible_latent_correlation_is_reported_not_raised():
    # loadings 0.5 give composite reliability 0.5: composite r 0.6 would be latent r 1.2
    pop = population(regression_record(loading=(0.5, 0.5, 0.5), r_xm=0.6, interaction=0.0))
    ch = pop.changes.set_index("target")
    assert "composites.X~~M" in ch.index
    row = ch.loc["composites.X~~M"]
    assert row["published"] == pytest.approx(0.6) and row["used"] < 0.6
    assert "not admissible" in row["reason"]
    Rl = pop.latent_cov.loc[pop.latents, pop.latents].to_numpy()
    assert np.linalg.eigvalsh(Rl).min() > 0 and np.max(np.abs(Rl - np.eye(len(Rl)))) < 1
    Cc = _composite_cov(pop)
    assert Cc.loc["X", "M"] / math.sqrt(Cc.loc["X", "X"] * Cc.loc["M", "M"]) == pytest.approx(row["used"])


def test_sem_records_stay_at_the_latent_level():
    pop = population(make_record([("X", "Y"), ("M", "Y")], ITEMS))
    assert pop.level == "latent" and pop.reliability is None
