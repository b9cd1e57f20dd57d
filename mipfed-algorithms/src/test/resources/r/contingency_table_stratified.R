# Reference results for mipfed's stratified contingency_table (a third variable as the second x), computed by R on the
# pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/contingency_table_stratified.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/contingency_table_stratified_expected.json
#
# Over the rows complete in all three variables: the table of all strata together as contingency_table.R computes
# it; per stratum present (in the data model's order), the same over its rows (the levels present in them); R's
# mantelhaen.test on table(y, x, z) with the levels present overall (continuity correction as `correct`); and with
# p_adjust, each test's p-values adjusted over the strata by p.adjust. y is gender in every case, so every table has
# two rows and Fisher's exact test is computed throughout.
suppressPackageStartupMessages(library(jsonlite))

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/contingency_table_stratified_expected.json"

files <- strsplit(trimws(readLines(file.path(data_dir, "FILES"), warn = FALSE)), "[[:space:]]+")[[1]]
files <- files[grepl("\\.csv$", files)]
rows <- do.call(rbind, lapply(files, function(f) {
  read.csv(file.path(data_dir, f), na.strings = "", colClasses = "character")
}))
cdes <- fromJSON(file.path(data_dir, "CDEsMetadata.json"), simplifyVector = FALSE)
levels_of <- function(code, datasets) {
  find <- function(group) {
    for (v in group$variables) if (v$code == code) return(vapply(v$enumerations, function(e) e$code, ""))
    for (g in group$groups) { found <- find(g); if (!is.null(found)) return(found) }
    NULL
  }
  levels <- find(cdes)
  # the dataset variable's levels are the requested datasets, in the data model's order
  if (code == "dataset") levels[levels %in% datasets] else levels
}
all_of <- function(prefix, n) paste0(prefix, 0:(n - 1))

cases <- list(
  list(name = "gender by dataset within agegroup, edsd2 and ppmi0 (2 x 2 x K)", datasets = c("edsd2", "ppmi0"),
       y = "gender", x = "dataset", z = "agegroup", correct = TRUE, method = NULL),
  list(name = "gender by dataset within agegroup, edsd2 and ppmi0, no correction, holm",
       datasets = c("edsd2", "ppmi0"), y = "gender", x = "dataset", z = "agegroup", correct = FALSE, method = "holm"),
  list(name = "gender by alzheimerbroadcategory within dataset, edsd (2 x 3 x 10), BH", datasets = all_of("edsd", 10),
       y = "gender", x = "alzheimerbroadcategory", z = "dataset", correct = TRUE, method = "BH"),
  list(name = "gender by alzheimerbroadcategory within agegroup, desd-synthdata0 to 4, BY",
       datasets = all_of("desd-synthdata", 5), y = "gender", x = "alzheimerbroadcategory", z = "agegroup",
       correct = TRUE, method = "BY")
)

two_way <- function(d, y, x, ylev_all, xlev_all, correct) {
  ylev <- Filter(function(l) any(d[[y]] == l), ylev_all)
  xlev <- Filter(function(l) any(d[[x]] == l), xlev_all)
  t <- table(factor(d[[y]], levels = ylev), factor(d[[x]], levels = xlev))
  out <- list(n = sum(t), row_levels = I(ylev), col_levels = I(xlev),
              counts = lapply(seq_len(nrow(t)), function(i) I(unname(as.vector(t[i, ])))))
  if (nrow(t) < 2 || ncol(t) < 2) {
    out$chi_squared <- list(statistic = NA, p_value = NA)
    out$likelihood_ratio <- list(statistic = NA, p_value = NA)
    out$fisher_exact <- list(p_value = NA)
    out$cramers_v <- NA
    return(out)
  }
  chi <- suppressWarnings(chisq.test(t, correct = correct))
  plain <- suppressWarnings(chisq.test(t, correct = FALSE))
  e <- chi$expected
  g <- 2 * sum(ifelse(t > 0, t * log(t / e), 0))
  df <- unname(chi$parameter)
  out$expected <- lapply(seq_len(nrow(e)), function(i) I(unname(as.vector(e[i, ]))))
  out$chi_squared <- list(statistic = unname(chi$statistic), df = df, p_value = chi$p.value)
  out$likelihood_ratio <- list(statistic = g, df = df, p_value = pchisq(g, df, lower.tail = FALSE))
  out$fisher_exact <- list(p_value = fisher.test(t)$p.value)
  out$cramers_v <- sqrt(unname(plain$statistic) / (sum(t) * (min(dim(t)) - 1)))
  out
}

results <- lapply(cases, function(case) {
  d <- rows[rows$dataset %in% case$datasets, c(case$y, case$x, case$z), drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  ylev_all <- levels_of(case$y, case$datasets)
  xlev_all <- levels_of(case$x, case$datasets)
  zlev <- Filter(function(l) any(d[[case$z]] == l), levels_of(case$z, case$datasets))
  expected <- two_way(d, case$y, case$x, ylev_all, xlev_all, case$correct)
  expected$stratum_var <- case$z
  strata <- lapply(zlev, function(l) list(level = l,
    table = two_way(d[d[[case$z]] == l, , drop = FALSE], case$y, case$x, ylev_all, xlev_all, case$correct)))
  if (!is.null(case$method)) {
    adjust <- function(test) p.adjust(sapply(strata, function(s) {
      v <- s$table[[test]]$p_value; if (is.null(v) || is.na(v)) NA else v }), case$method)
    chi <- adjust("chi_squared"); g <- adjust("likelihood_ratio"); f <- adjust("fisher_exact")
    for (k in seq_along(strata)) {
      strata[[k]]$p_values_adjusted <- list(chi_squared = chi[k], likelihood_ratio = g[k], fisher_exact = f[k])
    }
    expected$p_adjust <- case$method
  }
  expected$strata <- strata
  ylev <- Filter(function(l) any(d[[case$y]] == l), ylev_all)
  xlev <- Filter(function(l) any(d[[case$x]] == l), xlev_all)
  t3 <- table(factor(d[[case$y]], levels = ylev), factor(d[[case$x]], levels = xlev), factor(d[[case$z]], levels = zlev))
  mh <- mantelhaen.test(t3, correct = case$correct)
  expected$mantel_haenszel <- list(statistic = unname(mh$statistic), df = unname(mh$parameter), p_value = mh$p.value)
  if (length(ylev) == 2 && length(xlev) == 2) {
    expected$mantel_haenszel$common_odds_ratio <- unname(mh$estimate)
    expected$mantel_haenszel$common_odds_ratio_ci <- I(as.vector(mh$conf.int))
  }
  parameters <- list(correct = case$correct)
  if (!is.null(case$method)) parameters$p_adjust <- case$method
  list(name = case$name,
       request = list(datasets = case$datasets, y = I(case$y), x = I(c(case$x, case$z)), parameters = parameters),
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion()), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
