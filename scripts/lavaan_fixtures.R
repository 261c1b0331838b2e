# Reference values from lavaan for the tests of replication.engine.sem, replication.engine.bootstrap and
# replication.engine.fit_indices. Writes tests/fixtures/lavaan/<case>.json (and the data as CSV).
# Run from the repository root, after `python scripts/lavaan_fixture_data.py`:
#   Rscript scripts/lavaan_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "lavaan")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

source(file.path("scripts", "json_writer.R"))  # to_json(): base-R JSON writer

fit_names <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi",
               "tli", "nfi", "ifi", "logl", "unrestricted.logl", "aic", "bic", "ntotal",
               "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "gfi", "agfi")

describe <- function(fit, case, model, data_file, call) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  pe <- pe[pe$op %in% c("=~", "~", "~~", ":="), ]
  params <- data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, label = if (is.null(pe$label)) rep("", nrow(pe)) else pe$label,
                       est = pe$est, se = pe$se, z = pe$z, pvalue = pe$pvalue,
                       std_all = pe$std.all, stringsAsFactors = FALSE)
  fm <- fitMeasures(fit, fit_names)
  r2 <- inspect(fit, "r2")
  mi <- modindices(fit, sort. = TRUE)
  mi <- data.frame(lhs = mi$lhs, op = mi$op, rhs = mi$rhs, mi = mi$mi, epc = mi$epc,
                   stringsAsFactors = FALSE)
  implied <- fitted(fit)$cov
  list(case = case, call = call, model = model, data = data_file,
       lavaan_version = as.character(packageVersion("lavaan")),
       converged = lavInspect(fit, "converged"),
       parameters = params,
       fit_measures = as.list(setNames(as.numeric(fm), names(fm))),
       r2 = as.list(r2),
       modindices = mi,
       implied_cov = list(names = colnames(implied),
                          values = lapply(seq_len(nrow(implied)), function(i) as.numeric(implied[i, ]))))
}

write_case <- function(obj, case) {
  path <- file.path(out_dir, paste0(case, ".json"))
  writeLines(to_json(obj), path)
  cat("wrote", path, "\n")
}

auto_lavaan <- function(model, data, ...) {
  lavaan(model, data = data, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE, ...)
}

# ---------------------------------------------------------------- HolzingerSwineford1939 CFA
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(hs, file.path(out_dir, "holzinger_swineford.csv"), row.names = FALSE)
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
fit <- cfa(hs_model, data = hs)
write_case(describe(fit, "hs_cfa", hs_model, "holzinger_swineford.csv", "cfa"), "hs_cfa")

# ---------------------------------------------------------------- full-information ML
hs_miss <- hs
set.seed(20240503)
for (j in seq_len(ncol(hs_miss))) hs_miss[sample(nrow(hs_miss), 30), j] <- NA
write.csv(hs_miss, file.path(out_dir, "holzinger_swineford_missing.csv"), row.names = FALSE,
          na = "")
fit <- cfa(hs_model, data = hs_miss, missing = "ml")
write_case(describe(fit, "hs_fiml", hs_model, "holzinger_swineford_missing.csv", "cfa_fiml"),
           "hs_fiml")

# ---------------------------------------------------------------- PoliticalDemocracy SEM
pd <- PoliticalDemocracy
write.csv(pd, file.path(out_dir, "political_democracy.csv"), row.names = FALSE)
pd_model <- paste(
  "ind60 =~ x1 + x2 + x3",
  "dem60 =~ y1 + y2 + y3 + y4",
  "dem65 =~ y5 + y6 + y7 + y8",
  "dem60 ~ ind60",
  "dem65 ~ ind60 + dem60",
  "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8", sep = "\n")
fit <- sem(pd_model, data = pd)
write_case(describe(fit, "pd_sem", pd_model, "political_democracy.csv", "sem"), "pd_sem")

# ---------------------------------------------------------------- live_commerce-shaped synthetic
lc <- read.csv(file.path(out_dir, "live_commerce_synth.csv"))
lc_meas <- paste(
  "T =~ T1 + T2 + T3", "SN =~ SN1 + SN2 + SN3", "PI =~ PI1 + PI2 + PI3",
  "HI =~ HI1 + HI2 + HI3", "MI =~ MI1 + MI2 + MI3", "RB =~ RB1 + RB2 + RB3",
  "RD =~ RD1 + RD2 + RD3", sep = "\n")
lc_sem_model <- paste(lc_meas, "PI ~ T + SN", "HI ~ T + SN", "MI ~ T + SN",
                      "RB ~ PI + HI + MI", "RD ~ PI + HI + MI", "T ~~ SN", sep = "\n")
fit <- auto_lavaan(lc_sem_model, lc)
write_case(describe(fit, "lc_lavaan", lc_sem_model, "live_commerce_synth.csv", "lavaan_auto"),
           "lc_lavaan")
fit <- sem(lc_sem_model, data = lc)
write_case(describe(fit, "lc_sem", lc_sem_model, "live_commerce_synth.csv", "sem"), "lc_sem")
fit <- cfa(lc_meas, data = lc)
write_case(describe(fit, "lc_cfa", lc_meas, "live_commerce_synth.csv", "cfa"), "lc_cfa")

# ---------------------------------------------------------------- bootstrap of an indirect effect
med_model <- paste("T =~ T1 + T2 + T3", "PI =~ PI1 + PI2 + PI3", "RB =~ RB1 + RB2 + RB3",
                   "PI ~ a*T", "RB ~ b*PI + c*T", "ind := a*b", "total := c + a*b", sep = "\n")
set.seed(20240502)
fit <- sem(med_model, data = lc, se = "bootstrap", bootstrap = 1000)
pe <- parameterEstimates(fit, boot.ci.type = "perc", level = 0.95)
boot <- lavInspect(fit, "boot")
boot_obj <- list(case = "med_boot", model = med_model, data = "live_commerce_synth.csv",
                 lavaan_version = as.character(packageVersion("lavaan")),
                 n_boot = 1000, seed = 20240502,
                 n_ok = nrow(boot),
                 parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, label = pe$label,
                                         est = pe$est, se = pe$se, ci_lower = pe$ci.lower,
                                         ci_upper = pe$ci.upper, stringsAsFactors = FALSE))
write_case(boot_obj, "med_boot")
