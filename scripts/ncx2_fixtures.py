"""Reference values of the noncentral chi-square at large noncentralities, in 35-digit arithmetic.

Writes ``tests/fixtures/distributions/ncx2_large.json``: for each ``(df, nc)`` of
``tests/test_distributions.py``'s large-noncentrality cases and ``x`` from the mean minus 10 to
plus 12 standard deviations, the lower and upper tails of the Poisson mixture summed over 25
standard deviations of the Poisson weights in mpmath (``_mp_ncx2`` of the test module), written
with 25 significant digits. Run from the project folder: ``python scripts/ncx2_fixtures.py``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import mpmath as mp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_distributions import LARGE_NC, LARGE_NC_SDS, _mp_ncx2  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "distributions" / "ncx2_large.json"


def main() -> None:
    mp.mp.dps = 35
    cases = []
    for df, nc in LARGE_NC:
        mean, sd = df + nc, math.sqrt(2 * (df + 2 * nc))
        for x in mean + sd * np.array(LARGE_NC_SDS):
            if x <= 0:
                continue
            cases.append({"df": df, "nc": nc, "x": float(x),
                          "cdf": mp.nstr(_mp_ncx2(float(x), df, nc, False), 25),
                          "sf": mp.nstr(_mp_ncx2(float(x), df, nc, True), 25)})
    OUT.write_text(json.dumps({"digits": 35, "cases": cases}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(cases)} points)")


if __name__ == "__main__":
    main()
