# Reference fit measures for the record tests of several fitted models per paper: the
# Holzinger-Swineford data (lavaan::HolzingerSwineford1939) under lavaan's three-factor CFA and a
# competing one-factor model. Writes tests/fixtures/record/hs_models.json.
# Run from the repository root:  Rscript scripts/record_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))  # to_json(): base-R JSON writer

hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
models <- list(
  three = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
  one = "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\n")
names_fm <- c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "nfi",
              "rmsea", "srmr")
out <- lapply(names(models), function(m) {
  fit <- cfa(models[[m]], data = hs)
  fm <- fitMeasures(fit, names_fm)
  list(model = m, syntax = models[[m]], fit_measures = as.list(setNames(as.numeric(fm), names(fm))))
})
dir.create(file.path("tests", "fixtures", "record"), showWarnings = FALSE, recursive = TRUE)
writeLines(to_json(list(lavaan_version = as.character(packageVersion("lavaan")), n = nrow(hs),
                        models = out)),
           file.path("tests", "fixtures", "record", "hs_models.json"))
cat("wrote tests/fixtures/record/hs_models.json\n")
