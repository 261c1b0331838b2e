# Reference values from lavaan for models with equality constraints (`a == b`, `a == 1.1`) and
# := parameters of constrained labels. Writes tests/fixtures/constraints/<case>.json.
# Run from the repository root:  Rscript scripts/constraint_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan).
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))
out_dir <- file.path("tests", "fixtures", "constraints")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

fit_names <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
data <- read.csv(file.path("data", "examples", "holzinger_swineford", "data.csv"))

cases <- list(
  hs_equal = paste("visual =~ x1 + a*x2 + b*x3", "textual =~ x4 + c*x5 + c2*x6",
                   "speed =~ x7 + x8 + x9", "a == b", "c2 == 1.1", "d := a - c", sep = "\n"),
  hs_chain = paste("visual =~ x1 + l2*x2 + l3*x3", "textual =~ x4 + l5*x5 + l6*x6",
                   "speed =~ x7 + l8*x8 + l9*x9", "l2 == l3", "l3 == l5", "l8 == l9",
                   sep = "\n")
)
for (case in names(cases)) {
  model <- cases[[case]]
  fit <- lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  pe <- pe[pe$op %in% c("=~", "~", "~~", ":="), ]
  params <- data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                       std_all = pe$std.all, stringsAsFactors = FALSE)
  out <- list(case = case, model = model, lavaan_version = as.character(packageVersion("lavaan")),
              call = "lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)",
              parameters = params, fit_measures = as.list(fitMeasures(fit, fit_names)))
  writeLines(to_json(out), file.path(out_dir, paste0(case, ".json")))
}
