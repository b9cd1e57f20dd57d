# Reference results for p_adjust on pearson_correlation and anova_oneway, computed by R on the pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/p_adjust_tests.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/pearson_correlation_expected.json: cor.test's p-values over the rows
#     complete in every variable, and p.adjust of them over the distinct pairs of different variables (each once);
#   mipfed-algorithms/src/test/resources/r/anova_oneway_expected.json: pairwise.t.test(y, x, p.adjust.method = m)
#     (pooled standard deviation) for every pair of levels present, in the data model's level order, and unadjusted.
suppressPackageStartupMessages(library(jsonlite))

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_dir <- "mipfed-algorithms/src/test/resources/r"

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
everything <- c(all_of("edsd", 10), all_of("ppmi", 10), all_of("desd-synthdata", 10))
write_cases <- function(cases, file) {
  writeLines(toJSON(list(generated_by = paste("R", getRversion()), cases = cases),
                    auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE),
             file.path(out_dir, file))
  cat("wrote", file.path(out_dir, file), "\n")
}

pearson <- list(
  list(name = "four volumes, edsd, holm", datasets = all_of("edsd", 10),
       y = c("leftamygdala", "lefthippocampus", "righthippocampus", "leftententorhinalarea"), x = character(0),
       method = "holm"),
  list(name = "four volumes, all datasets, BH", datasets = everything,
       y = c("leftamygdala", "lefthippocampus", "righthippocampus", "leftententorhinalarea"), x = character(0),
       method = "BH"),
  list(name = "two against three sharing one, ppmi, BY", datasets = all_of("ppmi", 10),
       y = c("lefthippocampus", "rightententorhinalarea"),
       x = c("lefthippocampus", "subjectageyears", "leftamygdala"), method = "BY"),
  list(name = "two against three, desd-synthdata, hochberg", datasets = all_of("desd-synthdata", 10),
       y = c("leftamygdala", "rightamygdala"), x = c("subjectageyears", "minimentalstate", "lefthippocampus"),
       method = "hochberg"),
  list(name = "three volumes, edsd0 to edsd2, bonferroni", datasets = all_of("edsd", 3),
       y = c("leftamygdala", "rightamygdala", "leftcaudate"), x = character(0), method = "bonferroni"))
pearson_results <- lapply(pearson, function(case) {
  x <- if (length(case$x) == 0) case$y else case$x
  d <- rows[rows$dataset %in% case$datasets, unique(c(case$y, x)), drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  d[] <- lapply(d, as.numeric)
  p <- sapply(x, function(b) sapply(case$y, function(a) if (a == b) 0 else cor.test(d[[a]], d[[b]])$p.value))
  p <- matrix(p, nrow = length(case$y), dimnames = list(case$y, x))
  pairs <- list(); tests <- c()
  for (a in case$y) for (b in x) if (a != b) {
    key <- paste(sort(c(a, b)), collapse = "|")
    if (is.null(pairs[[key]])) { pairs[[key]] <- length(tests) + 1; tests <- c(tests, p[a, b]) }
  }
  adjusted <- p.adjust(tests, case$method)
  raw_table <- c(list(variables = I(x)), lapply(setNames(case$y, case$y), function(a) I(unname(p[a, ]))))
  adj_table <- c(list(variables = I(x)), lapply(setNames(case$y, case$y), function(a) I(unname(sapply(x, function(b)
    if (a == b) NA else adjusted[pairs[[paste(sort(c(a, b)), collapse = "|")]]])))))
  list(name = case$name,
       request = list(datasets = case$datasets, y = I(case$y), x = I(case$x),
                      parameters = list(p_adjust = case$method)),
       expected = list(n_obs = nrow(d), p_adjust = case$method, p_values = raw_table, p_values_adjusted = adj_table))
})
write_cases(pearson_results, "pearson_correlation_expected.json")

anova <- list(
  list(name = "lefthippocampus by alzheimerbroadcategory, edsd, holm", datasets = all_of("edsd", 10),
       y = "lefthippocampus", x = "alzheimerbroadcategory", method = "holm"),
  list(name = "leftamygdala by agegroup, all datasets, BH", datasets = everything,
       y = "leftamygdala", x = "agegroup", method = "BH"),
  list(name = "minimentalstate by agegroup, edsd and desd-synthdata, BY",
       datasets = c(all_of("edsd", 10), all_of("desd-synthdata", 10)), y = "minimentalstate", x = "agegroup",
       method = "BY"),
  list(name = "righthippocampus by ppmicategory, ppmi, hochberg", datasets = all_of("ppmi", 10),
       y = "righthippocampus", x = "ppmicategory", method = "hochberg"),
  list(name = "lefthippocampus by dataset, edsd0 to edsd4, bonferroni", datasets = all_of("edsd", 5),
       y = "lefthippocampus", x = "dataset", method = "bonferroni"))
anova_results <- lapply(anova, function(case) {
  d <- rows[rows$dataset %in% case$datasets, c(case$y, case$x), drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  levels <- if (case$x == "dataset") case$datasets else levels_of(case$x)
  levels <- Filter(function(l) any(d[[case$x]] == l), levels)
  g <- factor(d[[case$x]], levels = levels)
  y <- as.numeric(d[[case$y]])
  raw <- pairwise.t.test(y, g, p.adjust.method = "none")$p.value
  adj <- pairwise.t.test(y, g, p.adjust.method = case$method)$p.value
  pairs <- list()
  for (a in seq_along(levels)) for (b in seq_along(levels)) if (a < b) {
    pairs[[length(pairs) + 1]] <- list(groupA = levels[a], groupB = levels[b],
      p_t_test = raw[levels[b], levels[a]], p_t_test_adjusted = adj[levels[b], levels[a]])
  }
  list(name = case$name,
       request = list(datasets = case$datasets, y = I(case$y), x = I(case$x),
                      parameters = list(p_adjust = case$method)),
       expected = list(tuckey_test = pairs))
})
write_cases(anova_results, "anova_oneway_expected.json")
