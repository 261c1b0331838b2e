# Reference values of the PLS-SEM engine (replication.engine.pls) from seminr.
#
# Usage: Rscript scripts/pls_fixtures.R [output folder]   (default tests/fixtures/pls)
# Writes mobi.csv and mobi_na.csv (seminr's ECSI mobile phone data, the second with missing
# cells) and one seminr_<name>.json per model: outer loadings and weights, paths, R2, R2adj,
# alpha, rhoC, AVE, rhoA, HTMT, f2, item and antecedent VIFs, total and total indirect
# effects, cross-loadings, Fornell-Larcker, iterations; for some models bootstrap SDs and
# PLSpredict metrics with the fold of every row.
suppressMessages({library(seminr); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/pls"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

data(mobi, package = "seminr")
write.csv(mobi, file.path(out, "mobi.csv"), row.names = FALSE)
mobi_na <- mobi
mobi_na[c(3, 17, 40, 41, 99, 150, 201), "CUEX1"] <- NA
mobi_na[c(5, 17, 60, 222), "PERQ4"] <- NA
mobi_na[c(8, 120), "CUSL2"] <- NA
write.csv(mobi_na, file.path(out, "mobi_na.csv"), row.names = FALSE, na = "")

blocks <- list(Image = multi_items("IMAG", 1:5), Expectation = multi_items("CUEX", 1:3),
               Quality = multi_items("PERQ", 1:7), Value = multi_items("PERV", 1:2),
               Satisfaction = multi_items("CUSA", 1:3), Complaints = single_item("CUSCO"),
               Loyalty = multi_items("CUSL", 1:3))
sm <- relationships(
  paths(from = "Image",        to = c("Expectation", "Satisfaction", "Loyalty")),
  paths(from = "Expectation",  to = c("Quality", "Value", "Satisfaction")),
  paths(from = "Quality",      to = c("Value", "Satisfaction")),
  paths(from = "Value",        to = c("Satisfaction")),
  paths(from = "Satisfaction", to = c("Complaints", "Loyalty")),
  paths(from = "Complaints",   to = "Loyalty"))

# kind: "composite" (Mode A composite, PLS) or "reflective" (common factor, PLSc);
# mode_b: constructs measured as Mode B composites
measurement <- function(kind, mode_b = character(0)) {
  specs <- lapply(names(blocks), function(c) {
    if (c %in% mode_b) composite(c, blocks[[c]], weights = mode_B)
    else if (kind == "reflective") reflective(c, blocks[[c]])
    else composite(c, blocks[[c]])
  })
  do.call(constructs, specs)
}

matrix_rows <- function(m, keep_zero = FALSE) {
  rows <- list()
  for (i in rownames(m)) for (j in colnames(m)) {
    v <- m[i, j]
    if (!is.na(v) && (keep_zero || v != 0)) rows[[length(rows) + 1]] <- list(lhs = j, rhs = i, est = v)
  }
  rows
}

describe <- function(fit) {
  rel <- seminr:::reliability(fit)
  scores <- fit$construct_scores
  ivifs <- seminr:::item_vifs(fit, seminr:::constructs_in_model(fit))
  avifs <- seminr:::antecedent_vifs(fit$smMatrix, stats::cor(scores))
  list(
    iterations = fit$iterations,
    loadings = matrix_rows(fit$outer_loadings),
    weights = matrix_rows(fit$outer_weights),
    paths = matrix_rows(fit$path_coef),
    r2 = as.list(fit$rSquared["Rsq", ]),
    r2_adj = as.list(fit$rSquared["AdjRsq", ]),
    reliability = lapply(setNames(rownames(rel), rownames(rel)), function(c)
      list(alpha = rel[c, "alpha"], rho_c = rel[c, "rhoC"], ave = rel[c, "AVE"],
           rho_a = rel[c, "rhoA"])),
    htmt = matrix_rows(seminr:::HTMT(fit)),
    f2 = matrix_rows(seminr:::model_fsquares(fit) * (fit$path_coef != 0)),
    vif_items = lapply(ivifs, function(v) as.list(v)),
    vif_antecedents = lapply(avifs, function(v) as.list(unlist(v))),
    total_effects = matrix_rows(seminr:::total_effects(fit$path_coef)),
    total_indirect = matrix_rows(seminr:::total_indirect_effects(fit$path_coef)),
    cross_loadings = matrix_rows(stats::cor(fit$data[, fit$mmVariables], scores), TRUE),
    scores_cor = matrix_rows(stats::cor(scores), TRUE))
}

boot_sds <- function(fit, nboot, seed) {
  b <- bootstrap_model(fit, nboot = nboot, cores = 2, seed = seed)
  sd_rows <- function(arr) {
    m <- apply(arr, c(1, 2), stats::sd)
    matrix_rows(m * (apply(arr, c(1, 2), function(x) any(x != 0))))
  }
  list(nboot = b$boots, seed = seed, paths = sd_rows(b$boot_paths),
       loadings = sd_rows(b$boot_loadings), weights = sd_rows(b$boot_weights))
}

prediction <- function(fit, seed, folds = 10) {
  n <- nrow(fit$data)
  set.seed(seed); order <- sample(n, n, replace = FALSE)
  fold_of_position <- cut(seq(1, n), breaks = folds, labels = FALSE)
  fold <- integer(n); fold[order] <- fold_of_position
  set.seed(seed)
  pred <- predict_pls(fit, technique = predict_DA, noFolds = folds, reps = NULL)
  s <- summary(pred)
  actual <- as.matrix(pred$item_actuals)
  items <- colnames(pred$PLS_out_of_sample)
  q2 <- sapply(items, function(x) {
    naive <- sapply(seq_len(n), function(i) mean(actual[fold != fold[i], x]))
    1 - sum(pred$PLS_out_of_sample_residuals[, x]^2) / sum((actual[, x] - naive)^2)
  })
  list(seed = seed, folds = fold, items = items,
       pls_rmse = as.list(s$PLS_out_of_sample["RMSE", ]),
       pls_mae = as.list(s$PLS_out_of_sample["MAE", ]),
       lm_rmse = as.list(s$LM_out_of_sample["RMSE", ]),
       lm_mae = as.list(s$LM_out_of_sample["MAE", ]),
       q2_predict = as.list(q2))
}

save <- function(name, fit, extra = list()) {
  res <- c(list(name = name, seminr = as.character(packageVersion("seminr"))), describe(fit), extra)
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE),
             file.path(out, paste0("seminr_", name, ".json")))
}

