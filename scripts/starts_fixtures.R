# Reference optima from lavaan for the starting-value tests (tests/test_sem.py): a two-factor
# model fitted to pure-noise 5-point Likert data (tests/fixtures/starts/noise_<seed>.csv, made
# by scripts/starts_fixture_data.py), where the optimum is hard to reach from poor starts.
# Writes tests/fixtures/starts/noise.json. Run from the repository root:
#   Rscript scripts/starts_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "starts")
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

model <- "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\n"
cases <- list()
for (seed in c(1, 3, 4, 7, 10, 13, 20, 23, 28)) {
  file <- paste0("noise_", seed, ".csv")
  d <- read.csv(file.path(out_dir, file))
  # lavaan() with the suite's defaults; for this CFA the same model as cfa()
  fit <- suppressWarnings(lavaan(model, data = d, auto.var = TRUE, auto.fix.first = TRUE,
                                 auto.cov.lv.x = TRUE))
  pe <- parameterEstimates(fit)
  pt <- parTable(fit)
  free <- pt$free > 0
  ok <- lavInspect(fit, "converged")
  # fit measures exist only for a converged fit; fmin is lavaan's F_ML / 2
  fm <- if (ok) fitMeasures(fit, c("chisq", "df", "fmin")) else c(chisq = NA, df = NA, fmin = NA)
  cases[[length(cases) + 1]] <- list(
    data = file, converged = ok,
    iterations = lavInspect(fit, "iterations"),
    chisq = unname(fm["chisq"]), df = unname(fm["df"]), fmin = unname(fm["fmin"]),
    admissible = if (ok) suppressWarnings(lavInspect(fit, "post.check")) else NA,
    parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
                            stringsAsFactors = FALSE),
    # lavaan's default starting values of the free parameters (lav_start)
    start = data.frame(lhs = pt$lhs[free], op = pt$op[free], rhs = pt$rhs[free],
                       start = pt$start[free], stringsAsFactors = FALSE))
}
# lavaan's default starts on real data: three indicators per factor (lav_cfa_1fac_3ind), four
# (FABIN3), a two-indicator factor, regressions and residual covariances
lav_dir <- file.path("tests", "fixtures", "lavaan")
hs <- read.csv(file.path(lav_dir, "holzinger_swineford.csv"))
pd <- read.csv(file.path(lav_dir, "political_democracy.csv"))
real <- list(
  list(name = "hs_cfa", data = "holzinger_swineford.csv", d = hs,
       model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"),
  list(name = "hs_two", data = "holzinger_swineford.csv", d = hs,
       model = "visual =~ x1 + x2\ntextual =~ x4 + x5 + x6 + x7 + x8\n"),
  list(name = "pd_sem", data = "political_democracy.csv", d = pd,
       model = paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + y2 + y3 + y4",
                     "dem65 =~ y5 + y6 + y7 + y8", "dem60 ~ ind60", "dem65 ~ ind60 + dem60",
                     "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
                     sep = "\n")))
start_cases <- lapply(real, function(r) {
  fit <- lavaan(r$model, data = r$d, auto.var = TRUE, auto.fix.first = TRUE,
                auto.cov.lv.x = TRUE)
  pt <- parTable(fit)
  free <- pt$free > 0
  list(name = r$name, model = r$model, data = r$data,
       start = data.frame(lhs = pt$lhs[free], op = pt$op[free], rhs = pt$rhs[free],
                          start = pt$start[free], stringsAsFactors = FALSE))
})
write_json_file(list(model = model, lavaan_version = as.character(packageVersion("lavaan")),
                     cases = cases, start_cases = start_cases),
                file.path(out_dir, "noise.json"))
