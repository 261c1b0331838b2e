"""Tables for reading: the one formatting layer of every table a report displays.

:func:`show` turns a result DataFrame (or Series) into a :class:`Table`, a pandas ``Styler``
with a short footnote, laid out as a journal prints its tables:

- numbers as fixed decimals chosen per column, or per row where the rows are measures (a fit
  table): estimates and fit indices 3, chi-square, F and information criteria 2, degrees of
  freedom and counts as whole numbers; never scientific notation, never ``-0.000``;
- p-values in APA style (American Psychological Association 2020, section 6.36): ``< .001``, else
  three decimals without the leading zero;
- missing values as an en dash, booleans as ``yes`` / ``no``;
- no bare row index: a meaningful index becomes the first column, a 0..n-1 index is hidden;
- column names a reader understands (:data:`COLUMN_NAMES` maps the internal names), measures and
  quantities by their usual names (:data:`VALUE_NAMES`: ``chisq`` is printed as chi-square);
- verdicts coloured (reproduced, consistent: green; not reproduced, inconsistent: red; not
  comparable, not checkable: grey) and every value the record assumes (the paper did not print
  it) in italics with a dagger, explained in a footnote;
- long text (statements, details, reasons, locations) wraps within its own column and goes to the
  right of the verdicts, so no verdict column is pushed off a 1280-pixel screen.

The text of every cell is computed here (:func:`cell_text`), so the same numbers read the same in
the notebook, the HTML report and the tests. Formatting never changes a value held by a result.
"""

from __future__ import annotations

import hashlib
import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.report.names import COLUMN_NAMES, VALUE_NAMES

__all__ = ["COLUMN_NAMES", "VALUE_NAMES", "DASH", "Table", "show", "use_for_display", "p_text",
           "number_text", "cell_text", "plain_numbers", "rule_of", "verdict_class",
           "readable_column", "TABLE_CSS"]

#: Missing values print as an en dash.
DASH = "\u2013"
#: Marker of a value assumed by the record (the paper does not print it).
ASSUMED_MARK = "\u2020"

_P_KEYS = {"pvalue", "p", "p_value", "p_change", "rmsea.pvalue", "baseline.pvalue",
           "pvalue.scaled", "pvalue.scaled", "p_difference", "delta_pvalue"}
_INT_KEYS = {"df", "df1", "df2", "n", "k", "n_items", "n_obs", "n_rows", "n_published", "count",
             "step", "n_boot_ok", "n_boot_failed", "n_eigen_gt_1", "npar", "ntotal", "iterations",
             "baseline.df", "df_baseline", "df.scaled", "seed", "invited", "reps", "n_analysed",
             "delta_df"}
_TWO_KEYS = {"chisq", "chisq_baseline", "baseline.chisq", "chisq.scaled", "f_change", "aic",
             "bic", "sabic", "bic2", "logl", "unrestricted.logl", "f", "first_factor_percent",
             "delta_chisq"}
#: Columns that hold the value of the measure named in the row (fit and comparison tables).
_VALUE_COLUMNS = {"value", "reference", "replicated", "difference", "tolerance", "reported",
                  "recomputed", "cfa", "sem", "original", "replication"}
#: Columns whose cells name a measure or quantity (row keys; their text is translated).
_KEY_COLUMNS = ("measure", "quantity", "statistic", "index", "")
#: Columns of long text, placed after the verdicts.
_LONG_TEXT = ("read_as", "where", "detail", "reason", "note", "statement")
#: Columns holding verdicts (coloured).
_VERDICT_COLUMNS = {"verdict", "status", "magnitude_status", "effect_status", "passes",
                    "excludes_zero", "bc_excludes_zero", "agreement", "classification",
                    "significant"}

#: Boolean columns read as words.
_BOOL_WORDS = {"paper_supported": ("supported", "not supported"),
               "replicated_supported": ("supported", "not supported")}

