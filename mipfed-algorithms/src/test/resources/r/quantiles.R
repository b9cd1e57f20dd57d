# Reference results for mipfed's quantiles, computed by R on the pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/quantiles.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/quantiles_expected.json
#
# Each case is R's quantile(x, probs, type) over the pooled rows of the datasets with a value for x (na.rm), with
# n, min and max; integer-valued variables (ages, MMSE) have ties, which the bisection must handle.
suppressPackageStartupMessages(library(jsonlite))

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/quantiles_expected.json"

files <- strsplit(trimws(readLines(file.path(data_dir, "FILES"), warn = FALSE)), "[[:space:]]+")[[1]]
files <- files[grepl("\\.csv$", files)]
rows <- do.call(rbind, lapply(files, function(f) {
  read.csv(file.path(data_dir, f), na.strings = "", colClasses = "character")
}))

all_of <- function(prefix, n) paste0(prefix, 0:(n - 1))
everything <- c(all_of("edsd", 10), all_of("ppmi", 10), all_of("desd-synthdata", 10))
quartiles <- c(0, 0.25, 0.5, 0.75, 1)
cases <- list(
  list(name = "lefthippocampus, edsd, quartiles", datasets = all_of("edsd", 10),
       y = c("lefthippocampus"), probs = quartiles, type = 7),
  list(name = "subjectageyears and minimentalstate, all datasets, deciles (ties)", datasets = everything,
       y = c("subjectageyears", "minimentalstate"), probs = c(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), type = 7),
  list(name = "rightententorhinalarea, ppmi, tails", datasets = all_of("ppmi", 10),
       y = c("rightententorhinalarea"), probs = c(0.01, 0.05, 0.5, 0.95, 0.99), type = 7),
  list(name = "leftamygdala, desd-synthdata0 and edsd1, median", datasets = c("desd-synthdata0", "edsd1"),
       y = c("leftamygdala"), probs = c(0.5), type = 7)
)
for (type in c(1, 2, 3, 4, 5, 6, 8, 9)) {
  cases[[length(cases) + 1]] <- list(
    name = paste0("minimentalstate and lefthippocampus, edsd and ppmi, type ", type),
    datasets = c(all_of("edsd", 10), all_of("ppmi", 10)),
    y = c("minimentalstate", "lefthippocampus"), probs = c(0, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 1), type = type)
}

results <- lapply(cases, function(case) {
  d <- rows[rows$dataset %in% case$datasets, , drop = FALSE]
  variables <- lapply(case$y, function(v) {
    x <- as.numeric(d[[v]])
    x <- x[!is.na(x)]
    q <- unname(quantile(x, probs = case$probs, type = case$type))
    list(variable = v, n = length(x), min = min(x), max = max(x),
         quantiles = lapply(seq_along(case$probs), function(i) list(probability = case$probs[i], value = q[i])))
  })
  list(name = case$name,
       request = list(datasets = case$datasets, y = I(case$y),
                      parameters = list(probabilities = I(case$probs), type = case$type)),
       expected = list(type = case$type, variables = variables))
})

writeLines(toJSON(list(generated_by = paste("R", getRversion()), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
