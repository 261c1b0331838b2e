# Reference values from semTools for the tests of replication.analyses.measurement:
# HTMT (arithmetic and geometric) and coefficient alpha, with lavaan's standardized loadings.
# (semTools::AVE is not used: it is variance-weighted, sum(lambda^2 phi) / sum(sigma_ii), and
# equals Fornell and Larcker's mean of squared standardized loadings only for equal item
# variances.)
# Run from the repository root:  Rscript scripts/semtools_fixtures.R
# Needs R >= 4 with lavaan and semTools (Debian: r-cran-lavaan r-cran-semtools).
# Data: the CSV files committed under tests/fixtures/lavaan/ (read, never written).
suppressPackageStartupMessages({library(lavaan); library(semTools)})
source(file.path("scripts", "json_writer.R"))
out_dir <- file.path("tests", "fixtures", "semtools")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

cases <- list(
  list(case = "hs", data = "holzinger_swineford.csv",
       items = list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                    speed = c("x7", "x8", "x9"))),
  list(case = "lc", data = "live_commerce_synth.csv",
       items = list(T = c("T1", "T2", "T3"), SN = c("SN1", "SN2", "SN3"),
                    PI = c("PI1", "PI2", "PI3"), HI = c("HI1", "HI2", "HI3"),
                    MI = c("MI1", "MI2", "MI3"), RB = c("RB1", "RB2", "RB3"),
                    RD = c("RD1", "RD2", "RD3")))
)

for (cs in cases) {
  dat <- read.csv(file.path("tests", "fixtures", "lavaan", cs$data))
  model <- paste(mapply(function(f, it) paste(f, "=~", paste(it, collapse = " + ")),
                        names(cs$items), cs$items), collapse = "\n")
  h1 <- htmt(model, data = dat, htmt2 = FALSE)
  h2 <- htmt(model, data = dat, htmt2 = TRUE)
  fit <- cfa(model, data = dat)
  std <- standardizedSolution(fit)
  std <- std[std$op == "=~", c("lhs", "rhs", "est.std")]
  alpha <- sapply(cs$items, function(it) {
    X <- as.matrix(dat[, it]); k <- ncol(X)
    k / (k - 1) * (1 - sum(apply(X, 2, var)) / var(rowSums(X)))
  })
  alpha_semtools <- compRelSEM(fit, tau.eq = TRUE, obs.var = TRUE)
  write_json_file(list(case = cs$case, data = cs$data, model = model,
                       semtools_version = as.character(packageVersion("semTools")),
                       lavaan_version = as.character(packageVersion("lavaan")),
                       items = cs$items,
                       htmt_arithmetic = unclass(h1), htmt_geometric = unclass(h2),
                       std_loadings = data.frame(lhs = std$lhs, rhs = std$rhs, std_all = std$est.std,
                                                 stringsAsFactors = FALSE),
                       alpha = as.list(alpha),
                       alpha_semtools = as.list(alpha_semtools)),
                  file.path(out_dir, paste0(cs$case, ".json")))
}
