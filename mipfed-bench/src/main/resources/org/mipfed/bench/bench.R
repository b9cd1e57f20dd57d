# mipfed bench: R's time for the analyses the benchmark measures, on the pooled rows.
# Run by BenchCommand as: Rscript bench.R <pooled.csv> <runs> <analysis>...
# Reading the CSV is not timed; each model call alone is, as the median of <runs> runs after one warm-up,
# printed as "TIME <analysis> <ms>". Only the analyses named are run: on millions of rows each call takes seconds.
suppressMessages(library(data.table))
args <- commandArgs(trailingOnly = TRUE)
runs <- as.integer(args[2])
d <- as.data.frame(fread(args[1], na.strings = ''))
d$gender <- factor(d$gender); d$agegroup <- factor(d$agegroup); d$event <- as.integer(d$event == 'yes')
xs <- paste0('x', 1:10)
lm_formula <- as.formula(paste('y ~', paste(c(xs, 'gender', 'agegroup'), collapse = ' + ')))
glm_formula <- as.formula(paste('event ~', paste(xs, collapse = ' + ')))
time <- function(name, f) { f(); t <- replicate(runs, system.time(f())[['elapsed']]); cat('TIME', name, 1000 * median(t), '\n') }
calls <- list(
  linear_regression = function() lm(lm_formula, data = d),
  logistic_regression = function() glm(glm_formula, family = binomial, data = d),
  pearson_correlation = function() cor(d[, c(xs[1:5], 'y')], use = 'complete.obs'),
  pca = function() prcomp(na.omit(d[, xs]), center = TRUE, scale. = TRUE),
  ttest_independent = function() t.test(y ~ gender, data = d),
  kmeans = function() kmeans(na.omit(d[, xs[1:5]]), centers = 4, iter.max = 20)
)
for (name in args[-(1:2)]) {
  time(name, calls[[name]])
}