_VERDICT_CLASSES = {
    "reproduced": "v-ok", "consistent": "v-ok", "yes": "v-ok", "agrees": "v-ok",
    "reproduced with minor issues": "v-minor", "partly reproduced": "v-minor",
    "not reproduced": "v-bad", "inconsistent": "v-bad", "no": "v-bad", "differs": "v-bad",
    "not comparable": "v-na", "not checkable": "v-na", "not_checkable": "v-na",
}

#: A cell text that is a number, an interval or a p-value (``0.45``, ``[8490, 8751]``,
#: ``p < .001``, ``0.30***``): kept on one line even in a column of long text.
_NUMBER_TEXT = re.compile(r"^[\[(]?[-\u2212+<>=p ]*(\d+\.?\d*|\.\d+)"
                          r"[\d.,\-\u2212+*\u2020%<>=\[\]() \u2013]*$")

#: Styles of every table (booktabs rules, tabular figures, numbers right-aligned).
TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; border-top: 2px solid #222; "
     "border-bottom: 2px solid #222; margin: 0.4em 0 0.2em 0; font-size: 13px; "
     "font-variant-numeric: tabular-nums; line-height: 1.35;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: 600; "
     "padding: 0 0 0.3em 0; color: #222;"},
    {"selector": "thead th", "props": "border-bottom: 1px solid #222; padding: 0.3em 0.6em; "
     "text-align: left; vertical-align: bottom; font-weight: 600; "
     "background: none;"},
    {"selector": "td", "props": "padding: 0.2em 0.6em; border: none; vertical-align: top; "
     "text-align: left; white-space: nowrap; background: none;"},
    {"selector": "tbody tr:nth-child(odd)", "props": "background: #f7f7f7;"},
    {"selector": "tbody tr:hover", "props": "background: #eef3f8;"},
    {"selector": "td.num", "props": "text-align: right;"},
    {"selector": "th.num", "props": "text-align: right;"},
    {"selector": "td.wrap", "props": "white-space: normal; min-width: 11em; max-width: 30em;"},
    {"selector": "td.numtext", "props": "white-space: nowrap;"},
    {"selector": "td.v-ok", "props": "color: #0a6b2c; font-weight: 600;"},
    {"selector": "td.v-minor", "props": "color: #8a5a00; font-weight: 600;"},
    {"selector": "td.v-bad", "props": "color: #b3141b; font-weight: 600;"},
    {"selector": "td.v-na", "props": "color: #666;"},
    {"selector": "td.assumed", "props": "font-style: italic; color: #555;"},
]


# --------------------------------------------------------------------------------------------
# Cell text
# --------------------------------------------------------------------------------------------
def _missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isnan(x))
    except TypeError:
        return False


def p_text(p, digits: int = 3) -> str:
    """A p-value as APA prints it: ``< .001``, else ``digits`` decimals without the leading zero.

    Parameters
    ----------
    p : float
    digits : int

    Returns
    -------
    str
        An en dash when ``p`` is missing.

    Examples
    --------
    >>> p_text(0.0000012), p_text(0.0345), p_text(1.0)
    ('< .001', '.035', '1.000')
    """
    if _missing(p):
        return DASH
    p = float(p)
    floor = 10.0 ** -digits
    if p < floor:
        return f"< {floor:.{digits}f}".replace("0.", ".", 1)
    text = f"{p:.{digits}f}"
    return text[1:] if text.startswith("0.") else text


def number_text(x, decimals: int | str = 3) -> str:
    """A number with fixed decimals (never scientific notation, never ``-0.000``).

    Parameters
    ----------
    x : number, bool or None
    decimals : int or {"int", "p"}
        Decimals, ``"int"`` for a whole number, ``"p"`` for :func:`p_text`.

    Returns
    -------
    str
        An en dash for a missing value; ``yes``/``no`` for booleans.
    """
    if _missing(x):
        return DASH
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if decimals == "p":
        return p_text(x)
    v = float(x)
    if not math.isfinite(v):
        return DASH if math.isnan(v) else ("\u221e" if v > 0 else "-\u221e")
    if decimals == "int":
        if v == round(v):
            return f"{int(round(v)):d}"
        decimals = 2
    text = f"{v:.{int(decimals)}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def rule_of(key: str | None) -> int | str | None:
    """Decimals rule of a column or measure name: ``"p"``, ``"int"``, 2 or 3; None if unknown."""
    if key is None:
        return None
    k = str(key).strip().lower()
    if k in _P_KEYS or k.endswith(".pvalue") or k.startswith("p_") or k == "p":
        return "p"
    if k in _INT_KEYS or k.startswith("n_") or k.endswith(".df") or k.startswith("df"):
        return "int"
    if k in _TWO_KEYS or k.startswith("chisq") and "df" not in k:
        return 2
    return None


