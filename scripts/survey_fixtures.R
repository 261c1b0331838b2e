# Reference values for a survey SEM with reverse-keyed items and incomplete rows: the 25 Big Five
# items of psych::bfi (2,800 respondents, 2,436 complete rows, six-point scale; A1, C4, C5, E1,
# E2, O2, O5 reverse-keyed), a five-factor model with one regression between two factors, fitted
# by lavaan after reverse-scoring (7 - x) with listwise deletion and with full-information ML.
# Writes tests/fixtures/record/bfi_survey.csv (the items as answered) and bfi_<missing>.json.
# Run from the repository root:  Rscript scripts/survey_fixtures.R
# Needs R >= 4 with lavaan and psych (Debian: r-cran-lavaan r-cran-psych).
suppressPackageStartupMessages({library(lavaan); library(psych)})
source(file.path("scripts", "json_writer.R"))  # to_json(): base-R JSON writer

out_dir <- file.path("tests", "fixtures", "record")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
raw <- psych::bfi[, items]
write.csv(raw, file.path(out_dir, "bfi_survey.csv"), row.names = FALSE, na = "")
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
scored <- raw
for (it in reversed) scored[[it]] <- 7 - scored[[it]]
model <- paste(
  "agree =~ A1 + A2 + A3 + A4 + A5",
  "consc =~ C1 + C2 + C3 + C4 + C5",
  "extra =~ E1 + E2 + E3 + E4 + E5",
  "neuro =~ N1 + N2 + N3 + N4 + N5",
  "open =~ O1 + O2 + O3 + O4 + O5",
  "agree ~ extra", sep = "\n")
fit_names <- c("chisq", "df", "pvalue", "baseline.chisq", "cfi", "tli", "rmsea", "srmr", "ntotal")
for (miss in c("listwise", "fiml")) {
  fit <- lavaan(model, data = scored, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE,
                missing = if (miss == "fiml") "ml" else "listwise",
                int.ov.free = (miss == "fiml"))  # FIML: free item intercepts, as sem() does
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op %in% c("=~", "~", "~~"), ]
  params <- data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se, z = pe$z,
                       pvalue = pe$pvalue, std_all = pe$std.all, stringsAsFactors = FALSE)
  fm <- fitMeasures(fit, fit_names)
  writeLines(to_json(list(lavaan_version = as.character(packageVersion("lavaan")), model = model,
                          missing = miss, reversed = reversed, n_rows = nrow(raw),
                          parameters = params,
                          fit_measures = as.list(setNames(as.numeric(fm), names(fm))))),
             file.path(out_dir, paste0("bfi_", miss, ".json")))
  cat("wrote", file.path(out_dir, paste0("bfi_", miss, ".json")), "\n")
}
