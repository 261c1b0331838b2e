"""The one interface of every fitted model, whatever the estimator.

:class:`ResultBase` is what :class:`~replication.engine.results.FitResult` (ML, MLM, MLR, FIML),
``OrdinalResult`` (DWLS, WLSMV), ``MultiGroupResult`` (several groups) and the PLS result of
:func:`replication.fit` share:

* ``.parameters``: a DataFrame with at least ``lhs, op, rhs, group, est, se, z, pvalue,
  std_all``. ``group`` is the group's label in a multi-group fit and the empty string ``""``
  in a one-group fit (lavaan's ``parameterEstimates()`` has a ``group`` column only for
  several groups; the JSON of a one-group fit leaves it out as lavaan does);
* ``.fit_measures`` (lavaan's ``fitMeasures()`` names), ``.r2``, ``.warnings``,
  ``.converged``, ``.estimator``;
* ``.summary()``: lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE,
  rsquare = TRUE)`` layout (:func:`replication.engine.summary.format_text`);
* ``.to_json(path=None)``: the JSON-ready dict, also written to ``path`` when given;
* ``_repr_html_()``: a compact HTML table of the main fit measures and the parameters for
  notebooks.

A result is built once, with the standard errors and test statistics of its estimator, and is
not changed afterwards: the tables it hands out are copies.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

__all__ = ["CONTRACT_COLUMNS", "HTML_MEASURES", "ResultBase", "write_json"]

#: Columns every result's ``.parameters`` has.
CONTRACT_COLUMNS = ["lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "std_all"]
#: Fit measures shown by ``_repr_html_`` (those the fit has).
HTML_MEASURES = ["npar", "ntotal", "chisq", "df", "pvalue", "chisq.scaled",
                 "chisq.scaling.factor", "pvalue.scaled", "cfi", "tli", "cfi.robust",
                 "tli.robust", "rmsea", "rmsea.robust", "srmr"]


def write_json(out: dict, path) -> None:
    """Write ``out`` as indented UTF-8 JSON to ``path`` (the bytes ``replicate fit --json``
    prints, with a final newline)."""
    Path(path).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


class ResultBase:
    """Shared methods of the fitted-model results (see the module docstring).

    A subclass provides ``_json(digits) -> dict`` (its JSON-ready content) and the
    attributes ``parameters``, ``fit_measures``, ``estimator``, ``converged``, ``warnings``.
    """

    def _json(self, digits: int = 6) -> dict:  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def to_json(self, path=None, digits: int = 6) -> dict:
        """The JSON-ready dict of the fit (floats rounded to ``digits`` decimals, NaN as
        ``null``); written to ``path`` as well when one is given."""
        if isinstance(path, int) and not isinstance(path, bool):  # to_json(digits) of old
            path, digits = None, path
        out = self._json(digits)
        if path is not None:
            write_json(out, path)
        return out

    def summary(self) -> str:
        """lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare =
        TRUE)`` as text."""
        from replication.engine.summary import format_text

        return format_text(self._json(6), estimator=self.estimator)

    def _repr_html_(self) -> str:
        fm = self.fit_measures
        keys = [k for k in HTML_MEASURES if k in fm]
        head = (f"<p><b>{html.escape(type(self).__name__)}</b>: estimator "
                f"{html.escape(str(self.estimator))}, "
                f"{'converged' if self.converged else '<b>not converged</b>'}</p>")
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        warn = f"<ul>{warn}</ul>" if warn else ""
        fit = ("<table><tr>" + "".join(f"<th>{html.escape(k)}</th>" for k in keys)
               + "</tr><tr>" + "".join(f"<td>{_fmt(fm[k])}</td>" for k in keys)
               + "</tr></table>")
        p = self.parameters
        cols = [c for c in CONTRACT_COLUMNS if c in p.columns]
        if "group" in cols and not (p["group"].astype(str) != "").any():
            cols.remove("group")
        rows = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r) + "</tr>"
                       for r in p[cols].itertuples(index=False))
        table = ("<table><tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>" + rows
                 + "</table>")
        return head + warn + fit + table