def cell_text(x, rule: int | str | None = None) -> str:
    """Text of one cell: numbers by ``rule`` (default 3 decimals), text as it is."""
    if _missing(x):
        return DASH
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, numbers.Number):
        if isinstance(x, numbers.Integral) and rule is None:
            return f"{int(x):d}"
        return number_text(x, 3 if rule is None else rule)
    text = plain_numbers(str(x))
    return text if text.strip() else DASH


_SCI = r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d+"


def plain_numbers(text: str) -> str:
    """Numbers in scientific notation within a text, written as a reader expects.

    A p-value or an interval of p-values below .001 (``p = 5.9e-18``, ``p = [5.9e-18, 6.4e-18]``)
    becomes ``p < .001``; any other number in scientific notation is written with fixed decimals
    (enough to show its first two significant digits, at most 6; smaller magnitudes print as 0).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if "e" not in text and "E" not in text:
        return text

    def tiny_p(m: re.Match) -> str:
        values = [float(v) for v in re.findall(_SCI + r"|\d*\.\d+|\d+", m.group(2))]
        if values and max(values) < 0.001:
            return f"{m.group(1).split('=')[0].rstrip()} < .001"
        return m.group(0)

    text = re.sub(r"(\bp\s*=\s*)(\[\s*" + _SCI + r"\s*,\s*" + _SCI + r"\s*\]|" + _SCI + r")",
                  tiny_p, text)

    def fixed(m: re.Match) -> str:
        v = float(m.group(0))
        if v == 0 or abs(v) < 5e-7:
            return number_text(0.0, 3)
        digits = min(6, max(0, 1 - int(math.floor(math.log10(abs(v))))))
        return number_text(v, digits)

    return re.sub(r"(?<![\w.])" + _SCI + r"(?![\w.])", fixed, text)


def verdict_class(text: str) -> str:
    """CSS class of a verdict (``v-ok``, ``v-minor``, ``v-bad``, ``v-na``) or ``""``."""
    t = str(text).strip().lower()
    if t in _VERDICT_CLASSES:
        return _VERDICT_CLASSES[t]
    for key in ("not reproduced", "inconsistent", "partly", "minor", "not comparable"):
        if t.startswith(key):
            return _VERDICT_CLASSES.get(key, "v-minor")
    if t.startswith("reproduced"):
        return "v-ok"
    return ""


def readable_column(name) -> str:
    """The reader's name of a column (:data:`COLUMN_NAMES`, else the name with spaces)."""
    key = str(name)
    if key in COLUMN_NAMES:
        return COLUMN_NAMES[key]
    if key in VALUE_NAMES and key.upper() == VALUE_NAMES[key]:
        return VALUE_NAMES[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:] if text.islower() else text


# --------------------------------------------------------------------------------------------
# Table shapes
# --------------------------------------------------------------------------------------------
#: Reader's column order of known result tables: (columns that identify the table, columns
#: shown in order, columns left out because another column says the same).
_LAYOUTS: list[tuple[set[str], list[str], set[str]]] = [
    ({"paper_verdict", "replicated_supported", "statement"},
     ["hypothesis", "effect", "sign", "paper_verdict", "replicated_supported", "verdict",
      "estimate", "std_estimate", "pvalue", "ci", "magnitude_status", "where", "statement"],
     {"label", "kind", "effect_status", "paper_supported", "status", "ci_low", "ci_high"}),
    ({"mediation", "effect", "boot_se"},
     ["mediation", "effect", "path", "estimate", "std_estimate", "boot_se", "z", "pvalue", "ci",
      "bc_ci", "n_boot_ok", "n_boot_failed"],
     {"mediator", "ci_low", "ci_high", "bc_low", "bc_high", "excludes_zero", "bc_excludes_zero"}),
    ({"sd_units", "m_value", "slope", "x_mean"},
     ["y", "x", "m", "sd_units", "m_value", "slope", "se", "t", "df", "pvalue", "ci"],
     {"intercept", "x_mean", "x_sd", "ci_low", "ci_high"}),
]


