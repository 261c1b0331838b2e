"""Text summary of a fitted model, laid out like lavaan's ``summary(fit, fit.measures = TRUE,
standardized = TRUE, rsquare = TRUE)``.

:func:`format_text` takes the JSON-ready dict of a fit (``to_json()`` of any SEM result:
:class:`~replication.engine.results.FitResult`, ``OrdinalResult``, ``MultiGroupResult``; with
the ``bootstrap`` block of ``replicate fit --bootstrap`` when present) and prints warnings
first, then the header (estimator, parameters, equality constraints, iterations, observations,
per group for several groups), the fit measures in lavaan's sections, with the Standard and
Scaled columns side by side for a robust estimator (MLM, MLR, WLSMV: scaling correction factor,
shift parameter, the test statistic of each group, robust CFI/TLI and robust RMSEA with its
interval and both close-fit p-values), the standard errors used, and the parameter table by
section (latent variables, regressions, covariances, intercepts, thresholds, variances, scales
y*) with ``Estimate, Std.Err, z-value, P(>|z|), Std.lv, Std.all`` (bootstrap percentile limits
when the standard errors are the bootstrap's), equality labels as lavaan prints them
(``(.p2.)``), a dot before the names of residual variances and intercepts (``.x1``), and
R-squared; one block ``Group k [label]:`` per group.

Reference layout: ``tests/fixtures/estimators/summary_*.txt`` (``scripts/fit_api_fixtures.R``).
"""

from __future__ import annotations

from replication.engine.errors import InputError

__all__ = ["format_text"]

_ROBUST_NOTE = {"MLM": "Satorra-Bentler correction", "MLR": "Yuan-Bentler correction (Mplus "
                "variant)", "WLSMV": "simple second-order correction"}
_COUNTS = {"ntotal", "npar", "df", "baseline.df", "df.scaled", "baseline.df.scaled"}
_SECTIONS = [("=~", "Latent Variables"), ("<~", "Composites"), ("~", "Regressions"),
             ("cov", "Covariances"), ("~1", "Intercepts"), ("|", "Thresholds"),
             ("var", "Variances"), ("~*~", "Scales y*")]
_BLANK = object()  # an empty line inside a section (lavaan's spacer)


def _num(key: str, v) -> str:
    if v is None:
        return ""
    return f"{int(v)}" if key in _COUNTS else f"{round(v, 3) + 0.0:.3f}"  # no "-0.000"


def _line(label: str, value: str, indent: int = 2, second: str | None = None) -> str:
    out = f"{' ' * indent}{label:<{44 - indent}}{value:>10}"
    return out if second is None else out + f"{second:>12}"


# ------------------------------------------------------------------------------------------
# Fit measures
# ------------------------------------------------------------------------------------------
_PLAIN = [
    ("Model Test User Model:", [
        ("chisq", "Test statistic"), ("df", "Degrees of freedom"),
        ("pvalue", "P-value (Chi-square)"), ("chisq_df", "Chi-square / df")]),
    ("Model Test Baseline Model:", [
        ("baseline.chisq", "Test statistic"), ("baseline.df", "Degrees of freedom"),
        ("baseline.pvalue", "P-value")]),
    ("User Model versus Baseline Model:", [
        ("cfi", "Comparative Fit Index (CFI)"), ("tli", "Tucker-Lewis Index (TLI)"),
        ("nfi", "Normed Fit Index (NFI)"), ("ifi", "Incremental Fit Index (IFI)")]),
    ("Loglikelihood and Information Criteria:", [
        ("logl", "Loglikelihood user model (H0)"),
        ("unrestricted.logl", "Loglikelihood unrestricted model (H1)"),
        ("aic", "Akaike (AIC)"), ("bic", "Bayesian (BIC)"),
        ("bic2", "Sample-size adjusted Bayesian (SABIC)")]),
    ("Root Mean Square Error of Approximation:", [
        ("rmsea", "RMSEA"), ("rmsea.ci.lower", "90 Percent confidence interval - lower"),
        ("rmsea.ci.upper", "90 Percent confidence interval - upper"),
        ("rmsea.pvalue", "P-value H_0: RMSEA <= 0.050"),
        ("rmsea.notclose.pvalue", "P-value H_0: RMSEA >= 0.080")]),
    ("Standardized Root Mean Square Residual:", [("srmr", "SRMR")]),
    ("Goodness of Fit Index:", [
        ("gfi", "Goodness of Fit Index (GFI)"), ("agfi", "Adjusted Goodness of Fit Index (AGFI)")]),
]

