# Reference values from semTools and lavaan for the tests of replication.analyses.power and
# replication.analyses.montecarlo.
# Run from the repository root:  Rscript scripts/power_fixtures.R
# Needs R >= 4 with lavaan and semTools (Debian: r-cran-lavaan r-cran-semtools).
#
# 1. rmsea.json: analytic RMSEA power and sample size (MacCallum, Browne & Sugawara 1996) from
#    semTools findRMSEApower / findRMSEAsamplesize (noncentrality (N - 1) df RMSEA^2).
# 2. montecarlo_<case>.json: a lavaan simulate-and-fit loop on held-out population models
#    (continuous and Likert data), per path: power of the two-sided Wald z in the hypothesised
#    direction, Monte Carlo SE, convergence, bias, relative SE bias and 95% coverage.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
source(file.path("scripts", "json_writer.R"))
out_dir <- file.path("tests", "fixtures", "power")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# ---- 1. analytic RMSEA power ------------------------------------------------------------------
power_cases <- list(
  list(rmsea0 = 0, rmsea = 0.05, df = 50, n = 243),
  list(rmsea0 = 0, rmsea = 0.05, df = 50, n = 200),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 100, n = 132),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 20, n = 200),
  list(rmsea0 = 0.05, rmsea = 0.01, df = 40, n = 300),
  list(rmsea0 = 0, rmsea = 0.03, df = 243, n = 525),
  list(rmsea0 = 0.05, rmsea = 0.10, df = 5, n = 100))
power_rows <- lapply(power_cases, function(k) c(k, list(
  power = findRMSEApower(rmsea0 = k$rmsea0, rmseaA = k$rmsea, df = k$df, n = k$n, alpha = 0.05))))
size_cases <- list(
  list(rmsea0 = 0, rmsea = 0.05, df = 50, power = 0.80),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 100, power = 0.80),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 20, power = 0.90),
  list(rmsea0 = 0.05, rmsea = 0.01, df = 40, power = 0.80),
  list(rmsea0 = 0, rmsea = 0.08, df = 10, power = 0.95),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 2, power = 0.80))
size_rows <- lapply(size_cases, function(k) c(k, list(
  n = findRMSEAsamplesize(rmsea0 = k$rmsea0, rmseaA = k$rmsea, df = k$df, power = k$power,
                          alpha = 0.05))))
write_json_file(list(semtools_version = as.character(packageVersion("semTools")), alpha = 0.05,
                     power = power_rows, sample_size = size_rows),
                file.path(out_dir, "rmsea.json"))
