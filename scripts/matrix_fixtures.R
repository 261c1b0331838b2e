# Reference fit of a model to a printed correlation matrix: the Holzinger-Swineford items
# x1..x9 (lavaan::HolzingerSwineford1939, N 301) as a paper would print them, the lower
# triangle of the correlations rounded to 3 decimals (and to 2), the SDs and means to 3, and
# lavaan's three-factor CFA fitted to sample.cov = cor2cov(R, sd), sample.nobs = 301
# (refitted from its own optimum: the estimates converged beyond the 1e-6 the test compares).
# Writes tests/fixtures/matrix/hs_printed.json.
# Run from the repository root:  Rscript scripts/matrix_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))  # to_json(): base-R JSON writer

hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
n <- nrow(hs)
one <- function(digits) {
  R <- round(cor(hs), digits)
  sds <- round(apply(hs, 2, sd), 3)
  means <- round(colMeans(hs), 3)
  lower <- lapply(seq_len(ncol(R)), function(i) as.numeric(R[i, seq_len(i)]))
  S <- cor2cov(R, sds)
  fit <- cfa(model, sample.cov = S, sample.nobs = n)
  fit <- cfa(model, sample.cov = S, sample.nobs = n, start = fit)  # polished from its optimum
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"))
  list(digits = digits, lower = lower, sd = as.numeric(sds), mean = as.numeric(means),
       fit_measures = as.list(setNames(as.numeric(fm), names(fm))),
       parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                               std_all = pe$std.all, stringsAsFactors = FALSE))
}
dir.create(file.path("tests", "fixtures", "matrix"), showWarnings = FALSE, recursive = TRUE)
write_json_file(list(lavaan_version = as.character(packageVersion("lavaan")), n = n,
                     variables = names(hs), syntax = model, printed = list(one(3), one(2))),
                file.path("tests", "fixtures", "matrix", "hs_printed.json"))