#: (label, Standard key, Scaled key); a None key leaves its column empty.
_SCALED = [
    ("Model Test Baseline Model:", [
        ("Test statistic", "baseline.chisq", "baseline.chisq.scaled"),
        ("Degrees of freedom", "baseline.df", "baseline.df.scaled"),
        ("P-value", "baseline.pvalue", "baseline.pvalue.scaled"),
        ("Scaling correction factor", None, "baseline.chisq.scaling.factor")]),
    ("User Model versus Baseline Model:", [
        ("Comparative Fit Index (CFI)", "cfi", "cfi.scaled"),
        ("Tucker-Lewis Index (TLI)", "tli", "tli.scaled"), _BLANK,
        ("Robust Comparative Fit Index (CFI)", None, "cfi.robust"),
        ("Robust Tucker-Lewis Index (TLI)", None, "tli.robust")]),
    ("Loglikelihood and Information Criteria:", [
        ("Loglikelihood user model (H0)", "logl", "logl"),
        ("Loglikelihood unrestricted model (H1)", "unrestricted.logl", "unrestricted.logl"),
        _BLANK, ("Akaike (AIC)", "aic", "aic"), ("Bayesian (BIC)", "bic", "bic"),
        ("Sample-size adjusted Bayesian (SABIC)", "bic2", "bic2")]),
    ("Root Mean Square Error of Approximation:", [
        ("RMSEA", "rmsea", "rmsea.scaled"),
        ("90 Percent confidence interval - lower", "rmsea.ci.lower", "rmsea.ci.lower.scaled"),
        ("90 Percent confidence interval - upper", "rmsea.ci.upper", "rmsea.ci.upper.scaled"),
        ("P-value H_0: RMSEA <= 0.050", "rmsea.pvalue", "rmsea.pvalue.scaled"),
        ("P-value H_0: RMSEA >= 0.080", "rmsea.notclose.pvalue",
         "rmsea.notclose.pvalue.scaled"), _BLANK,
        ("Robust RMSEA", None, "rmsea.robust"),
        ("90 Percent confidence interval - lower", None, "rmsea.ci.lower.robust"),
        ("90 Percent confidence interval - upper", None, "rmsea.ci.upper.robust"),
        ("P-value H_0: Robust RMSEA <= 0.050", None, "rmsea.pvalue.robust"),
        ("P-value H_0: Robust RMSEA >= 0.080", None, "rmsea.notclose.pvalue.robust")]),
    ("Standardized Root Mean Square Residual:", [("SRMR", "srmr", "srmr")]),
]


def _plain_fit_lines(fm: dict) -> list[str]:
    lines: list[str] = []
    for title, keys in _PLAIN:
        rows = [_line(label, _num(key, fm[key])) for key, label in keys if key in fm]
        if rows:
            lines += ["", title, ""] + rows
    return lines


def _user_test(result: dict, fm: dict, est: str) -> list[str]:
    """lavaan's "Model Test User Model" block with Standard and Scaled columns."""
    lines = ["", "Model Test User Model:", _line("", "Standard", 2, "Scaled"),
             _line("Test Statistic", _num("chisq", fm.get("chisq")), 2,
                   _num("chisq", fm.get("chisq.scaled"))),
             _line("Degrees of freedom", _num("df", fm.get("df")), 2,
                   _num("df", fm.get("df.scaled", fm.get("df")))),
             _line("P-value (Chi-square)", _num("pvalue", fm.get("pvalue")), 2,
                   _num("pvalue", fm.get("pvalue.scaled"))),
             _line("Scaling correction factor", "", 2,
                   _num("c", fm.get("chisq.scaling.factor")))]
    if fm.get("chisq.shift.parameters") is not None:
        lines.append(_line("Shift parameter", "", 2, _num("s", fm["chisq.shift.parameters"])))
    if est in _ROBUST_NOTE:
        lines.append(_line(f"  {_ROBUST_NOTE[est]}", "", 2, ""))
    groups = result.get("groups") or []
    c = fm.get("chisq.scaling.factor")
    if groups:
        lines.append("  Test statistic for each group:")
        for g in groups:
            scaled = g["chisq"] / c if (c and g.get("chisq") is not None) else None
            lines.append(_line(str(g["group"]), _num("x", g.get("chisq")), 4, _num("x", scaled)))
    return lines


def _scaled_fit_lines(result: dict, fm: dict, est: str) -> list[str]:
    lines = _user_test(result, fm, est)
    for title, rows in _SCALED:
        body: list[str] = []
        for row in rows:
            if row is _BLANK:
                body.append(_line("", "", 2, ""))
                continue
            label, k1, k2 = row
            if (k1 is None or k1 not in fm) and (k2 is None or k2 not in fm):
                continue
            body.append(_line(label, _num(k1, fm.get(k1)) if k1 else "", 2,
                              _num(k2, fm.get(k2)) if k2 else ""))
        while body and not body[-1].strip():
            body.pop()
        if any(b.strip() for b in body):
            lines += ["", title, ""] + body
    return lines


