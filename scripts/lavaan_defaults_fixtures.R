# Reference values from lavaan for its automatic defaults that change the model:
#   fixed.x = TRUE (observed predictors; GFI gives their moments zero weight) and
#   auto.fix.single = TRUE (the only indicator of a latent variable has residual variance 0).
# Writes tests/fixtures/lavaan/defaults.json. Run from the repository root:
#   Rscript scripts/lavaan_defaults_fixtures.R
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))

d <- read.csv(file.path("tests", "fixtures", "lavaan", "holzinger_swineford.csv"))
names_fm <- c("chisq", "df", "pvalue", "cfi", "tli", "nfi", "ifi", "gfi", "agfi", "rmsea",
              "srmr", "baseline.chisq", "baseline.df")
cases <- list(
  list(case = "latent_on_observed", model = "visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", fun = "sem"),
  list(case = "observed_outcome", model = "visual =~ x1 + x2 + x3\nx9 ~ visual + x4 + x5", fun = "sem"),
  list(case = "single_indicator",
       model = "visual =~ x1 + x2 + x3\nsingle =~ x4\ntextual =~ x5 + x6\ntextual ~ visual + single",
       fun = "lavaan")
)
out <- lapply(cases, function(cs) {
  fit <- if (cs$fun == "sem") sem(cs$model, data = d) else
    lavaan(cs$model, data = d, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE,
           auto.fix.single = TRUE)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op %in% c("=~", "~", "~~"), ]
  list(case = cs$case, model = cs$model, call = cs$fun,
       fit_measures = as.list(unclass(fitMeasures(fit, names_fm))),
       parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                               std_all = pe$std.all))
})
writeLines(to_json(out), file.path("tests", "fixtures", "lavaan", "defaults.json"))
cat("wrote tests/fixtures/lavaan/defaults.json\n")
