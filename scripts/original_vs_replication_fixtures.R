# Reference values from lavaan for the original-vs-replication step
# (tests/test_original_vs_replication.py): the live_commerce CFA fitted to the original sample
# (the reconstruction at the published N, seed 2024) and a replication sample (`replicate
# reconstruct live_commerce --source simulated --seed 5`) stacked with the column `sample`, as
# configural, metric and scalar models (cfa(), group.equal), the chi-square differences
# (lavTestLRT), and the structural model with loadings and regressions equal or free (the
# suite's model defaults: lavaan() with auto.var, auto.fix.first, auto.cov.lv.x).
# Writes tests/fixtures/original_vs_replication/live_commerce.json. Run from the repository root:
#   Rscript scripts/original_vs_replication_fixtures.R
suppressPackageStartupMessages(library(lavaan))
source(file.path("scripts", "json_writer.R"))  # write_json_file(): base-R JSON writer

dir <- file.path("tests", "fixtures", "original_vs_replication")
data <- read.csv(file.path(dir, "live_commerce_stacked.csv"))
lv <- c("T", "SN", "PI", "HI", "MI", "RB", "RD")
meas <- paste0(lv, " =~ ", lv, "1 + ", lv, "2 + ", lv, "3", collapse = "\n")
paths <- "PI ~ T + SN\nHI ~ T + SN\nMI ~ T + SN\nRB ~ PI + HI + MI\nRD ~ PI + HI + MI\nT ~~ SN\n"
keep <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")

steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"))
fits <- lapply(steps, function(eq) cfa(meas, data = data, group = "sample", group.equal = eq))
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar)
invariance <- lapply(names(fits), function(s) c(list(model = s), as.list(fitMeasures(fits[[s]], keep))))
sem_fit <- function(eq) lavaan(paste0(meas, "\n", paths), data = data, group = "sample",
                               group.equal = eq, auto.var = TRUE, auto.fix.first = TRUE,
                               auto.cov.lv.x = TRUE, int.ov.free = TRUE, int.lv.free = FALSE,
                               meanstructure = TRUE)
free <- sem_fit("")
equal <- sem_fit(c("loadings", "regressions"))
pe <- parameterEstimates(free)
pe <- pe[pe$op %in% c("=~", "~") & !is.na(pe$se) & pe$se > 0, ]
labels <- lavInspect(free, "group.label")
obj <- list(lavaan_version = as.character(packageVersion("lavaan")),
            data = "live_commerce_stacked.csv", group = "sample",
            call = "cfa(model, data, group = 'sample', group.equal); lavTestLRT",
            invariance = invariance,
            lrt = list(chisq_diff = as.list(lrt[["Chisq diff"]][-1]),
                       df_diff = as.list(lrt[["Df diff"]][-1]),
                       pvalue = as.list(lrt[["Pr(>Chisq)"]][-1])),
            sem_free = as.list(fitMeasures(free, c("chisq", "df"))),
            sem_equal = as.list(fitMeasures(equal, c("chisq", "df"))),
            parameters = lapply(seq_len(nrow(pe)), function(i)
              list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i],
                   group = labels[pe$group[i]], est = pe$est[i], se = pe$se[i])))
write_json_file(obj, file.path(dir, "live_commerce.json"))
