# Data of the PLS-SEM worked example (data/examples/ecsi_mobi/data.csv) and the seminr output
# its record prints: the European Customer Satisfaction Index (ECSI) model of seminr's
# documentation fitted to seminr's mobile phone data (mobi, N 250), every construct a Mode A
# composite, path weighting scheme, bootstrap of 1000 resamples with seed 123.
# Run from the repository root:  Rscript scripts/pls_example_data.R
# Needs R >= 4 with seminr (2.3.1).
suppressPackageStartupMessages(library(seminr))

path <- file.path("data", "examples", "ecsi_mobi", "data.csv")
dir.create(dirname(path), showWarnings = FALSE, recursive = TRUE)
write.csv(mobi, path, row.names = FALSE)
cat("wrote", path, "\n")

mobi_mm <- constructs(
  composite("Image",        multi_items("IMAG", 1:5)),
  composite("Expectation",  multi_items("CUEX", 1:3)),
  composite("Quality",      multi_items("PERQ", 1:7)),
  composite("Value",        multi_items("PERV", 1:2)),
  composite("Satisfaction", multi_items("CUSA", 1:3)),
  composite("Complaints",   single_item("CUSCO")),
  composite("Loyalty",      multi_items("CUSL", 1:3)))
mobi_sm <- relationships(
  paths(from = "Image",        to = c("Expectation", "Satisfaction", "Loyalty")),
  paths(from = "Expectation",  to = c("Quality", "Value", "Satisfaction")),
  paths(from = "Quality",      to = c("Value", "Satisfaction")),
  paths(from = "Value",        to = c("Satisfaction")),
  paths(from = "Satisfaction", to = c("Complaints", "Loyalty")),
  paths(from = "Complaints",   to = "Loyalty"))
mobi_pls <- estimate_pls(data = mobi, measurement_model = mobi_mm, structural_model = mobi_sm)
s <- summary(mobi_pls)
print(s$paths); print(s$loadings); print(s$weights); print(s$reliability)
print(s$validity$htmt); print(s$validity$fl_criteria); print(s$fSquare); print(s$vif_antecedents)
boot <- bootstrap_model(mobi_pls, nboot = 1000, cores = 2, seed = 123)
print(summary(boot)$bootstrapped_paths)
