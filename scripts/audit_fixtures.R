# Reference values from lavaan and semTools for the audit of published reports
# (tests/test_audit_published.py): fitMeasures (rmsea and its 90% interval, rmsea.pvalue,
# pgfi, pnfi, aic, bic, gfi, nfi, baseline chi-square) of several models of Holzinger and
# Swineford (first-order, one factor, second-order, orthogonal bifactor), their df, and
# lavTestLRT differences of nested models: plain and scaled (MLM, method
# "satorra.bentler.2001"); semTools' htmt (HTMT2 and arithmetic HTMT) for the three-factor
# model's items.
# Writes tests/fixtures/audit/hs_models.json, hs_lrt.json and hs_htmt.json.
# Run from the repository root:  Rscript scripts/audit_fixtures.R
suppressPackageStartupMessages({library(lavaan); library(semTools)})
out_dir <- file.path("tests", "fixtures", "audit")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
source(file.path("scripts", "json_writer.R"))

hs <- HolzingerSwineford1939
models <- list(
  three = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
  one = "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9",
  orth = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
  second = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ng =~ visual + textual + speed",
  bifactor = paste0("g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\n",
                    "visual =~ x1 + x2 + x3\nspeed =~ x7 + x8 + x9")
)
orth <- c(three = FALSE, one = FALSE, orth = TRUE, second = FALSE, bifactor = TRUE)
keys <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "nfi",
          "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "gfi", "agfi", "pgfi",
          "pnfi", "aic", "bic", "logl", "ntotal")
rkeys <- c("chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
           "baseline.chisq.scaled", "baseline.chisq.scaling.factor")
fits <- list(); fits_mlm <- list(); rows <- list()
for (nm in names(models)) {
  fit <- cfa(models[[nm]], data = hs, orthogonal = orth[[nm]])
  fits[[nm]] <- fit
  fm <- fitMeasures(fit, keys)
  mlm <- cfa(models[[nm]], data = hs, orthogonal = orth[[nm]], estimator = "MLM")
  fits_mlm[[nm]] <- mlm
  fr <- fitMeasures(mlm, rkeys)
  rows[[nm]] <- c(list(name = nm, model = models[[nm]], orthogonal = orth[[nm]]),
                  as.list(setNames(as.numeric(fm), keys)),
                  as.list(setNames(as.numeric(fr), gsub(".", "_", rkeys, fixed = TRUE))))
}
# subsamples: the same three-factor model on the first 150 and 75 rows (RMSEA at other N)
for (k in c(150, 75)) {
  fit <- cfa(models$three, data = hs[seq_len(k), ])
  fm <- fitMeasures(fit, keys)
  rows[[paste0("three_n", k)]] <- c(list(name = paste0("three_n", k), model = models$three,
                                         orthogonal = FALSE),
                                    as.list(setNames(as.numeric(fm), keys)))
}
write_json_file(list(lavaan_version = as.character(packageVersion("lavaan")),
                     data = "HolzingerSwineford1939", models = unname(rows)),
                file.path(out_dir, "hs_models.json"))

lrt <- function(a, b, fl, method) {
  t <- if (is.null(method)) lavTestLRT(fl[[a]], fl[[b]]) else lavTestLRT(fl[[a]], fl[[b]], method = method)
  list(free = a, restricted = b, method = if (is.null(method)) "standard" else method,
       delta_chisq = t[2, "Chisq diff"], delta_df = t[2, "Df diff"], pvalue = t[2, "Pr(>Chisq)"])
}
pairs <- list(c("three", "orth"), c("three", "one"), c("second", "one"), c("bifactor", "three"))
out <- list()
for (p in pairs) {
  out[[length(out) + 1]] <- lrt(p[1], p[2], fits, NULL)
  out[[length(out) + 1]] <- lrt(p[1], p[2], fits_mlm, "satorra.bentler.2001")
}
write_json_file(list(lavaan_version = as.character(packageVersion("lavaan")), tests = out),
                file.path(out_dir, "hs_lrt.json"))

# semTools 0.5-6 defaults to htmt2 = TRUE (geometric means, Roemer et al. 2021); the
# arithmetic HTMT of Henseler et al. (2015) with htmt2 = FALSE. Both with absolute correlations.
h2 <- htmt(models$three, data = hs, htmt2 = TRUE)
h1 <- htmt(models$three, data = hs, htmt2 = FALSE)
write_json_file(list(semtools_version = as.character(packageVersion("semTools")),
                     htmt = h2, htmt_arithmetic = h1), file.path(out_dir, "hs_htmt.json"))
