# Reference values from lavaan and semTools for the tests of replication.analyses.moderation: a latent
# interaction with double-mean-centred matched-pair product indicators (semTools::indProd with
# match = TRUE, meanC = TRUE, doubleMC = TRUE) fitted by lavaan, with latent simple slopes as
# defined parameters (:=) at the moderator's mean and +/- 1 SD.
# Run from the repository root:  Rscript scripts/moderation_fixtures.R
# Needs R >= 4 with lavaan and semTools. Data: tests/fixtures/moderation/latent_interaction.csv
suppressPackageStartupMessages({library(lavaan); library(semTools)})
source(file.path("scripts", "json_writer.R"))
out_dir <- file.path("tests", "fixtures", "moderation")
dat <- read.csv(file.path(out_dir, "latent_interaction.csv"))
dmc <- indProd(dat, var1 = c("x1", "x2", "x3"), var2 = c("m1", "m2", "m3"), match = TRUE,
               meanC = TRUE, residualC = FALSE, doubleMC = TRUE,
               namesProd = c("x1_x_m1", "x2_x_m2", "x3_x_m3"))
model <- paste("X =~ x1 + x2 + x3", "M =~ m1 + m2 + m3", "XxM =~ x1_x_m1 + x2_x_m2 + x3_x_m3",
               "Y =~ y1 + y2 + y3", "Y ~ g1*X + M + g3*XxM", "X ~~ M", "X ~~ XxM", "M ~~ XxM",
               "M ~~ vm*M", "slope_low := g1 - g3*sqrt(vm)", "slope_mean := g1",
               "slope_high := g1 + g3*sqrt(vm)", sep = "\n")
fit <- sem(model, data = dmc)
pe <- parameterEstimates(fit, standardized = TRUE)
keep <- pe$op %in% c("~", ":=") | (pe$op == "~~" & pe$lhs == "M" & pe$rhs == "M")
prods <- dmc[1:5, c("x1_x_m1", "x2_x_m2", "x3_x_m3")]
write_json_file(list(case = "latent_interaction", model = model,
                     data = "latent_interaction.csv",
                     lavaan_version = as.character(packageVersion("lavaan")),
                     semtools_version = as.character(packageVersion("semTools")),
                     chisq = fitMeasures(fit, "chisq"), df = fitMeasures(fit, "df"),
                     products_first_rows = prods,
                     parameters = data.frame(lhs = pe$lhs[keep], op = pe$op[keep], rhs = pe$rhs[keep],
                                             est = pe$est[keep], se = pe$se[keep],
                                             std_all = pe$std.all[keep], stringsAsFactors = FALSE)),
                file.path(out_dir, "latent_interaction.json"))
