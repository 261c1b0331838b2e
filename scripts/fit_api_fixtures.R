# Reference layout of lavaan's summary() for the one entry point replication.fit()
# (tests/test_fit_api.py): summary(fit, fit.measures = TRUE, standardized = TRUE,
# rsquare = TRUE) of an ML and an MLR fit of the Holzinger-Swineford CFA and of a two-group
# MLR fit with equal loadings (group = "school"), as plain text, and a WLSMV fit of the bfi
# items. Writes tests/fixtures/estimators/summary_<case>.txt.
# Run from the repository root:  Rscript scripts/fit_api_fixtures.R
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "estimators")
hs <- read.csv(file.path(out_dir, "holzinger_swineford_school.csv"))
bfi <- read.csv(file.path(out_dir, "bfi_nc.csv"))
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
bfi_model <- "neuro =~ N1 + N2 + N3 + N4 + N5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"

write_summary <- function(case, fit) {
  text <- capture.output(summary(fit, fit.measures = TRUE, standardized = TRUE,
                                 rsquare = TRUE))
  writeLines(text, file.path(out_dir, paste0("summary_", case, ".txt")))
}

write_summary("hs_ml", cfa(hs_model, data = hs))
write_summary("hs_mlr", cfa(hs_model, data = hs, estimator = "MLR"))
write_summary("hs_school_mlr_metric", cfa(hs_model, data = hs, estimator = "MLR",
                                          group = "school", group.equal = "loadings"))
write_summary("bfi_nc_wlsmv", cfa(bfi_model, data = bfi, ordered = TRUE,
                                  estimator = "WLSMV"))
