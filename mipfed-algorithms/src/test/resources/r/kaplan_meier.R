# Reference results for mipfed's kaplan_meier, computed by R's survival package on the pooled rows.
#
# Run from the repository root (see README.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/kaplan_meier.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/kaplan_meier_expected.json
#
# The times are binned as the nodes bin them: a time t moves up to the end of its bin,
# ceiling(t / bin_width) * bin_width. Everything else is survival's own: survfit (Kaplan-Meier,
# Greenwood, conf.type = "log"), quantile.survfit (median and its interval) and survdiff (log-rank).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/kaplan_meier_expected.json"

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
  list(name = "age to AD, edsd, width 1", datasets = all_of("edsd", 10), time = "subjectageyears",
       event = "alzheimerbroadcategory", event_level = "AD", group = NULL, bin_width = 1),
  list(name = "age to AD by gender, all datasets, width 5",
       datasets = c(all_of("edsd", 10), all_of("ppmi", 10), all_of("desd-synthdata", 10)), time = "subjectageyears",
       event = "alzheimerbroadcategory", event_level = "AD", group = "gender", bin_width = 5),
  list(name = "age to AD by agegroup, width 2.5", datasets = c(all_of("edsd", 5), all_of("desd-synthdata", 5)),
       time = "subjectageyears", event = "alzheimerbroadcategory", event_level = "AD", group = "agegroup", bin_width = 2.5),
  list(name = "MMSE to AD by agegroup, width 3", datasets = c(all_of("edsd", 10), all_of("desd-synthdata", 10)),
       time = "minimentalstate", event = "alzheimerbroadcategory", event_level = "AD", group = "agegroup", bin_width = 3),
  list(name = "age to Other by gender, ppmi and edsd, width 0.5", datasets = c(all_of("ppmi", 10), all_of("edsd", 3)),
       time = "subjectageyears", event = "alzheimerbroadcategory", event_level = "Other", group = "gender", bin_width = 0.5)
)

num <- function(x) ifelse(is.finite(x), x, NA)

curve <- function(d, group) {
  fit <- survfit(Surv(time, status) ~ 1, data = d)  # conf.type = "log", conf.int = 0.95: R's defaults
  q <- quantile(fit, 0.5)
  list(group = if (is.null(group)) NA else group, n = nrow(d), events = sum(d$status),
       time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       survival = fit$surv, std_err = num(fit$std.err), lower_ci = num(fit$lower), upper_ci = num(fit$upper),
       median = unname(num(q$quantile)), median_lower_ci = unname(num(q$lower)), median_upper_ci = unname(num(q$upper)))
}

results <- lapply(cases, function(case) {
  used <- c(case$time, case$event, case$group)
  d <- rows[rows$dataset %in% case$datasets, used, drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  w <- case$bin_width
  d$time <- ceiling(as.numeric(d[[case$time]]) / w) * w
  d$status <- as.integer(d[[case$event]] == case$event_level)
  expected <- list(time_var = case$time, event_var = case$event, event_level = case$event_level,
                   group_var = if (is.null(case$group)) NA else case$group, bin_width = w,
                   n_obs = nrow(d), n_events = sum(d$status))
  if (is.null(case$group)) {
    expected$curves <- list(curve(d, NULL))
  } else {
    present <- Filter(function(l) any(d[[case$group]] == l), levels_of(case$group))
    d$group <- factor(d[[case$group]], levels = present)
    expected$curves <- lapply(present, function(l) curve(d[d$group == l, ], l))
    lr <- survdiff(Surv(time, status) ~ group, data = d)
    df <- sum(lr$exp > 0) - 1
    expected$logrank <- list(groups = present, observed = unname(lr$obs), expected = unname(lr$exp),
                             chi_squared = lr$chisq, df = df, p_value = pchisq(lr$chisq, df, lower.tail = FALSE))
  }
  list(name = case$name,
       request = list(datasets = case$datasets, y = list(case$time), x = as.list(c(case$event, case$group)),
                      parameters = list(event_level = case$event_level, bin_width = w)),
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion(), "survival", packageVersion("survival")), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
