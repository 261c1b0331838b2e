# Reference values from lavaan for ordered items (tests/test_ordinal.py): thresholds and
# polychoric correlations (lavCor), and cfa(..., ordered = TRUE) with WLSMV and DWLS (delta
# parameterization): estimates, robust standard errors, std.all, the mean-and-variance
# adjusted (scaled and shifted) test and its fit measures.
# Writes tests/fixtures/estimators/ordinal_<case>.json. Run from the repository root after
# scripts/robust_fixtures.R (which writes bfi_nc.csv from psych's bfi):
#   Rscript scripts/ordinal_fixtures.R
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "estimators")
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

bfi <- read.csv(file.path(out_dir, "bfi_nc.csv"))

ordinal_case <- function(case, model, items, estimator) {
  d <- bfi[complete.cases(bfi[, items]), items]
  fit <- cfa(model, data = d, ordered = items, estimator = estimator)
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  cor <- lavCor(d, ordered = items, output = "fit")
  th <- lavInspect(cor, "sampstat")$th
  obj <- list(case = case, model = model, data = "bfi_nc.csv", items = as.list(items),
              estimator = estimator,
              call = paste0("cfa(model, data, ordered = items, estimator = \"", estimator,
                            "\")"),
              lavaan_version = as.character(packageVersion("lavaan")),
              ntotal = lavInspect(fit, "ntotal"),
              polychoric = lavInspect(cor, "sampstat")$cov,
              thresholds = list(names = as.list(names(th)), values = as.list(unname(th))),
              parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
                                      se = pe$se, std.lv = pe$std.lv, std.all = pe$std.all,
                                      stringsAsFactors = FALSE),
              fit_measures = as.list(fitMeasures(fit)))
  write_json_file(obj, file.path(out_dir, paste0("ordinal_", case, ".json")))
}

nc <- c(paste0("N", 1:5), paste0("C", 1:5))
mb <- "neuro =~ N1 + N2 + N3 + N4 + N5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"
ordinal_case("bfi_nc_wlsmv", mb, nc, "WLSMV")
ordinal_case("bfi_nc_dwls", mb, nc, "DWLS")
ordinal_case("bfi_n_wlsmv", "neuro =~ N1 + N2 + N3 + N4 + N5\n", paste0("N", 1:5), "WLSMV")
