"""Pure-noise Likert data for the starting-value fixtures (tests/fixtures/starts).

Data sets of 8 items answered at random on a 5-point scale by N = 300 respondents: the
two-factor model fitted to them has no structure to find, which is where optimizers started
badly stop at a worse point. Seed 1 has no optimum (lavaan 0.6.14 does not converge either: a
factor variance runs to 0 while its loadings grow); the others are seeds (of 1 to 40) where
lavaan converges, chosen to cover a first run that converges to an inadmissible solution, runs that need the
quasi-Newton or trust-region retries, and a run where lavaan stops early.
``scripts/starts_fixtures.R`` fits them with lavaan.
"""

from pathlib import Path

import numpy as np

SEEDS = [1, 3, 4, 7, 10, 13, 20, 23, 28]
OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "starts"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        X = rng.integers(1, 6, size=(300, 8))
        header = ",".join(f"y{i}" for i in range(1, 9))
        rows = "\n".join(",".join(map(str, r)) for r in X)
        (OUT / f"noise_{seed}.csv").write_text(header + "\n" + rows + "\n")


if __name__ == "__main__":
    main()