def _combine_ci(df: pd.DataFrame, low: str, high: str, name: str, rule) -> pd.DataFrame:
    if low in df.columns and high in df.columns:
        lo, hi = df[low], df[high]
        if all(_missing(a) or _missing(b) for a, b in zip(lo, hi)):
            return df.drop(columns=[low, high])  # no interval anywhere: no column for it
        df = df.copy()
        df[name] = [DASH if _missing(a) or _missing(b) else
                    f"[{number_text(a, rule)}, {number_text(b, rule)}]" for a, b in zip(lo, hi)]
    return df


def _reshape(df: pd.DataFrame, columns: Sequence[str] | None, hide: Iterable[str]) -> pd.DataFrame:
    """Reader's column selection and order (known layouts, or ``columns`` when given)."""
    df = _combine_ci(df, "ci_low", "ci_high", "ci", 3)
    df = _combine_ci(df, "bc_low", "bc_high", "bc_ci", 3)
    hide = set(hide)
    if columns is not None:
        return df[[c for c in columns if c in df.columns]]
    cols = set(map(str, df.columns))
    for ident, order, drop in _LAYOUTS:
        if ident <= cols:
            first = [c for c in order if c in cols]
            rest = [c for c in df.columns if c not in first and c not in drop and c not in hide]
            # long text last: statements wrap at the right, after every verdict
            tail = [c for c in first if c in ("where", "statement")]
            keep = [c for c in first if c not in tail] + rest + tail
            return df[[c for c in keep if c not in hide]]
    for i, a in enumerate(df.columns):  # a column that repeats an earlier one says nothing new
        if pd.api.types.is_numeric_dtype(df[a].dtype) or pd.api.types.is_bool_dtype(df[a].dtype):
            continue
        if any(not pd.api.types.is_numeric_dtype(df[b].dtype)
               and df[a].astype(str).tolist() == df[b].astype(str).tolist()
               for b in df.columns[:i]):
            hide |= {a}
    empty = [c for c in df.columns if all(_missing(v) or not str(v).strip() for v in df[c])]
    hide |= set(empty) if len(df) else set()
    if {"quantity", "reference", "replicated", "target"} <= cols:
        hide |= {"target"}  # the record's field path; quantity and the row names identify it
    if "ci" in cols:  # the interval in one column, [low, high]
        hide |= {"ci_low", "ci_high"}
    if "bc_ci" in cols:
        hide |= {"bc_low", "bc_high"}
    keep = [c for c in df.columns if c not in hide]
    if any(str(c) in _VERDICT_COLUMNS for c in keep):
        # long text goes to the right of the verdicts, where it can wrap without hiding them
        tail = [c for c in keep if str(c) in _LONG_TEXT]
        keep = [c for c in keep if c not in tail] + tail
    return df[keep]


