# Data of the bundled worked examples (data/examples/<id>/data.csv), exported from the data sets
# that ship with lavaan, and the lavaan output their records print (lavaan's tutorial models).
# Run from the repository root:  Rscript scripts/example_data.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))

write_data <- function(df, id) {
  path <- file.path("data", "examples", id, "data.csv")
  dir.create(dirname(path), showWarnings = FALSE, recursive = TRUE)
  write.csv(df, path, row.names = FALSE)
  cat("wrote", path, "\n")
}

# Holzinger & Swineford (1939): nine mental ability tests of 301 seventh- and eighth-grade
# children; the three-factor CFA of lavaan's tutorial (chi-square 85.306 on 24 df).
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write_data(hs, "holzinger_swineford")
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
summary(cfa(hs_model, data = hs), fit.measures = TRUE, standardized = TRUE, rsquare = TRUE)

# Bollen (1989): industrialization and political democracy in 75 developing countries; the SEM
# of lavaan's tutorial with six residual covariances (chi-square 38.125 on 35 df).
pd <- PoliticalDemocracy
write_data(pd, "political_democracy")
pd_model <- paste(
  "ind60 =~ x1 + x2 + x3",
  "dem60 =~ y1 + y2 + y3 + y4",
  "dem65 =~ y5 + y6 + y7 + y8",
  "dem60 ~ ind60",
  "dem65 ~ ind60 + dem60",
  "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8", sep = "\n")
summary(sem(pd_model, data = pd), fit.measures = TRUE, standardized = TRUE, rsquare = TRUE)
