# Reference bootstrap from lavaan for tests/test_bootstrap.py: PoliticalDemocracy, ind60 ->
# dem60 -> dem65 with the indirect effect, se = "bootstrap" with 2,000 resamples: bootstrap
# standard errors, percentile intervals, and the number of resamples that failed or did not
# converge (dropped) and that ended with an inadmissible solution (kept, with a warning).
# Writes tests/fixtures/bootstrap/pd_boot.json. Run from the repository root:
#   Rscript scripts/bootstrap_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "bootstrap")
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

pd <- read.csv(file.path("tests", "fixtures", "lavaan", "political_democracy.csv"))
model <- paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + y2 + y3 + y4",
               "dem65 =~ y5 + y6 + y7 + y8", "dem60 ~ a*ind60", "dem65 ~ b*dem60 + ind60",
               "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
               "ind := a*b", sep = "\n")
n_boot <- 2000L
set.seed(2024)
t0 <- proc.time()[["elapsed"]]
fit <- withCallingHandlers(
  lavaan(model, data = pd, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE,
         se = "bootstrap", bootstrap = n_boot),
  warning = function(w) invokeRestart("muffleWarning"))
elapsed <- proc.time()[["elapsed"]] - t0
boot <- lavInspect(fit, "boot")
failed <- attr(boot, "error.idx")
inadmissible <- attr(boot, "nonadmissible")
pe <- parameterEstimates(fit, boot.ci.type = "perc")
write_json_file(list(
  model = model, data = "political_democracy.csv", n_boot = n_boot,
  lavaan_version = as.character(packageVersion("lavaan")),
  n_failed = length(failed), n_inadmissible = length(inadmissible),
  seconds = elapsed,
  parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                          z = pe$z, pvalue = pe$pvalue, ci_lower = pe$ci.lower,
                          ci_upper = pe$ci.upper, stringsAsFactors = FALSE)),
  file.path(out_dir, "pd_boot.json"))
