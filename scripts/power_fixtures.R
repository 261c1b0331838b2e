# Reference values from semTools and lavaan for the tests of replication.analyses.power and
# replication.analyses.montecarlo.
# Run from the repository root:  Rscript scripts/power_fixtures.R
# Needs R >= 4 with lavaan and semTools (Debian: r-cran-lavaan r-cran-semtools).
#
# 1. rmsea.json: analytic RMSEA power and sample size (MacCallum, Browne & Sugawara 1996) from
#    semTools findRMSEApower / findRMSEAsamplesize (noncentrality (N - 1) df RMSEA^2).
# 2. montecarlo_<case>.json: a lavaan simulate-and-fit loop on held-out population models
#    (continuous and Likert data), per path: power of the two-sided Wald z in the hypothesised
#    direction, Monte Carlo SE, convergence, bias, relative SE bias and 95% coverage.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
source(file.path("scripts", "json_writer.R"))
out_dir <- file.path("tests", "fixtures", "power")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# ---- 1. analytic RMSEA power ------------------------------------------------------------------
power_cases <- list(
  list(rmsea0 = 0, rmsea = 0.05, df = 50, n = 243),
  list(rmsea0 = 0, rmsea = 0.05, df = 50, n = 200),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 100, n = 132),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 20, n = 200),
  list(rmsea0 = 0.05, rmsea = 0.01, df = 40, n = 300),
  list(rmsea0 = 0, rmsea = 0.03, df = 243, n = 525),
  list(rmsea0 = 0.05, rmsea = 0.10, df = 5, n = 100))
power_rows <- lapply(power_cases, function(k) c(k, list(
  power = findRMSEApower(rmsea0 = k$rmsea0, rmseaA = k$rmsea, df = k$df, n = k$n, alpha = 0.05))))
size_cases <- list(
  list(rmsea0 = 0, rmsea = 0.05, df = 50, power = 0.80),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 100, power = 0.80),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 20, power = 0.90),
  list(rmsea0 = 0.05, rmsea = 0.01, df = 40, power = 0.80),
  list(rmsea0 = 0, rmsea = 0.08, df = 10, power = 0.95),
  list(rmsea0 = 0.05, rmsea = 0.08, df = 2, power = 0.80))
size_rows <- lapply(size_cases, function(k) c(k, list(
  n = findRMSEAsamplesize(rmsea0 = k$rmsea0, rmseaA = k$rmsea, df = k$df, power = k$power,
                          alpha = 0.05))))
write_json_file(list(semtools_version = as.character(packageVersion("semTools")), alpha = 0.05,
                     power = power_rows, sample_size = size_rows),
                file.path(out_dir, "rmsea.json"))

# ---- 2. Monte Carlo power: lavaan simulate-and-fit loop on held-out populations ---------------
# Population: three factors with three items each (standardized loadings .8, .7, .6), X -> M
# (.25), M -> Y (.30), X -> Y (.10); latent variances 1. The analysis model is the same
# structure with lavaan's marker-variable scaling, fitted with
# lavaan(model, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE).
lam <- c(0.8, 0.7, 0.6)
items <- c(paste0("x", 1:3), paste0("m", 1:3), paste0("y", 1:3))
Lambda <- matrix(0, 9, 3); Lambda[1:3, 1] <- lam; Lambda[4:6, 2] <- lam; Lambda[7:9, 3] <- lam
B <- matrix(0, 3, 3); B[2, 1] <- 0.25; B[3, 2] <- 0.30; B[3, 1] <- 0.10
IB <- solve(diag(3) - B)
# disturbance variances that give every latent variable variance 1
psi <- numeric(3); psi[1] <- 1
psi[2] <- 1 - 0.25^2
covXM <- 0.25
psi[3] <- 1 - (0.30^2 + 0.10^2 + 2 * 0.30 * 0.10 * covXM)
Phi <- IB %*% diag(psi) %*% t(IB)
Sigma <- Lambda %*% Phi %*% t(Lambda) + diag(1 - rep(lam, 3)^2)
dimnames(Sigma) <- list(items, items)
analysis <- paste("X =~ x1 + x2 + x3", "M =~ m1 + m2 + m3", "Y =~ y1 + y2 + y3",
                  "M ~ X", "Y ~ M + X", sep = "\n")
targets <- list(list(hypothesis = "a", lhs = "M", rhs = "X", sign = "+"),
                list(hypothesis = "b", lhs = "Y", rhs = "M", sign = "+"),
                list(hypothesis = "c", lhs = "Y", rhs = "X", sign = "+"))
taus <- c(-1.5, -0.5, 0.4, 1.3)

loop <- function(n, reps, likert, seed, alpha = 0.05) {
  set.seed(seed)
  k <- length(targets)
  est <- se <- matrix(NA_real_, reps, k)
  conv <- adm <- logical(reps)
  t0 <- proc.time()[["elapsed"]]
  for (r in seq_len(reps)) {
    X <- MASS::mvrnorm(n, rep(0, 9), Sigma)
    if (likert) {
      Z <- sweep(X, 2, sqrt(diag(Sigma)), "/")
      X <- 1 + apply(Z, c(1, 2), function(z) sum(z > taus))
    }
    colnames(X) <- items
    # a fit with a warning (e.g. a Heywood case) still counts as converged, as in simsem;
    # admissibility is lavaan's post.check
    fit <- tryCatch(suppressWarnings(lavaan(analysis, data = as.data.frame(X), auto.var = TRUE,
                                            auto.fix.first = TRUE, auto.cov.lv.x = TRUE)),
                    error = function(e) NULL)
    if (is.null(fit) || !lavInspect(fit, "converged")) next
    conv[r] <- TRUE
    adm[r] <- suppressWarnings(lavInspect(fit, "post.check"))
    pe <- parameterEstimates(fit)
    for (j in seq_len(k)) {
      row <- pe[pe$lhs == targets[[j]]$lhs & pe$op == "~" & pe$rhs == targets[[j]]$rhs, ]
      est[r, j] <- row$est; se[r, j] <- row$se
    }
  }
  elapsed <- proc.time()[["elapsed"]] - t0
  zc <- qnorm(1 - alpha / 2)
  res <- lapply(seq_len(k), function(j) {
    e <- est[conv, j]; s <- se[conv, j]
    sig <- abs(e / s) > zc & e > 0
    p <- mean(sig)
    list(hypothesis = targets[[j]]$hypothesis, n = n, reps = reps, converged = sum(conv),
         admissible = sum(adm),
         power = p, mcse = sqrt(p * (1 - p) / sum(conv)), mean_estimate = mean(e),
         sd_estimate = sd(e), mean_se = mean(s))
  })
  list(n = n, reps = reps, likert = likert, seed = seed, elapsed_seconds = elapsed,
       results = res)
}

pop <- list(items = items, cov = list(rows = items, cols = items,
                                      values = lapply(1:9, function(i) as.numeric(Sigma[i, ]))),
            model = analysis, thresholds = taus, targets = targets)
for (case in list(list(name = "continuous", likert = FALSE, n = c(120, 250), seed = 101),
                  list(name = "likert", likert = TRUE, n = c(150), seed = 202))) {
  runs <- lapply(case$n, function(n) loop(n, 1000, case$likert, case$seed + n))
  write_json_file(list(case = case$name, lavaan_version = as.character(packageVersion("lavaan")),
                       population = pop, alpha = 0.05, runs = runs),
                  file.path(out_dir, paste0("montecarlo_", case$name, ".json")))
}
