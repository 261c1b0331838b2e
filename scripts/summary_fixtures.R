# Reference values from lavaan for the text summary and the additions to the parameter table
# (tests/test_sem.py): std.lv, the sample-size adjusted BIC (bic2), the RMSEA test of close
# fit (rmsea.pvalue) and the number of iterations, on HolzingerSwineford1939 (CFA) and
# PoliticalDemocracy (SEM). Writes tests/fixtures/summary/summary.json. Run from the repository
# root:  Rscript scripts/summary_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "summary")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

lav_dir <- file.path("tests", "fixtures", "lavaan")
cases <- list(
  list(name = "hs_cfa", data = "holzinger_swineford.csv",
       model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"),
  list(name = "pd_sem", data = "political_democracy.csv",
       model = paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + y2 + y3 + y4",
                     "dem65 =~ y5 + y6 + y7 + y8", "dem60 ~ a*ind60", "dem65 ~ b*dem60 + ind60",
                     "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
                     "ind := a*b", sep = "\n")))
out <- lapply(cases, function(cs) {
  d <- read.csv(file.path(lav_dir, cs$data))
  fit <- lavaan(cs$model, data = d, auto.var = TRUE, auto.fix.first = TRUE,
                auto.cov.lv.x = TRUE)
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit, c("bic2", "rmsea.pvalue", "aic", "bic", "logl"))
  list(name = cs$name, data = cs$data, model = cs$model,
       iterations = lavInspect(fit, "iterations"),
       fit_measures = as.list(fm),
       parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
                               std_lv = pe$std.lv, std_all = pe$std.all,
                               stringsAsFactors = FALSE))
})
write_json_file(list(lavaan_version = as.character(packageVersion("lavaan")), cases = out),
                file.path(out_dir, "summary.json"))
