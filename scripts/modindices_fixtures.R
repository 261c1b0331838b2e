# Reference modification indices from lavaan for tests/test_sem.py (modindices with the
# standardized expected parameter changes sepc.lv, sepc.all and sepc.nox).
# Writes tests/fixtures/lavaan/mi_<case>.json. Run from the repository root:
#   Rscript scripts/modindices_fixtures.R
# Needs R >= 4 with lavaan (Debian: r-base-core r-cran-lavaan). No other package is used.
suppressPackageStartupMessages(library(lavaan))

out_dir <- file.path("tests", "fixtures", "lavaan")
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

# modindices() with lavaan's defaults (standardized = TRUE, cov.std = TRUE,
# free.remove = TRUE, na.remove = TRUE), rows in lavaan's order
mi_case <- function(case, model, data_file, call, fit) {
  mi <- modindices(fit)
  rows <- data.frame(lhs = mi$lhs, op = mi$op, rhs = mi$rhs, mi = mi$mi, epc = mi$epc,
                     sepc.lv = mi$sepc.lv, sepc.all = mi$sepc.all, sepc.nox = mi$sepc.nox,
                     stringsAsFactors = FALSE)
  obj <- list(case = case, call = call, model = model, data = data_file,
              lavaan_version = as.character(packageVersion("lavaan")),
              modindices = rows)
  write_json_file(obj, file.path(out_dir, paste0("mi_", case, ".json")))
}

auto_lavaan <- function(model, data, ...) {
  lavaan(model, data = data, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE, ...)
}

hs <- read.csv(file.path(out_dir, "holzinger_swineford.csv"))
pd <- read.csv(file.path(out_dir, "political_democracy.csv"))

# HolzingerSwineford1939, three-factor CFA (cfa() defaults)
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
mi_case("hs_cfa", m, "holzinger_swineford.csv", "cfa", cfa(m, data = hs))

# a residual covariance, a latent regression, a factor identified by its variance
# (marker loading free), a loading fixed to a value other than the marker, a fixed residual
# variance and a fixed latent covariance (lavaan frees fixed parameters in modindices)
m <- paste("visual =~ NA*x1 + x2 + x3", "textual =~ x4 + 1*x5 + x6",
           "speed =~ x7 + x8 + x9", "visual ~~ 1*visual", "x1 ~~ x9", "speed ~ visual",
           "x6 ~~ 0.2*x6", "visual ~~ 0.1*textual", sep = "\n")
mi_case("hs_rescov", m, "holzinger_swineford.csv", "lavaan_auto", auto_lavaan(m, hs))

# PoliticalDemocracy SEM with correlated residuals (sem() defaults)
m <- paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + y2 + y3 + y4",
           "dem65 =~ y5 + y6 + y7 + y8", "dem60 ~ ind60", "dem65 ~ ind60 + dem60",
           "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8", sep = "\n")
mi_case("pd_sem", m, "political_democracy.csv", "sem", sem(m, data = pd))

# observed predictors (fixed.x) and an observed outcome
m <- paste("dem60 =~ y1 + y2 + y3 + y4", "dem60 ~ x1 + x2", "y5 ~ dem60", sep = "\n")
mi_case("pd_fixedx", m, "political_democracy.csv", "sem", sem(m, data = pd))
