# Reference values from lavaan for the tests of replication.analyses.mediation: parallel mediation with
# defined indirect effects (:=) and bootstrap standard errors, percentile and bias-corrected
# ("bca.simple") intervals, on latent variables and on composite (mean) scores.
# Run from the repository root:  Rscript scripts/mediation_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-cran-lavaan). Data: tests/fixtures/lavaan/live_commerce_synth.csv
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))
out_dir <- file.path("tests", "fixtures", "mediation")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
lc <- read.csv(file.path("tests", "fixtures", "lavaan", "live_commerce_synth.csv"))
n_boot <- 2000

describe <- function(fit, case, model, seed, data_note) {
  perc <- parameterEstimates(fit, boot.ci.type = "perc", level = 0.95)
  bc <- parameterEstimates(fit, boot.ci.type = "bca.simple", level = 0.95)
  boot <- lavInspect(fit, "boot")
  keep <- perc$op %in% c("~", ":=")
  list(case = case, model = model, data = data_note,
       lavaan_version = as.character(packageVersion("lavaan")),
       n = nobs(fit), n_boot = n_boot, seed = seed, n_ok = nrow(boot),
       parameters = data.frame(lhs = perc$lhs[keep], op = perc$op[keep], rhs = perc$rhs[keep],
                               label = perc$label[keep], est = perc$est[keep],
                               boot_se = perc$se[keep],
                               perc_lower = perc$ci.lower[keep], perc_upper = perc$ci.upper[keep],
                               bc_lower = bc$ci.lower[keep], bc_upper = bc$ci.upper[keep],
                               stringsAsFactors = FALSE))
}

defs <- paste("ind_PI := a1*b1", "ind_HI := a2*b2", "total_indirect := a1*b1 + a2*b2",
              "direct := c", "total := c + a1*b1 + a2*b2", sep = "\n")
structural <- paste("PI ~ a1*T", "HI ~ a2*T", "RB ~ b1*PI + b2*HI + c*T", "PI ~~ HI", sep = "\n")

# ---------------------------------------------------------------- latent parallel mediation
latent_model <- paste("T =~ T1 + T2 + T3", "PI =~ PI1 + PI2 + PI3", "HI =~ HI1 + HI2 + HI3",
                      "RB =~ RB1 + RB2 + RB3", structural, defs, sep = "\n")
set.seed(20240611)
fit <- sem(latent_model, data = lc, se = "bootstrap", bootstrap = n_boot)
write_json_file(describe(fit, "latent_parallel", latent_model, 20240611, "live_commerce_synth.csv"),
                file.path(out_dir, "latent_parallel.json"))

# ---------------------------------------------------------------- composite (mean-score) mediation
comp <- data.frame(T = rowMeans(lc[, c("T1", "T2", "T3")]), PI = rowMeans(lc[, c("PI1", "PI2", "PI3")]),
                   HI = rowMeans(lc[, c("HI1", "HI2", "HI3")]), RB = rowMeans(lc[, c("RB1", "RB2", "RB3")]))
comp_model <- paste(structural, defs, sep = "\n")
set.seed(20240612)
fit <- sem(comp_model, data = comp, se = "bootstrap", bootstrap = n_boot)
write_json_file(describe(fit, "composite_parallel", comp_model, 20240612,
                         "row means of T1-T3, PI1-PI3, HI1-HI3, RB1-RB3 of live_commerce_synth.csv"),
                file.path(out_dir, "composite_parallel.json"))