# ------------------------------------------------------------------------------------------
# Header and standard errors
# ------------------------------------------------------------------------------------------
def _constraints(params: list[dict]) -> int:
    """Equality constraints of a multi-group table: rows sharing an equality label beyond the
    first (lavaan's "Number of equality constraints")."""
    seen: set = set()
    k = 0
    for r in params:
        lab = r.get("label") or ""
        if lab.startswith(".p") and r.get("se") is not None:
            k += lab in seen
            seen.add(lab)
    return k


def _header(result: dict, estimator: str) -> list[str]:
    fm = result["fit_measures"]
    shown = {"MLM": "ML", "MLR": "ML", "WLSMV": "DWLS"}.get(estimator, estimator)
    lines = [_line("Estimator", shown, 0)]
    eq = _constraints(result.get("parameters") or [])
    if fm.get("npar") is not None:
        lines.append(_line("Number of model parameters", f"{int(fm['npar']) + eq}", 0))
    if eq:
        lines.append(_line("Number of equality constraints", f"{eq}", 0))
    if "iterations" in result:
        lines.append(_line("Number of iterations", f"{int(result['iterations'])}", 0))
    if "converged" in result:
        lines.append(_line("Converged", "yes" if result["converged"] else "no", 0))
    if result.get("groups"):
        lines.append(_line("Number of observations per group:", "", 0))
        lines += [_line(str(g["group"]), f"{int(g['n'])}", 2) for g in result["groups"]]
    elif fm.get("ntotal") is not None or result.get("n") is not None:
        n = fm.get("ntotal") if fm.get("ntotal") is not None else result["n"]
        lines.append(_line("Number of observations", f"{int(n)}", 0))
    return lines


