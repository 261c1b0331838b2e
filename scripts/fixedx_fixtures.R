# Reference fit measures from lavaan for models with observed predictors (fixed.x = TRUE, lavaan's
# default in sem()), whose GFI gives the moments among those predictors zero weight.
# Writes tests/fixtures/lavaan/fixedx.json. Run from the repository root:
#   Rscript scripts/fixedx_fixtures.R
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))

d <- read.csv(file.path("tests", "fixtures", "lavaan", "holzinger_swineford.csv"))
names_fm <- c("chisq", "df", "pvalue", "cfi", "tli", "nfi", "ifi", "gfi", "agfi", "rmsea",
              "srmr", "baseline.chisq", "baseline.df")
models <- list(
  latent_on_observed = "visual =~ x1 + x2 + x3\nvisual ~ x4 + x5",
  observed_outcome = "visual =~ x1 + x2 + x3\nx9 ~ visual + x4 + x5"
)
out <- lapply(names(models), function(k) {
  fit <- sem(models[[k]], data = d)
  list(case = k, model = models[[k]], call = "sem(model, data)",
       fit_measures = as.list(unclass(fitMeasures(fit, names_fm))))
})
writeLines(to_json(out), file.path("tests", "fixtures", "lavaan", "fixedx.json"))
cat("wrote tests/fixtures/lavaan/fixedx.json\n")
