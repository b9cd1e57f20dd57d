# Reference results for mipfed's contingency_table, computed by R on the pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/contingency_table.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/contingency_table_expected.json
#
# The table is R's table(y, x) over the rows complete in both (levels present only, in the data
# model's order); the tests are R's own: chisq.test (Yates' correction for 2 x 2 as `correct` says),
# the likelihood-ratio G test (2 sum O log(O / E) on the same df), fisher.test (two-sided) and
# Cramer's V from the uncorrected chi-squared.
suppressPackageStartupMessages(library(jsonlite))

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/contingency_table_expected.json"

files <- strsplit(trimws(readLines(file.path(data_dir, "FILES"), warn = FALSE)), "[[:space:]]+")[[1]]
files <- files[grepl("\\.csv$", files)]
rows <- do.call(rbind, lapply(files, function(f) {
  read.csv(file.path(data_dir, f), na.strings = "", colClasses = "character")
}))

cdes <- fromJSON(file.path(data_dir, "CDEsMetadata.json"), simplifyVector = FALSE)
levels_of <- function(code) {
  find <- function(group) {
    for (v in group$variables) if (v$code == code) return(vapply(v$enumerations, function(e) e$code, ""))
    for (g in group$groups) { found <- find(g); if (!is.null(found)) return(found) }
    NULL
  }
  find(cdes)
}

all_of <- function(prefix, n) paste0(prefix, 0:(n - 1))
cases <- list(
  list(name = "gender by alzheimerbroadcategory, edsd", datasets = all_of("edsd", 10),
       y = "gender", x = "alzheimerbroadcategory", correct = TRUE),
  list(name = "agegroup by alzheimerbroadcategory, desd-synthdata", datasets = all_of("desd-synthdata", 10),
       y = "agegroup", x = "alzheimerbroadcategory", correct = TRUE),
  list(name = "gender by dataset, edsd2 and ppmi0, Yates", datasets = c("edsd2", "ppmi0"),
       y = "gender", x = "dataset", correct = TRUE),
  list(name = "gender by dataset, edsd2 and ppmi0, no correction", datasets = c("edsd2", "ppmi0"),
       y = "gender", x = "dataset", correct = FALSE),
  list(name = "dataset by gender, an empty cell", datasets = c("edsd0", "desd-synthdata0"),
       y = "dataset", x = "gender", correct = TRUE),
  list(name = "gender by ppmicategory, ppmi", datasets = all_of("ppmi", 10),
       y = "gender", x = "ppmicategory", correct = TRUE),
  list(name = "gender by agegroup, all datasets", datasets = c(all_of("edsd", 10), all_of("ppmi", 10),
       all_of("desd-synthdata", 10)), y = "gender", x = "agegroup", correct = TRUE)
)

# Fisher's exact test is computed where mipfed enumerates the tables (2 x 2 always; r x c up to
# mipfed's limit of tables with the observed margins): here, every table with two rows and at most
# four columns. Elsewhere mipfed reports no p-value, and so does this file.
fisher_enumerable <- function(t) nrow(t) == 2 && ncol(t) <= 4

results <- lapply(cases, function(case) {
  d <- rows[rows$dataset %in% case$datasets, c(case$y, case$x), drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  ylev <- Filter(function(l) any(d[[case$y]] == l), levels_of(case$y))
  xlev <- Filter(function(l) any(d[[case$x]] == l), levels_of(case$x))
  t <- table(factor(d[[case$y]], levels = ylev), factor(d[[case$x]], levels = xlev))
  chi <- suppressWarnings(chisq.test(t, correct = case$correct))
  plain <- suppressWarnings(chisq.test(t, correct = FALSE))
  e <- chi$expected
  g <- 2 * sum(ifelse(t > 0, t * log(t / e), 0))
  df <- unname(chi$parameter)
  expected <- list(
    row_var = case$y, col_var = case$x, row_levels = ylev, col_levels = xlev, n = sum(t),
    counts = lapply(seq_len(nrow(t)), function(i) unname(as.vector(t[i, ]))),
    expected = lapply(seq_len(nrow(e)), function(i) unname(as.vector(e[i, ]))),
    row_totals = unname(as.vector(rowSums(t))), col_totals = unname(as.vector(colSums(t))),
    chi_squared = list(statistic = unname(chi$statistic), df = df, p_value = chi$p.value,
                       yates_correction = case$correct && nrow(t) == 2 && ncol(t) == 2),
    likelihood_ratio = list(statistic = g, df = df, p_value = pchisq(g, df, lower.tail = FALSE)),
    cramers_v = sqrt(unname(plain$statistic) / (sum(t) * (min(dim(t)) - 1))))
  if (fisher_enumerable(t)) {
    expected$fisher_exact <- list(p_value = fisher.test(t)$p.value)
  }
  list(name = case$name,
       request = list(datasets = case$datasets, y = list(case$y), x = list(case$x),
                      parameters = list(correct = case$correct)),
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion()), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")

# Fisher's exact test on small r x c tables, beside the pooled cases: the enumeration against R's network algorithm.
fisher_file <- "mipfed-algorithms/src/test/resources/r/contingency_table_fisher_expected.json"
tables <- list(
  matrix(c(3, 1, 0, 2, 5, 1, 0, 2, 6), nrow = 3, byrow = TRUE),
  matrix(c(12, 5, 9, 7, 3, 10, 4, 8, 2, 6, 11, 1), nrow = 3, byrow = TRUE),
  matrix(c(120, 45, 80, 95), nrow = 2, byrow = TRUE),
  matrix(c(0, 7, 9, 0, 3, 4), nrow = 2, byrow = TRUE),
  matrix(c(2, 0, 1, 1, 0, 3, 1, 2, 4, 0, 0, 1, 2, 2, 1, 0), nrow = 4, byrow = TRUE))
fisher <- lapply(tables, function(t) list(table = lapply(seq_len(nrow(t)), function(i) t[i, ]),
                                          p_value = fisher.test(t)$p.value))
writeLines(toJSON(list(generated_by = paste("R", getRversion()), tables = fisher),
                  auto_unbox = TRUE, digits = I(17), pretty = TRUE), fisher_file)
cat("wrote", fisher_file, "\n")
