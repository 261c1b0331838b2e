# Reference values from lavaan for robust maximum likelihood (tests/test_robust.py): MLM
# (Satorra-Bentler scaled test, robust.sem standard errors), MLR (Yuan-Bentler test, Mplus
# variant, Huber-White standard errors), their scaled and robust fit measures, and the
# Satorra-Bentler (2001) scaled chi-square difference test of nested models.
# Writes tests/fixtures/estimators/robust_<case>.json and the data it fits
# (holzinger_swineford_school.csv; bfi_nc.csv when the psych package is installed).
# Run from the repository root:  Rscript scripts/robust_fixtures.R
# Needs R >= 4 with lavaan; psych (Debian r-cran-psych) for the bfi survey items.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "estimators")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

param_rows <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  pe <- pe[pe$op %in% c("=~", "~", "~~", "~1", ":="), ]
  data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
             std.lv = pe$std.lv, std.all = pe$std.all, stringsAsFactors = FALSE)
}

robust_case <- function(case, model, data_file, data, estimator, missing = "listwise") {
  fit <- cfa(model, data = data, estimator = estimator, missing = missing)
  obj <- list(case = case, model = model, data = data_file, estimator = estimator,
              missing = missing,
              call = paste0("cfa(model, data, estimator = \"", estimator,
                            "\", missing = \"", missing, "\")"),
              lavaan_version = as.character(packageVersion("lavaan")),
              ntotal = lavInspect(fit, "ntotal"),
              parameters = param_rows(fit),
              fit_measures = as.list(fitMeasures(fit)))
  write_json_file(obj, file.path(out_dir, paste0("robust_", case, ".json")))
  fit
}

# Satorra-Bentler (2001) scaled difference test of two nested fits
diff_case <- function(case, fit1, fit0, model1, model0, data_file, estimator) {
  lrt <- lavTestLRT(fit1, fit0, method = "satorra.bentler.2001")
  obj <- list(case = case, data = data_file, estimator = estimator,
              model1 = model1, model0 = model0,
              call = "lavTestLRT(fit1, fit0, method = \"satorra.bentler.2001\")",
              lavaan_version = as.character(packageVersion("lavaan")),
              chisq_diff = lrt[2, "Chisq diff"], df_diff = lrt[2, "Df diff"],
              pvalue = lrt[2, "Pr(>Chisq)"])
  write_json_file(obj, file.path(out_dir, paste0("sbdiff_", case, ".json")))
}

# HolzingerSwineford1939 with missing answers (tests/fixtures/lavaan), MLR with FIML
hs_miss <- read.csv(file.path("tests", "fixtures", "lavaan", "holzinger_swineford_missing.csv"))
write.csv(hs_miss, file.path(out_dir, "holzinger_swineford_missing.csv"), row.names = FALSE,
          na = "")

hs <- HolzingerSwineford1939[, c("school", "sex", "grade", paste0("x", 1:9))]
write.csv(hs, file.path(out_dir, "holzinger_swineford_school.csv"), row.names = FALSE)
hs_file <- "holzinger_swineford_school.csv"
m3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
m3o <- paste0(m3, "visual ~~ 0*textual\nvisual ~~ 0*speed\ntextual ~~ 0*speed\n")
for (est in c("MLM", "MLR")) {
  f1 <- robust_case(paste0("hs_", tolower(est)), m3, hs_file, hs, est)
  f0 <- robust_case(paste0("hs_orth_", tolower(est)), m3o, hs_file, hs, est)
  diff_case(paste0("hs_orth_", tolower(est)), f1, f0, m3, m3o, hs_file, est)
}

invisible(robust_case("hs_fiml_mlr", m3, "holzinger_swineford_missing.csv", hs_miss, "MLR",
                      missing = "ml"))

# bfi (psych): 2800 answers to 25 six-point personality items (SAPA project); neuroticism
# and conscientiousness, rows with a missing answer removed
if (requireNamespace("psych", quietly = TRUE)) {
  data("bfi", package = "psych", envir = environment())
  nc_items <- c(paste0("N", 1:5), paste0("C", 1:5))
  bfi_nc <- bfi[, c(nc_items, "gender", "education", "age")]
  write.csv(bfi_nc, file.path(out_dir, "bfi_nc.csv"), row.names = FALSE, na = "")
  mb <- "neuro =~ N1 + N2 + N3 + N4 + N5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"
  mb0 <- paste0(mb, "neuro ~~ 0*consc\n")
  for (est in c("MLM", "MLR")) {
    f1 <- robust_case(paste0("bfi_", tolower(est)), mb, "bfi_nc.csv", bfi_nc, est)
    f0 <- robust_case(paste0("bfi_orth_", tolower(est)), mb0, "bfi_nc.csv", bfi_nc, est)
    diff_case(paste0("bfi_orth_", tolower(est)), f1, f0, mb, mb0, "bfi_nc.csv", est)
  }
  # MLR with full-information ML on every row with at least one answer (missing = "ml")
  invisible(robust_case("bfi_fiml_mlr", mb, "bfi_nc.csv", bfi_nc, "MLR", missing = "ml"))
} else {
  cat("psych is not installed: bfi fixtures not written\n")
}
