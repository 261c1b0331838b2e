# Reference values from lavaan for multi-group models and measurement invariance
# (tests/test_multigroup.py): configural, metric (loadings), scalar (loadings, intercepts) and
# strict (loadings, intercepts, residuals) models, a partial scalar model, with ML and MLR, and
# the chi-square difference tests between consecutive models (lavTestLRT; Satorra-Bentler 2001
# for MLR). Writes tests/fixtures/estimators/mg_<case>.json and lrt_<case>.json.
# Run from the repository root (after scripts/robust_fixtures.R, which writes the data):
#   Rscript scripts/multigroup_fixtures.R
# Needs R >= 4 with lavaan; the bfi cases need the csv written from psych's bfi.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "estimators")
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

param_rows <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  labels <- lavInspect(fit, "group.label")
  data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = labels[pe$group],
             est = pe$est, se = pe$se, std.lv = pe$std.lv, std.all = pe$std.all, stringsAsFactors = FALSE)
}

mg_case <- function(case, model, data_file, data, group, estimator, equal, partial,
                    missing = "listwise") {
  fit <- cfa(model, data = data, group = group, estimator = estimator,
             group.equal = equal, group.partial = partial, missing = missing)
  if (identical(equal, "")) equal <- character(0)
  if (identical(partial, "")) partial <- character(0)
  te <- lavInspect(fit, "test")[[1]]
  obj <- list(case = case, model = model, data = data_file, group = group,
              estimator = estimator, missing = missing, group_equal = as.list(equal),
              group_partial = as.list(partial),
              call = "cfa(model, data, group, estimator, group.equal, group.partial)",
              lavaan_version = as.character(packageVersion("lavaan")),
              group_labels = as.list(lavInspect(fit, "group.label")),
              nobs = as.list(lavInspect(fit, "nobs")),
              chisq_group = as.list(te$stat.group),
              parameters = param_rows(fit),
              fit_measures = as.list(fitMeasures(fit)))
  write_json_file(obj, file.path(out_dir, paste0("mg_", case, ".json")))
  fit
}

steps <- list(configural = "", metric = c("loadings"),
              scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))

sequence_case <- function(prefix, model, data_file, data, group, estimator) {
  fits <- list()
  for (s in names(steps)) {
    fits[[s]] <- mg_case(paste0(prefix, "_", s), model, data_file, data, group, estimator,
                         steps[[s]], "")
  }
  method <- if (estimator == "ML") "default" else "satorra.bentler.2001"
  rows <- list()
  for (k in 2:length(fits)) {
    lrt <- lavTestLRT(fits[[k - 1]], fits[[k]], method = method)
    rows[[k - 1]] <- list(step = names(fits)[k], against = names(fits)[k - 1],
                          chisq_diff = lrt[2, "Chisq diff"], df_diff = lrt[2, "Df diff"],
                          pvalue = lrt[2, "Pr(>Chisq)"])
  }
  obj <- list(case = prefix, data = data_file, group = group, estimator = estimator,
              call = paste0("lavTestLRT(previous, next, method = \"", method, "\")"),
              lavaan_version = as.character(packageVersion("lavaan")), tests = rows)
  write_json_file(obj, file.path(out_dir, paste0("lrt_", prefix, ".json")))
}

hs_file <- "holzinger_swineford_school.csv"
hs <- read.csv(file.path(out_dir, hs_file))
m3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
sequence_case("hs_school_ml", m3, hs_file, hs, "school", "ML")
sequence_case("hs_school_mlr", m3, hs_file, hs, "school", "MLR")
sequence_case("hs_school_mlm", m3, hs_file, hs, "school", "MLM")
# partial scalar invariance: the intercepts of x3 and x7 free in both schools
invisible(mg_case("hs_school_partial", m3, hs_file, hs, "school", "ML", c("loadings", "intercepts"),
        c("x3 ~ 1", "x7 ~ 1")))
# equal regressions and latent variances/covariances in a model with a structural path
ms <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ visual + textual\n"
invisible(mg_case("hs_school_regressions", ms, hs_file, hs, "school", "ML",
        c("loadings", "regressions", "lv.variances"), ""))

bfi_file <- file.path(out_dir, "bfi_nc.csv")
if (file.exists(bfi_file)) {
  bfi <- read.csv(bfi_file)
  bfi <- bfi[complete.cases(bfi[, c(paste0("N", 1:5), paste0("C", 1:5))]), ]
  bfi$sex <- ifelse(bfi$gender == 1, "male", "female")
  write.csv(bfi, file.path(out_dir, "bfi_nc_complete.csv"), row.names = FALSE, na = "")
  mb <- "neuro =~ N1 + N2 + N3 + N4 + N5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"
  sequence_case("bfi_sex_ml", mb, "bfi_nc_complete.csv", bfi, "sex", "ML")
  sequence_case("bfi_sex_mlr", mb, "bfi_nc_complete.csv", bfi, "sex", "MLR")
}

# parameters compared between the two schools in the configural model: the difference of each
# free loading and its standard error from vcov() (independent groups)
fit <- cfa(m3, data = hs, group = "school")
V <- vcov(fit)
pe <- parameterEstimates(fit)
labels <- lavInspect(fit, "group.label")
free <- pe[pe$op == "=~" & pe$se > 0 & pe$group == 1, ]
rows <- list()
for (k in seq_len(nrow(free))) {
  a <- paste0(free$lhs[k], "=~", free$rhs[k])
  b <- paste0(a, ".g2")
  est2 <- pe$est[pe$op == "=~" & pe$lhs == free$lhs[k] & pe$rhs == free$rhs[k] & pe$group == 2]
  se <- sqrt(V[a, a] + V[b, b] - 2 * V[a, b])
  d <- free$est[k] - est2
  rows[[k]] <- list(lhs = free$lhs[k], op = "=~", rhs = free$rhs[k], difference = d, se = se,
                    pvalue = 2 * pnorm(-abs(d / se)))
}
write_json_file(list(case = "hs_school_compare", model = m3, data = hs_file, group = "school",
                     groups = as.list(labels), call = "cfa(model, data, group = \"school\"); vcov()",
                     lavaan_version = as.character(packageVersion("lavaan")),
                     loadings = rows),
                file.path(out_dir, "compare_hs_school.json"))

# full-information ML by school on HolzingerSwineford1939 with missing answers (the rows of
# tests/fixtures/lavaan/holzinger_swineford_missing.csv, with their school)
hs_miss <- read.csv(file.path("tests", "fixtures", "lavaan", "holzinger_swineford_missing.csv"))
hs_miss$school <- as.character(HolzingerSwineford1939$school)
miss_file <- "holzinger_swineford_missing_school.csv"
write.csv(hs_miss, file.path(out_dir, miss_file), row.names = FALSE, na = "")
for (est in c("ML", "MLR")) {
  invisible(mg_case(paste0("hs_school_fiml_", tolower(est), "_configural"), m3, miss_file,
                    hs_miss, "school", est, "", "", missing = "ml"))
  invisible(mg_case(paste0("hs_school_fiml_", tolower(est), "_scalar"), m3, miss_file,
                    hs_miss, "school", est, c("loadings", "intercepts"), "", missing = "ml"))
}
