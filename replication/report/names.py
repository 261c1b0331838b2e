"""How a reader sees the internal names of result tables: column headings and measure names.

Used by :mod:`replication.report.tables`; a new result column gets its heading here.
"""

from __future__ import annotations

__all__ = ["COLUMN_NAMES", "VALUE_NAMES"]

#: Internal column names and how a reader sees them.
COLUMN_NAMES: dict[str, str] = {
    "field": "Field", "value": "Value", "target": "Record field", "reason": "Reason",
    "measure": "Measure", "category": "Category", "printed": "Printed", "status": "Status",
    "where": "Where", "check": "Check", "reported": "Reported",
    "recomputed": "Recomputed", "detail": "Detail", "construct": "Construct", "item": "Item",
    "quantity": "Quantity", "reference": "Reference", "replicated": "Replicated",
    "difference": "Difference", "tolerance": "Tolerance", "verdict": "Verdict",
    "path": "Path", "hypothesis": "Hypothesis", "read_as": "Read as", "label": "Label",
    "kind": "Kind", "effect": "Effect", "effect_status": "Effect", "sign": "Sign",
    "magnitude_status": "Magnitude", "statement": "Statement",
    "paper_verdict": "Paper", "paper_supported": "Paper",
    "replicated_supported": "Replication", "estimate": "Estimate",
    "std_estimate": "Std. estimate", "pvalue": "p", "ci_low": "CI low", "ci_high": "CI high",
    "ci": "95% CI", "bc_ci": "BC 95% CI", "n_items": "Items", "alpha": "Cronbach's \u03b1",
    "cr": "CR", "ave": "AVE", "min_loading": "Lowest loading", "max_loading": "Highest loading",
    "sqrt_ave": "\u221aAVE", "max_abs_corr": "Largest |r|", "passes": "Passes",
    "y": "Outcome", "x": "Predictor", "m": "Moderator", "step": "Step", "n": "N", "k": "k",
    "r2": "R\u00b2", "adj_r2": "Adj. R\u00b2", "delta_r2": "\u0394R\u00b2",
    "f_change": "F change", "df1": "df1", "df2": "df2", "p_change": "p (F change)",
    "term": "Term", "b": "b", "se": "S.E.", "t": "t", "z": "z", "beta": "\u03b2",
    "sd_units": "Moderator at", "m_value": "Moderator value", "slope": "Slope",
    "df": "df", "intercept": "Intercept", "x_mean": "Mean of x", "x_sd": "SD of x",
    "region": "Region", "bound_1": "Johnson-Neyman bound", "bound_2": "second bound",
    "share_significant": "Share significant",
    "m_min": "Moderator min", "m_max": "Moderator max", "lhs": "lhs", "op": "op", "rhs": "rhs",
    "est": "Estimate", "std_all": "Std.all", "std_lv": "Std.lv", "interaction": "Interaction",
    "std_slope": "Std. slope", "mediation": "Mediation", "mediator": "Mediator",
    "boot_se": "Bootstrap S.E.", "bc_low": "BC low", "bc_high": "BC high",
    "excludes_zero": "CI excludes 0", "bc_excludes_zero": "BC CI excludes 0",
    "n_boot_ok": "Resamples", "n_boot_failed": "Failed resamples", "count": "Count",
    "version": "Version", "findings": "Findings", "source": "Source", "seed": "Seed",
    "n_rows": "Rows", "note": "Note", "mean": "Mean", "sd": "SD", "std": "Std. estimate",
    "original": "Original", "replication": "Replication", "power": "Power", "mcse": "MC S.E.",
    "agreement": "Agreement", "classification": "Classification",
    "model": "Model", "npar": "Parameters", "group_equal": "Equal across groups",
    "delta_chisq": "\u0394\u03c7\u00b2",
    "delta_df": "\u0394df", "delta_pvalue": "p (\u0394\u03c7\u00b2)", "delta_cfi": "\u0394CFI",
    "delta_rmsea": "\u0394RMSEA", "delta_srmr": "\u0394SRMR", "chen": "Chen (2007)",
    "est_original": "Original", "est_replication": "Replication", "differs": "Differs",
}

#: Names of measures and quantities (row labels of fit and comparison tables).
VALUE_NAMES: dict[str, str] = {
    "chisq": "\u03c7\u00b2", "df": "df", "pvalue": "p", "chisq_df": "\u03c7\u00b2/df",
    "cfi": "CFI", "tli": "TLI", "nfi": "NFI", "ifi": "IFI", "gfi": "GFI", "agfi": "AGFI",
    "rmsea": "RMSEA", "rmsea.ci.lower": "RMSEA 90% CI low", "rmsea.ci.upper": "RMSEA 90% CI high",
    "rmsea.pvalue": "RMSEA p-close", "srmr": "SRMR", "aic": "AIC", "bic": "BIC",
    "sabic": "SABIC", "bic2": "SABIC", "logl": "Log-likelihood", "npar": "Parameters",
    "ntotal": "N", "baseline.chisq": "\u03c7\u00b2 (baseline)", "baseline.df": "df (baseline)",
    "baseline.pvalue": "p (baseline)", "chisq_baseline": "\u03c7\u00b2 (baseline)",
    "df_baseline": "df (baseline)", "chisq.scaled": "\u03c7\u00b2 (scaled)",
    "df.scaled": "df (scaled)", "pvalue.scaled": "p (scaled)", "cfi.robust": "CFI (robust)",
    "tli.robust": "TLI (robust)", "rmsea.robust": "RMSEA (robust)",
    "chisq.scaling.factor": "Scaling factor", "unrestricted.logl": "Log-likelihood (H1)",
    "estimate": "estimate", "statistic": "t / C.R.", "std": "std. estimate",
    "loading": "loading", "alpha": "Cronbach's \u03b1", "cr": "CR", "ave": "AVE",
    "mean": "mean", "sd": "SD", "first_factor_share": "first factor share",
    "first_factor_percent": "first factor (% of variance)",
    "not_checkable": "not checkable", "total_indirect": "total indirect",
    "published": "printed", "n_eigen_gt_1": "eigenvalues > 1",
    "cumulative_share_gt_1": "variance explained (eigenvalues > 1)",
    "first_eigenvalue": "first eigenvalue", "n_obs": "N", "n_items": "items",
}
