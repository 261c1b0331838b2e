"""Text summary of a fitted model, laid out like lavaan's ``summary()``.

:func:`format_text` takes the JSON-ready dict of a fit (:meth:`FitResult.to_json`, with the
``bootstrap`` block of ``replicate fit --bootstrap`` when present) and prints warnings first,
then the header (estimator, iterations, observations), the fit measures in lavaan's sections
(``summary(fit, fit.measures = TRUE, standardized = TRUE)``), the parameter table with
``Estimate, Std.Err, z-value, P(>|z|), Std.lv, Std.all`` (bootstrap standard errors and
percentile limits when the standard errors are the bootstrap's), and R-squared.
"""

from __future__ import annotations

from replication.engine.errors import InputError

__all__ = ["format_text"]

_FIT_SECTIONS = [
    ("Model Test User Model:", [
        ("chisq", "Test statistic"), ("df", "Degrees of freedom"),
        ("pvalue", "P-value (Chi-square)"), ("chisq_df", "Chi-square / df")]),
    ("Model Test Baseline Model:", [
        ("baseline.chisq", "Test statistic"), ("baseline.df", "Degrees of freedom")]),
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
        ("rmsea.pvalue", "P-value H_0: RMSEA <= 0.050")]),
    ("Standardized Root Mean Square Residual:", [("srmr", "SRMR")]),
    ("Goodness of Fit Index:", [
        ("gfi", "Goodness of Fit Index (GFI)"), ("agfi", "Adjusted Goodness of Fit Index (AGFI)")]),
]
_COUNTS = {"ntotal", "npar", "df", "baseline.df"}
_SECTIONS = [("=~", "Latent Variables"), ("~", "Regressions"), ("cov", "Covariances"),
             ("var", "Variances"), (":=", "Defined Parameters")]


def _cell(x, width: int, digits: int = 3) -> str:
    return " " * width if x is None else f"{x:{width}.{digits}f}"


def _line(label: str, value: str, indent: int = 2) -> str:
    return f"{' ' * indent}{label:<{52 - indent}}{value:>10}"


def _table(rows: list[dict], columns: list[tuple[str, str]], indent: int = 20) -> list[str]:
    """Rows grouped as lavaan's summary: ``lhs op`` headers, one line per ``rhs``."""
    widths = [max(9, len(title) + 1) for _, title in columns]
    head = " " * indent + "".join(f"{t:>{w}}" for (_, t), w in zip(columns, widths))
    out: list[str] = []
    for key, title in _SECTIONS:
        if key == "cov":
            sel = [r for r in rows if r["op"] == "~~" and r["lhs"] != r["rhs"]]
        elif key == "var":
            sel = [r for r in rows if r["op"] == "~~" and r["lhs"] == r["rhs"]]
        else:
            sel = [r for r in rows if r["op"] == key]
        if not sel:
            continue
        out += ["", f"{title}:", head]
        group = None
        for r in sel:
            if key in ("=~", "~", "cov") and r["lhs"] != group:
                group = r["lhs"]
                out.append(f"  {group} {r['op']}")
            name = r["lhs"] if key in ("var", ":=") else r["rhs"]
            label = f"    {name}"[:indent - 1].ljust(indent)
            out.append(label + "".join(_cell(r.get(c), w) for (c, _), w in zip(columns, widths)))
    return out


def _header(result: dict, estimator: str) -> list[str]:
    fm = result["fit_measures"]
    lines = [_line("Estimator", estimator, 0)]
    if fm.get("npar") is not None:
        lines.append(_line("Number of model parameters", f"{int(fm['npar'])}", 0))
    if "iterations" in result:
        lines.append(_line("Number of iterations", f"{int(result['iterations'])}", 0))
    if "converged" in result:
        lines.append(_line("Converged", "yes" if result["converged"] else "no", 0))
    if fm.get("ntotal") is not None:
        lines.append(_line("Number of observations", f"{int(fm['ntotal'])}", 0))
    return lines


def _fit_lines(fm: dict) -> list[str]:
    lines: list[str] = []
    for title, keys in _FIT_SECTIONS:
        rows = []
        for key, label in keys:
            if key not in fm:
                continue
            v = fm[key]
            text = "" if v is None else (f"{int(v)}" if key in _COUNTS else f"{v:.3f}")
            rows.append(_line(label, text))
        if rows:
            lines += ["", title, ""] + rows
    return lines


def _bootstrap_lines(result: dict) -> tuple[list[str], list[tuple[str, str]]]:
    """Header lines and table columns of the parameter section."""
    boot = result.get("bootstrap")
    cols = [("est", "Estimate"), ("se", "Std.Err"), ("z", "z-value"), ("pvalue", "P(>|z|)")]
    if result.get("se") == "bootstrap" and boot:
        lines = [_line("Standard errors", "Bootstrap"),
                 _line("Number of requested bootstrap draws", f"{boot.get('n_boot')}"),
                 _line("Number of successful bootstrap draws", f"{boot.get('n_used')}")]
        cols += [("ci_lower", "ci.lower"), ("ci_upper", "ci.upper")]
    else:
        lines = [_line("Standard errors", "Standard"), _line("Information", "Expected")]
    return lines, cols + [("std_lv", "Std.lv"), ("std_all", "Std.all")]


def format_text(result: dict, estimator: str = "ML") -> str:
    """Readable summary of a fit, laid out like lavaan's ``summary()``.

    Parameters
    ----------
    result : dict
        :meth:`FitResult.to_json` output (``parameters``, ``fit_measures``; optionally ``r2``,
        ``converged``, ``warnings``, ``n``, ``iterations``), with ``"se": "bootstrap"`` and the
        ``bootstrap`` block of ``replicate fit --bootstrap`` when present.
    estimator : str
        Printed in the header.

    Returns
    -------
    str
        Warnings first, then the header, the fit measures (lavaan's labels), the parameter
        table by section (latent variables, regressions, covariances, variances, defined
        parameters) and R-squared. Missing values (``null``) print as blanks, as lavaan prints
        fixed parameters.

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
    lines: list[str] = []
    warn = result.get("warnings") or []
    if warn:
        lines += ["Warnings:"] + [f"  {w}" for w in warn] + [""]
    lines += _header(result, estimator)
    lines += _fit_lines(result["fit_measures"])
    se_lines, columns = _bootstrap_lines(result)
    lines += ["", "Parameter Estimates:", ""] + se_lines
    lines += _table(result["parameters"], columns)
    r2 = result.get("r2") or {}
    if r2:
        lines += ["", "R-Square:", " " * 20 + f"{'Estimate':>9}"]
        lines += [f"    {k}"[:19].ljust(20) + _cell(v, 9) for k, v in r2.items()]
    return "\n".join(lines) + "\n"
