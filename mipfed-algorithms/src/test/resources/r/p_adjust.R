# Reference results for mipfed's p_adjust parameter: R's p.adjust on vectors with ties, NAs, ones and tiny values.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/p_adjust.R
# It writes mipfed-algorithms/src/test/resources/r/p_adjust_expected.json; the algorithms' own cases that adjust
# their p-values are in the other scripts' outputs.
suppressPackageStartupMessages(library(jsonlite))
out_file <- "mipfed-algorithms/src/test/resources/r/p_adjust_expected.json"
set.seed(20)
vectors <- list(
  c(0.01, 0.02, 0.03, 0.04, 0.05),
  c(0.04, 0.001, 0.04, 0.2, 0.04, 0.9, 1e-10, 0.5),
  c(0.3, NA, 0.0004, 0.02, NA, 0.7),
  c(1, 1, 0.99, 0.5),
  c(0.05),
  runif(40)^3)
methods <- c("holm", "hochberg", "bonferroni", "BH", "BY")
cases <- lapply(vectors, function(p) list(p = p, adjusted = setNames(lapply(methods, function(m) p.adjust(p, m)), methods)))
writeLines(toJSON(list(generated_by = paste("R", getRversion()), cases = cases),
                  digits = I(17), na = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