def _se_lines(result: dict, estimator: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Header lines of the parameter section (lavaan's standard errors and information) and
    the table's columns."""
    boot = result.get("bootstrap")
    cols = [("est", "Estimate"), ("se", "Std.Err"), ("z", "z-value"), ("pvalue", "P(>|z|)")]
    fiml = result.get("missing") == "fiml"
    if result.get("se") == "bootstrap" and boot:
        lines = [_line("Standard errors", "Bootstrap"),
                 _line("Number of requested bootstrap draws", f"{boot.get('n_boot')}"),
                 _line("Number of successful bootstrap draws", f"{boot.get('n_used')}")]
        cols += [("ci_lower", "ci.lower"), ("ci_upper", "ci.upper")]
    elif estimator == "MLR" or fiml:
        lines = [_line("Standard errors", "Sandwich" if estimator == "MLR" else "Standard"),
                 _line("Information bread" if estimator == "MLR" else "Information",
                       "Observed"), _line("Observed information based on", "Hessian")]
    else:
        se = "Robust.sem" if estimator in ("MLM", "WLSMV") else "Standard"
        h1 = "Unstructured" if estimator in ("DWLS", "WLSMV") else "Structured"
        lines = [_line("Standard errors", se), _line("Information", "Expected"),
                 _line("Information saturated (h1) model", h1)]
    return lines, cols + [("std_lv", "Std.lv"), ("std_all", "Std.all")]


# ------------------------------------------------------------------------------------------
# Parameter table
# ------------------------------------------------------------------------------------------
def _cell(x, width: int = 9, digits: int = 3) -> str:
    return " " * width if x is None else f"{round(x, digits) + 0.0:{width}.{digits}f}"


def _dotted(rows: list[dict]):
    """A function naming a variable as lavaan's summary does: ``.x1`` for an observed or an
    endogenous latent variable (a residual), ``f`` for an exogenous latent one."""
    latent = {r["lhs"] for r in rows if r["op"] in ("=~", "<~")}
    endo = {r["lhs"] for r in rows if r["op"] == "~"} | {r["rhs"] for r in rows
                                                         if r["op"] == "=~"}

    def name(v: str) -> str:
        return f".{v}" if (v not in latent or v in endo) else v
    return name


def _label_cell(name: str, label: str, dot: bool) -> str:
    text = f"   {name}" if dot else f"    {name}"
    if label:
        tag = f"({label})"
        return f"{text[:17 - len(tag)]:<{18 - len(tag)}}{tag}"
    return text[:17].ljust(18)


def _select(rows: list[dict], key: str) -> list[dict]:
    if key == "cov":
        return [r for r in rows if r["op"] == "~~" and r["lhs"] != r["rhs"]]
    if key == "var":
        return [r for r in rows if r["op"] == "~~" and r["lhs"] == r["rhs"]]
    return [r for r in rows if r["op"] == key]


def _section_rows(key: str, sel: list[dict], columns, dotted) -> list[str]:
    out: list[str] = []
    group = None
    for r in sel:
        if key in ("=~", "<~", "~", "cov") and r["lhs"] != group:
            group = r["lhs"]
            head = dotted(group) if key == "cov" else group
            pad = " " if key == "cov" and head.startswith(".") else "  "
            out.append(f"{pad}{head} {r['op']}")
        if key == "|":
            name, dot = f"{r['lhs']}|{r['rhs']}", False
        elif key in ("var", "~1"):
            name = dotted(r["lhs"])
            dot = name.startswith(".")
        elif key == "cov":
            name = dotted(r["rhs"])
            dot = name.startswith(".")
        else:
            name, dot = r["rhs"] if key != "~*~" else r["lhs"], False
        cells = "".join(_cell(r.get(c)) for c, _ in columns)
        out.append(_label_cell(name, r.get("label") or "", dot) + cells)
    return out


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> list[str]:
    """Rows grouped as lavaan's summary: ``lhs op`` headers, one line per ``rhs``."""
    head = " " * 18 + "".join(f"{t:>9}" for _, t in columns)
    dotted = _dotted(rows)
    out: list[str] = []
    for key, title in _SECTIONS:
        sel = _select(rows, key)
        if sel:
            out += ["", f"{title}:", head] + _section_rows(key, sel, columns, dotted)
    return out


def _defined(rows: list[dict], columns) -> list[str]:
    sel = [r for r in rows if r["op"] == ":="]
    if not sel:
        return []
    head = " " * 18 + "".join(f"{t:>9}" for _, t in columns)
    return ["", "Defined Parameters:", head] + [
        _label_cell(r["lhs"], "", False) + "".join(_cell(r.get(c)) for c, _ in columns)
        for r in sel]


def _r2_lines(r2: dict) -> list[str]:
    if not r2:
        return []
    return ["", "R-Square:", " " * 18 + f"{'Estimate':>9}"] + [
        f"    {k}"[:17].ljust(18) + _cell(v) for k, v in r2.items()]


def _parameter_lines(result: dict, columns) -> list[str]:
    params = result["parameters"]
    r2 = result.get("r2") or {}
    groups = result.get("groups") or []
    if not groups:
        return _table(params, columns) + _r2_lines(r2) + _defined(params, columns)
    out: list[str] = []
    for k, g in enumerate(groups, 1):
        rows = [r for r in params if r.get("group") == g["group"]]
        out += ["", "", f"Group {k} [{g['group']}]:"]
        out += _table(rows, columns) + _r2_lines(r2.get(str(g["group"])) or {})
    return out + _defined([r for r in params if r["op"] == ":="], columns)


def format_text(result: dict, estimator: str | None = None) -> str:
    """Readable summary of a fit, laid out like lavaan's ``summary()``.

    Parameters
    ----------
    result : dict
        ``to_json()`` of a fit (``parameters``, ``fit_measures``; optionally ``r2`` (per group
        label for several groups), ``groups``, ``converged``, ``warnings``, ``n``,
        ``iterations``, ``estimator``, ``missing``), with ``"se": "bootstrap"`` and the
        ``bootstrap`` block of ``replicate fit --bootstrap`` when present.
    estimator : str, optional
        Printed in the header; ``result["estimator"]`` (or ML) when not given.

    Returns
    -------
    str
        Warnings first, then the header, the fit measures (lavaan's labels; Standard and
        Scaled columns when the fit has a scaled test), the parameter table by section and
        R-squared (per group for several groups). Missing values (``null``) print as blanks,
        as lavaan prints fixed parameters.

    Raises
    ------
    InputError
        When ``result`` lacks ``parameters`` or ``fit_measures``.

    Notes
    -----
    Numbers have three decimals as in lavaan's ``summary(fit, fit.measures = TRUE,
    standardized = TRUE)``; counts are integers.
    """
    if not isinstance(result, dict) or "parameters" not in result or "fit_measures" not in result:
        raise InputError("format_text: expected a fit as a dict with 'parameters' and "
                         "'fit_measures'")
    est = estimator or result.get("estimator") or "ML"
    fm = result["fit_measures"]
    lines: list[str] = []
    warn = result.get("warnings") or []
    if warn:
        lines += ["Warnings:"] + [f"  {w}" for w in warn] + [""]
    lines += _header(result, est)
    if fm.get("chisq.scaled") is not None:
        lines += _scaled_fit_lines(result, fm, est)
    else:
        lines += _plain_fit_lines(fm)
    se_lines, columns = _se_lines(result, est)
    lines += ["", "Parameter Estimates:", ""] + se_lines
    lines += _parameter_lines(result, columns)
    return "\n".join(lines) + "\n"