def _frame(data) -> pd.DataFrame:
    """A DataFrame whose every column is a real column (no bare row index)."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "value")
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    df = data.copy()
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [" ".join(str(p) for p in c if str(p)) for c in df.columns]
    idx = df.index
    trivial = isinstance(idx, pd.RangeIndex) or (
        idx.nlevels == 1 and idx.name is None and pd.api.types.is_integer_dtype(idx.dtype))
    if trivial:
        return df.reset_index(drop=True)
    names = [n if n is not None else ("" if idx.nlevels == 1 else f"level_{i}")
             for i, n in enumerate(idx.names)]
    taken = set(map(str, df.columns))
    names = [n if n not in taken else f"{n} " for n in names]
    df.index = df.index.set_names(names)
    return df.reset_index()


def _row_keys(df: pd.DataFrame) -> list[str | None]:
    for key in _KEY_COLUMNS:
        if key in df.columns:
            return [None if _missing(v) else str(v) for v in df[key]]
    return [None] * len(df)


def _column_rule(name: str, values: pd.Series):
    rule = rule_of(name)
    if rule is not None:
        return rule
    if pd.api.types.is_integer_dtype(values.dtype):
        return "int"
    return None


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------
@dataclass
class Table:
    """A formatted table: ``styler`` (pandas Styler), ``text`` (cell strings) and footnotes.

    Displays as HTML in a notebook (``_repr_html_``); ``text`` is what every cell shows.
    """

    styler: "pd.io.formats.style.Styler"
    text: pd.DataFrame
    footnotes: list[str] = field(default_factory=list)

    def to_html(self) -> str:
        """The table and its footnotes as one HTML fragment (a short note for an empty table)."""
        if self.text.empty:
            cap = self.styler.caption
            return (f'<p class="table-empty" style="font-size: 13px; color: #555;">'
                    f'{cap + ": " if cap else ""}no rows.</p>')
        notes = "".join(f'<p class="table-note" style="font-size: 12px; color: #444; '
                        f'margin: 0.1em 0 0.8em 0;">{html.escape(n)}</p>' for n in self.footnotes)
        return (f'<div class="report-table" style="max-width: 100%; overflow-x: auto;">'
                f"{self.styler.to_html()}{notes}</div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.text.to_string(index=False)


def _column_cells(name: str, values: pd.Series, decimals: dict, keys: list,
                  assumed_rows: list[bool]) -> tuple[list[str], list[str], bool]:
    """Text and CSS classes of every cell of one column, and whether the column is numeric."""
    rule = decimals.get(name, _column_rule(name, values))
    by_row = name.lower() in _VALUE_COLUMNS or (name not in COLUMN_NAMES and rule is None
                                                and any(k is not None for k in keys))
    out, cls = [], []
    n_num = 0
    for i, v in enumerate(values):
        r = rule
        if r is None and by_row:
            r = rule_of(keys[i])
        if isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_)) \
                and not _missing(v):
            n_num += 1
        t = cell_text(v, r)
        if name in _BOOL_WORDS and isinstance(v, (bool, np.bool_)):
            t = _BOOL_WORDS[name][0 if v else 1]
        elif name == "sd_units" and not _missing(v):
            t = "mean" if float(v) == 0 else f"{float(v):+g} SD"
        c = []
        if name in _KEY_COLUMNS or name in ("check", "effect"):
            t = VALUE_NAMES.get(t, t) if name != "check" else t.replace("_", " ")
        if name.lower() in _VERDICT_COLUMNS or name in ("paper_verdict", "replicated_supported",
                                                         "paper_supported"):
            t = VALUE_NAMES.get(t, t) if t in ("not_checkable", "published") else t
            vc = verdict_class(t) if name.lower() in _VERDICT_COLUMNS else ""
            if vc:
                c.append(vc)
            if t == "assumed":
                c.append("assumed")
        if assumed_rows[i] and name in ("reference", "printed", "value") and t != DASH:
            t = f"{t}{ASSUMED_MARK}"
            c.append("assumed")
        out.append(t)
        cls.append(" ".join(c))
    numeric = bool(n_num) and n_num >= 0.5 * max(1, sum(not _missing(v) for v in values))
    return out, cls, numeric


def _styler(shown: pd.DataFrame, class_frame: pd.DataFrame, num_heads: list,
            caption: str | None):
    """The pandas Styler of formatted cell texts: no index, classes, booktabs styles."""
    digest = hashlib.sha1(("\x1f".join(map(str, shown.columns)) + "\x1e" +
                           shown.to_csv(index=False)).encode("utf-8")).hexdigest()[:10]
    styler = shown.style.hide(axis="index").set_uuid(f"rt{digest}")
    styler = styler.format(escape="html").set_td_classes(class_frame)
    styler = styler.set_table_styles(TABLE_CSS, overwrite=True)
    if num_heads:
        styler = styler.set_table_styles(
            {h: [{"selector": "th", "props": "text-align: right;"}] for h in num_heads},
            overwrite=False)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


def show(data, caption: str | None = None, *, columns: Sequence[str] | None = None,
         hide: Iterable[str] = (), decimals: Mapping[str, int | str] | None = None,
         names: Mapping[str, str] | None = None, notes: Sequence[str] = (),
         wrap_at: int = 40) -> Table:
    """A result table formatted for reading.

    Parameters
    ----------
    data : DataFrame, Series or mapping
        A result table; a meaningful index (measures, constructs) becomes the first column.
    caption : str, optional
        Title above the table.
    columns : sequence of str, optional
        Columns to show, in order (default: every column, known result tables in the reader's
        order: identifiers, verdicts, numbers, then long text).
    hide : iterable of str
        Columns to leave out.
    decimals : mapping, optional
        Rules per column name that override the defaults (int decimals, ``"int"`` or ``"p"``).
    names : mapping, optional
        Column headings that override :data:`COLUMN_NAMES`.
    notes : sequence of str
        Footnotes under the table.
    wrap_at : int
        Text columns whose longest cell exceeds this many characters wrap within the column.

    Returns
    -------
    Table
    """
    df = _reshape(_frame(data), columns, hide)
    decimals = dict(decimals or {})
    keys = _row_keys(df)
    status = df["status"].astype(str).tolist() if "status" in df.columns else [""] * len(df)
    assumed_rows = [s == "assumed" for s in status]
    texts: dict[str, list[str]] = {}
    classes: dict[str, list[str]] = {}
    numeric_cols: set[str] = set()
    for col in df.columns:
        name = str(col)
        texts[name], classes[name], numeric = _column_cells(name, df[col], decimals, keys,
                                                            assumed_rows)
        if numeric:
            numeric_cols.add(name)
    text = pd.DataFrame(texts, columns=[str(c) for c in df.columns])
    for col in text.columns:
        longest = max((len(t) for t in text[col]), default=0)
        wrap = col not in numeric_cols and longest > wrap_at
        extra = "wrap" if wrap else ("num" if col in numeric_cols else "")
        # a number in a column of text keeps to one line (never "0.4\n5"), even where text wraps
        classes[col] = [f"{c} {'numtext' if extra != 'num' and _NUMBER_TEXT.match(t) else extra}"
                        .strip() for c, t in zip(classes[col], text[col])]
    headers = {c: (names or {}).get(c, readable_column(c)) for c in text.columns}
    shown = text.rename(columns=headers)
    if len(set(shown.columns)) < len(shown.columns):  # two internal names read alike
        shown = text.rename(columns={c: f"{headers[c]} ({c})" for c in text.columns})
    class_frame = pd.DataFrame({shown.columns[j]: classes[c] for j, c in enumerate(text.columns)})
    num_heads = [shown.columns[j] for j, c in enumerate(text.columns) if c in numeric_cols]
    styler = _styler(shown, class_frame, num_heads, caption)
    footnotes = list(notes)
    if any(assumed_rows) and any(c in text.columns for c in ("reference", "printed", "value")):
        footnotes.append(f"{ASSUMED_MARK} Assumed by the record: the paper does not print this "
                         "value.")
    return Table(styler=styler, text=shown, footnotes=footnotes)


def use_for_display(shell=None) -> bool:
    """Show every DataFrame and Series that a notebook displays through :func:`show`.

    Registers :func:`show` as the HTML formatter of ``pandas.DataFrame`` and ``pandas.Series``
    in the running IPython kernel (IPython's ``display_formatter.formatters["text/html"]
    .for_type``), so ``display(df)`` in a paper notebook prints the formatted table; the
    plain-text form is unchanged.

    Parameters
    ----------
    shell : IPython InteractiveShell, optional
        Default: the running one.

    Returns
    -------
    bool
        False outside IPython (nothing registered).
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the notebook stack
            return False
        shell = get_ipython()
    if shell is None:
        return False
    html_formatter = shell.display_formatter.formatters["text/html"]
    html_formatter.for_type(pd.DataFrame, lambda df: show(df).to_html())
    html_formatter.for_type(pd.Series, lambda s: show(s).to_html())
    return True