quiet <- function(expr) suppressMessages(expr)
fit <- quiet(estimate_pls(mobi, measurement("composite"), sm))
save("ecsi_pls", fit, list(bootstrap = quiet(boot_sds(fit, 1000, 123)),
                           predict = quiet(prediction(fit, 123))))
fit <- quiet(estimate_pls(mobi, measurement("composite", "Image"), sm))
save("ecsi_pls_modeb", fit, list(predict = quiet(prediction(fit, 7))))
fit <- quiet(estimate_pls(mobi, measurement("composite"), sm, inner_weights = path_factorial))
save("ecsi_pls_factorial", fit)
fit <- quiet(estimate_pls(mobi, measurement("reflective"), sm))
save("ecsi_plsc", fit, list(bootstrap = quiet(boot_sds(fit, 1000, 123))))
fit <- quiet(estimate_pls(mobi, measurement("reflective", "Image"), sm))
save("ecsi_plsc_modeb", fit)
fit <- quiet(estimate_pls(mobi_na, measurement("composite"), sm, missing = mean_replacement))
save("ecsi_pls_mean", fit)

# Corporate reputation data of Hair, Hult, Ringle, Sarstedt, Danks & Ray (2021), "Partial Least
# Squares Structural Equation Modeling (PLS-SEM) Using R" (open access textbook; corp_rep_data
# ships with seminr): -99 codes missing cells, replaced by item means as the book does. The
# simple model (ch. 3-6) and the extended model with four Mode B drivers (ch. 5).
corp <- corp_rep_data
corp[corp == -99] <- NA
write.csv(corp[, c(paste0("qual_", 1:8), paste0("perf_", 1:5), paste0("csor_", 1:5),
                   paste0("attr_", 1:3), paste0("comp_", 1:3), paste0("like_", 1:3), "cusa",
                   paste0("cusl_", 1:3))],
          file.path(out, "corp_rep.csv"), row.names = FALSE, na = "")
simple_mm <- constructs(
  composite("COMP", multi_items("comp_", 1:3)), composite("LIKE", multi_items("like_", 1:3)),
  composite("CUSA", single_item("cusa")), composite("CUSL", multi_items("cusl_", 1:3)))
simple_sm <- relationships(paths(from = c("COMP", "LIKE"), to = c("CUSA", "CUSL")),
                           paths(from = c("CUSA"), to = c("CUSL")))
fit <- quiet(estimate_pls(corp_rep_data, simple_mm, simple_sm, missing = mean_replacement,
                          missing_value = "-99"))
save("corp_rep_simple", fit)
ext_mm <- constructs(
  composite("QUAL", multi_items("qual_", 1:8), weights = mode_B),
  composite("PERF", multi_items("perf_", 1:5), weights = mode_B),
  composite("CSOR", multi_items("csor_", 1:5), weights = mode_B),
  composite("ATTR", multi_items("attr_", 1:3), weights = mode_B),
  composite("COMP", multi_items("comp_", 1:3)), composite("LIKE", multi_items("like_", 1:3)),
  composite("CUSA", single_item("cusa")), composite("CUSL", multi_items("cusl_", 1:3)))
ext_sm <- relationships(paths(from = c("QUAL", "PERF", "CSOR", "ATTR"), to = c("COMP", "LIKE")),
                        paths(from = c("COMP", "LIKE"), to = c("CUSA", "CUSL")),
                        paths(from = c("CUSA"), to = c("CUSL")))
fit <- quiet(estimate_pls(corp_rep_data, ext_mm, ext_sm, missing = mean_replacement,
                          missing_value = "-99"))
save("corp_rep_extended", fit)
