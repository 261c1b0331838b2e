"""Write the seeded synthetic data sets that ``scripts/lavaan_fixtures.R`` fits with lavaan.

``live_commerce_synth.csv``: 21 items, 7 latent variables (two exogenous, three mediating,
two outcome constructs), N = 465, drawn from a fixed population SEM with seed 20240501, plus one cross-loading and
one residual covariance that the fitted model omits (so that the fit is imperfect).
Run: ``python scripts/lavaan_fixture_data.py`` (then ``Rscript scripts/lavaan_fixtures.R``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "lavaan"
SEED = 20240501


def live_commerce_like(n: int = 465, seed: int = SEED) -> pd.DataFrame:
    """Continuous responses from a population SEM shaped like the live_commerce model."""
    rng = np.random.default_rng(seed)
    names = ["T", "SN", "PI", "HI", "MI", "RB", "RD"]
    B = np.zeros((7, 7))
    idx = {c: i for i, c in enumerate(names)}
    for x, y, b in [("T", "PI", .5), ("T", "HI", .4), ("T", "MI", .45), ("SN", "PI", .2),
                    ("SN", "HI", .3), ("SN", "MI", .2), ("PI", "RB", .3), ("PI", "RD", .25),
                    ("HI", "RB", .3), ("HI", "RD", .2), ("MI", "RB", .2), ("MI", "RD", .3)]:
        B[idx[y], idx[x]] = b
    Psi = np.diag([1.0, 1.0, .6, .6, .6, .5, .5])
    Psi[0, 1] = Psi[1, 0] = .3
    inv = np.linalg.inv(np.eye(7) - B)
    cov_eta = inv @ Psi @ inv.T
    eta = rng.multivariate_normal(np.zeros(7), cov_eta, size=n)
    loadings = [.8, .75, .7, .75, .8, .7, .7, .8, .75, .65, .9, .85, .8, .8, .65, .9, .65, .9,
                .85, .75, .75]
    cols = {}
    k = 0
    for c in names:
        for j in range(1, 4):
            lam = loadings[k]
            k += 1
            sd_eta = np.sqrt(cov_eta[idx[c], idx[c]])
            x = lam * eta[:, idx[c]] / sd_eta + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
            cols[f"{c}{j}"] = x
    # misspecification the fitted model leaves out: a cross-loading and a residual covariance
    cols["PI2"] = cols["PI2"] + 0.7 * eta[:, idx["HI"]] / np.sqrt(cov_eta[idx["HI"], idx["HI"]])
    shared = rng.standard_normal(n)
    cols["MI1"] = cols["MI1"] + 0.7 * shared
    cols["MI3"] = cols["MI3"] + 0.7 * shared
    return pd.DataFrame({k: np.round(3.5 + 0.9 * v, 6) for k, v in cols.items()})


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    live_commerce_like().to_csv(OUT / "live_commerce_synth.csv", index=False)


if __name__ == "__main__":
    main()
