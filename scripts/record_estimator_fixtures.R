# Reference values for records that say how the paper estimated its model: ordered items by
# WLSMV and several groups with lavaan's invariance sequence.
#  - bfi_wlsmv.json: the 25 Big Five items of psych::bfi (as answered, in
#    tests/fixtures/record/bfi_survey.csv; A1, C4, C5, E1, E2, O2, O5 reverse-scored 7 - x),
#    complete rows, five correlated factors, cfa(..., ordered = TRUE, estimator = "WLSMV").
#  - hs_school_<step>.json: Holzinger and Swineford's three-factor CFA by school (Pasteur,
#    Grant-White), cfa(..., group = "school") configural, metric (group.equal = "loadings"),
#    scalar (loadings, intercepts) and strict (and residuals).
# Writes tests/fixtures/record_estimators/. Run from the repository root:
#   Rscript scripts/record_estimator_fixtures.R
# Needs R >= 4 with lavaan 0.6 (Debian: r-cran-lavaan); psych is not needed.
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))  # to_json(): base-R JSON writer

out_dir <- file.path("tests", "fixtures", "record_estimators")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
fit_names <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi",
               "tli", "rmsea", "srmr")
scaled_names <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
                  "cfi.scaled", "tli.scaled", "rmsea.scaled")

params_of <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  grp <- if ("group" %in% names(pe)) lavInspect(fit, "group.label")[pmax(pe$group, 1)] else ""
  data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = grp, est = pe$est, se = pe$se,
             z = pe$z, pvalue = pe$pvalue, std_all = pe$std.all, stringsAsFactors = FALSE)
}
write_case <- function(name, fit, extra) {
  fm <- fitMeasures(fit, intersect(c(fit_names, scaled_names), names(fitMeasures(fit))))
  obj <- c(list(lavaan_version = as.character(packageVersion("lavaan")), case = name),
           extra,
           list(fit_measures = as.list(setNames(as.numeric(fm), names(fm))),
                parameters = params_of(fit)))
  writeLines(to_json(obj), file.path(out_dir, paste0(name, ".json")))
  cat("wrote", file.path(out_dir, paste0(name, ".json")), "\n")
}

# --- ordered items by WLSMV ------------------------------------------------------------------
raw <- read.csv(file.path("tests", "fixtures", "record", "bfi_survey.csv"))
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
scored <- raw
for (it in reversed) scored[[it]] <- 7 - scored[[it]]
scored <- scored[complete.cases(scored), ]
bfi_model <- paste(
  "agree =~ A1 + A2 + A3 + A4 + A5",
  "consc =~ C1 + C2 + C3 + C4 + C5",
  "extra =~ E1 + E2 + E3 + E4 + E5",
  "neuro =~ N1 + N2 + N3 + N4 + N5",
  "open =~ O1 + O2 + O3 + O4 + O5", sep = "\n")
wl <- cfa(bfi_model, data = scored, ordered = TRUE, estimator = "WLSMV")
ml <- cfa(bfi_model, data = scored)
write_case("bfi_wlsmv", wl, list(model = bfi_model, estimator = "WLSMV", reversed = reversed,
                                 data = "tests/fixtures/record/bfi_survey.csv",
                                 ml_chisq = as.numeric(fitMeasures(ml, "chisq"))))

# --- several groups: the invariance sequence -------------------------------------------------
hs <- HolzingerSwineford1939
write.csv(hs[, c("school", paste0("x", 1:9))], file.path(out_dir, "hs_school.csv"),
          row.names = FALSE)
hs_model <- paste("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6",
                  "speed =~ x7 + x8 + x9", sep = "\n")
steps <- list(configural = "", metric = "loadings",
              scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
for (step in names(steps)) {
  fit <- cfa(hs_model, data = hs, group = "school", group.equal = steps[[step]])
  write_case(paste0("hs_school_", step), fit,
             list(model = hs_model, group = "school", group_equal = as.list(setdiff(steps[[step]], "")),
                  group_labels = as.list(lavInspect(fit, "group.label")),
                  group_n = as.list(lavInspect(fit, "nobs")), data = "hs_school.csv"))
}
