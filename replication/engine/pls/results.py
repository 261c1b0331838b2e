"""``PLSResult``: the tables of a PLS or PLSc fit, its text summary and its JSON."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.engine.numbers import json_float

__all__ = ["PLSResult"]

def _records(df: pd.DataFrame) -> list:
    out = []
    for row in df.to_dict("records"):
        out.append({k: (json_float(v) if isinstance(v, (float, np.floating)) else v)
                    for k, v in row.items()})
    return out


def _floats(d: dict) -> dict:
    return {k: (_floats(v) if isinstance(v, dict) else json_float(v)) for k, v in d.items()}


@dataclass
class PLSResult:
    """A fitted PLS path model.

    Attributes
    ----------
    parameters : DataFrame
        ``lhs op rhs est``: ``~`` paths (``lhs`` outcome, ``rhs`` predictor) and ``=~``
        outer loadings of every construct (Mode B blocks included); with a bootstrap also
        ``se t pvalue ci.lower ci.upper bca.lower bca.upper`` (percentile and BCa 95%).
    weights : DataFrame
        Outer weights ``lhs rhs est`` (and bootstrap columns).
    r2, r2_adj : dict
        ``{endogenous construct: value}``.
    reliability : dict
        ``{construct: {alpha, rho_c, rho_a, ave}}``.
    htmt, htmt2 : DataFrame
        ``lhs rhs est`` for every pair of constructs.
    fornell_larcker, cross_loadings : DataFrame
    f2 : DataFrame
        ``lhs`` outcome, ``rhs`` predictor, ``est`` for every structural path.
    vif : dict
        ``{"outer": DataFrame, "inner": DataFrame}``.
    effects : dict
        ``total`` and ``indirect`` (total indirect) ``lhs rhs est`` and ``specific``
        (``path est``) DataFrames, with bootstrap columns when bootstrapped.
    scores : DataFrame
        Standardized PLS construct scores of the rows used.
    estimator, scheme, iterations, converged, n, missing, warnings :
        How the model was estimated.
    bootstrap : dict
        ``{resamples, failed, seed}`` or empty.
    """

    parameters: pd.DataFrame
    weights: pd.DataFrame
    r2: dict
    r2_adj: dict
    reliability: dict
    htmt: pd.DataFrame
    htmt2: pd.DataFrame
    fornell_larcker: pd.DataFrame
    cross_loadings: pd.DataFrame
    f2: pd.DataFrame
    vif: dict
    effects: dict
    scores: pd.DataFrame
    estimator: str
    scheme: str
    iterations: int
    converged: bool
    n: int
    missing: str
    warnings: list = field(default_factory=list)
    bootstrap: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """A JSON-ready dict with the keys ``parameters weights r2 r2_adj reliability htmt f2
        vif estimator scheme iterations converged n missing warnings``; numbers to 12
        significant digits, NaN as ``None``."""
        return {
            "parameters": _records(self.parameters),
            "weights": _records(self.weights),
            "r2": _floats(self.r2),
            "r2_adj": _floats(self.r2_adj),
            "reliability": _floats(self.reliability),
            "htmt": _records(self.htmt),
            "f2": _records(self.f2),
            "vif": {"outer": _records(self.vif["outer"]), "inner": _records(self.vif["inner"])},
            "estimator": self.estimator,
            "scheme": self.scheme,
            "iterations": int(self.iterations),
            "converged": bool(self.converged),
            "n": int(self.n),
            "missing": self.missing,
            "warnings": list(self.warnings),
        }

    def summary(self, digits: int = 3) -> str:
        """seminr-like text: estimation, paths, loadings, weights, R2, reliability, HTMT."""
        fmt = f"{{:.{digits}f}}".format

        def table(df: pd.DataFrame) -> str:
            shown = df.copy()
            for col in shown.columns:
                if pd.api.types.is_float_dtype(shown[col]):
                    shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else fmt(v))
            return shown.to_string(index=False)

        conv = "converged" if self.converged else "did NOT converge"
        lines = [f"{self.estimator} path model ({self.scheme} weighting scheme), n = {self.n}, "
                 f"{conv} after {self.iterations} iterations, missing = {self.missing}"]
        if self.bootstrap:
            lines.append(f"Bootstrap: {self.bootstrap['resamples']} resamples "
                         f"({self.bootstrap['failed']} failed), seed {self.bootstrap['seed']}")
        lines += ["", "Structural paths:",
                  table(self.parameters[self.parameters["op"] == "~"]),
                  "", "Outer loadings:",
                  table(self.parameters[self.parameters["op"] == "=~"]),
                  "", "Outer weights:", table(self.weights), "", "R-squared:"]
        lines += [f"  {c}: {fmt(v)} (adjusted {fmt(self.r2_adj[c])})" for c, v in self.r2.items()]
        rel = pd.DataFrame(self.reliability).T.reset_index().rename(columns={"index": "construct"})
        lines += ["", "Reliability:", table(rel), "", "HTMT:", table(self.htmt),
                  "", "f-squared:", table(self.f2)]
        if self.warnings:
            lines += ["", "Warnings:"] + [f"  {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
