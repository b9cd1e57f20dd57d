# Reference results for mipfed's cox_regression, computed by R's survival package on the pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/cox_regression.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/cox_regression_expected.json
#
# The times are binned as the nodes bin them: a time t moves up to the end of its bin,
# ceiling(t / bin_width) * bin_width. The design is mipfed's: each nominal covariate a factor over the levels present
# (in code point order, the first the reference), nominal covariates first, then numerical ones, in the request's
# order. Everything else is survival's own: coxph (ties "efron" or "breslow", strata()), its likelihood-ratio, Wald and
# score tests, and cox.zph with its default transform "km" (per covariate, and global). coxph iterates to
# eps = 1e-11 here (its default is 1e-9) so that the reference is the maximum to more digits than the checks use.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/cox_regression_expected.json"

files <- strsplit(trimws(readLines(file.path(data_dir, "FILES"), warn = FALSE)), "[[:space:]]+")[[1]]
files <- files[grepl("\\.csv$", files)]
rows <- do.call(rbind, lapply(files, function(f) {
  read.csv(file.path(data_dir, f), na.strings = "", colClasses = "character")
}))
nominal <- c("gender", "agegroup", "alzheimerbroadcategory")

all_of <- function(prefix, n) paste0(prefix, 0:(n - 1))
everything <- c(all_of("edsd", 10), all_of("ppmi", 10), all_of("desd-synthdata", 10))
cases <- list(
  list(name = "age to AD on hippocampus and gender, efron, width 1", datasets = all_of("edsd", 10),
       time = "subjectageyears", event = "alzheimerbroadcategory", event_level = "AD",
       covariates = c("lefthippocampus", "gender"), ties = "efron", strata = NULL, bin_width = 1),
  list(name = "age to AD on hippocampus and gender, breslow, width 2", datasets = all_of("edsd", 10),
       time = "subjectageyears", event = "alzheimerbroadcategory", event_level = "AD",
       covariates = c("lefthippocampus", "gender"), ties = "breslow", strata = NULL, bin_width = 2),
  list(name = "age to AD on amygdala and hippocampus, strata gender, efron, width 2.5",
       datasets = c(all_of("edsd", 10), all_of("desd-synthdata", 10)), time = "subjectageyears",
       event = "alzheimerbroadcategory", event_level = "AD", covariates = c("leftamygdala", "lefthippocampus"),
       ties = "efron", strata = "gender", bin_width = 2.5),
  list(name = "MMSE to AD on age and gender, all datasets, efron, width 1", datasets = everything,
       time = "minimentalstate", event = "alzheimerbroadcategory", event_level = "AD",
       covariates = c("subjectageyears", "gender"), ties = "efron", strata = NULL, bin_width = 1),
  list(name = "age to Other on amygdala, strata gender, breslow, width 5", datasets = c(all_of("ppmi", 10), all_of("edsd", 5)),
       time = "subjectageyears", event = "alzheimerbroadcategory", event_level = "Other",
       covariates = c("leftamygdala"), ties = "breslow", strata = "gender", bin_width = 5)
)

test_of <- function(chisq, df) list(chisq = unname(chisq), df = unname(df), p_value = unname(pchisq(chisq, df, lower.tail = FALSE)))

results <- lapply(cases, function(case) {
  used <- unique(c(case$time, case$event, case$covariates, case$strata))
  d <- rows[rows$dataset %in% case$datasets, used, drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  w <- case$bin_width
  m <- data.frame(time = ceiling(as.numeric(d[[case$time]]) / w) * w,
                  status = as.integer(d[[case$event]] == case$event_level))
  ordered <- c(case$covariates[case$covariates %in% nominal], case$covariates[!(case$covariates %in% nominal)])
  names_out <- c()
  for (v in ordered) {
    if (v %in% nominal) {
      lv <- sort(unique(d[[v]]), method = "radix")
      m[[v]] <- factor(d[[v]], levels = lv)
      names_out <- c(names_out, paste0(v, "[", lv[-1], "]"))
    } else {
      m[[v]] <- as.numeric(d[[v]])
      names_out <- c(names_out, v)
    }
  }
  rhs <- paste(ordered, collapse = " + ")
  if (!is.null(case$strata)) {
    m$stratum <- factor(d[[case$strata]])
    rhs <- paste(rhs, "+ strata(stratum)")
  }
  fit <- coxph(as.formula(paste("Surv(time, status) ~", rhs)), data = m, ties = case$ties,
               control = coxph.control(eps = 1e-11, iter.max = 100))
  beta <- unname(coef(fit))
  se <- sqrt(diag(fit$var))
  z <- qnorm(0.975)
  p <- length(beta)
  zph <- cox.zph(fit, transform = "km", terms = TRUE, global = TRUE)
  tbl <- zph$table
  nt <- nrow(tbl) - 1
  expected <- list(
    time_var = case$time, event_var = case$event, event_level = case$event_level, bin_width = w, ties = case$ties,
    strata_var = if (is.null(case$strata)) NA else case$strata,
    n_obs = fit$n, n_events = fit$nevent, covariates = I(names_out),
    coefficients = I(beta), std_err = I(unname(se)), z_values = I(beta / unname(se)),
    pvalues = I(2 * pnorm(abs(beta / unname(se)), lower.tail = FALSE)),
    hazard_ratios = I(exp(beta)), hr_lower_ci = I(exp(beta - z * unname(se))), hr_upper_ci = I(exp(beta + z * unname(se))),
    log_likelihood_null = fit$loglik[1], log_likelihood = fit$loglik[2],
    likelihood_ratio_test = test_of(2 * diff(fit$loglik), p),
    wald_test = test_of(unname(fit$wald.test), p),
    score_test = test_of(unname(fit$score), p),
    proportional_hazards = list(transform = "km", terms = I(ordered),
                                chisq = I(unname(tbl[1:nt, "chisq"])), df = I(unname(tbl[1:nt, "df"])),
                                pvalues = I(unname(tbl[1:nt, "p"])),
                                global = list(chisq = unname(tbl[nt + 1, "chisq"]), df = unname(tbl[nt + 1, "df"]),
                                              p_value = unname(tbl[nt + 1, "p"]))))
  params <- list(event_level = case$event_level, bin_width = w, ties = case$ties)
  if (!is.null(case$strata)) params$strata <- case$strata
  list(name = case$name,
       request = list(datasets = case$datasets, y = list(case$time), x = as.list(c(case$event, case$covariates)),
                      parameters = params),
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion(), "survival", packageVersion("survival")), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
