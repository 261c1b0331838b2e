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

# two-by-two tables (binary items): lavaan's special cases. The first 150 complete answers,
# neuroticism items dichotomized at 6 ("very accurate"), conscientiousness items at 1 ("very
# inaccurate"), so that some pairs have an empty cell: lavaan adds 0.5 to the two cells of its
# diagonal and takes 0.5 from the other two, keeping the margins (zero.add = c(0.5, 0),
# zero.keep.margins = TRUE)
bin <- bfi[complete.cases(bfi[, nc]), nc][1:150, ]
bin <- data.frame(lapply(names(bin), function(v)
  if (startsWith(v, "N")) as.integer(bin[[v]] >= 6) else as.integer(bin[[v]] <= 1)))
names(bin) <- nc
zero_pairs <- list()
for (j in 1:(length(nc) - 1)) for (i in (j + 1):length(nc)) {
  tab <- table(factor(bin[, i], 0:1), factor(bin[, j], 0:1))
  if (any(tab == 0)) zero_pairs[[length(zero_pairs) + 1]] <- c(nc[i], nc[j])
}
cat("binary pairs with an empty cell:", length(zero_pairs), "\n")
cor_bin <- lavCor(bin, ordered = nc, output = "fit")
write.csv(bin, file.path(out_dir, "bfi_nc_binary.csv"), row.names = FALSE)
write_json_file(list(case = "bfi_nc_binary", data = "bfi_nc_binary.csv", items = as.list(nc),
                     call = "lavCor(data, ordered = items)",
                     lavaan_version = as.character(packageVersion("lavaan")),
                     n_zero_pairs = length(zero_pairs),
                     polychoric = lavInspect(cor_bin, "sampstat")$cov,
                     thresholds = as.list(unname(lavInspect(cor_bin, "sampstat")$th))),
                file.path(out_dir, "polychoric_bfi_nc_binary.json"))
