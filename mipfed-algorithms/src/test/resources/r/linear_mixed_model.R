# Reference results for mipfed's linear_mixed_model, computed by lme4's lmer (and lmerTest's Satterthwaite degrees of
# freedom) on the pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/linear_mixed_model.R
# It reads the dementia and longitudinal dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/linear_mixed_model_expected.json
#
# The model is y ~ X + (1 | dataset) or, with a random slope of the numerical covariate z, y ~ X + (1 + z | dataset)
# (correlated intercept and slope). Nominal covariates are dummy coded with the first level present (in code point
# order) as the reference, as mipfed does. lmer runs with tight optimizer tolerances and its theta is then polished
# (below), so that its answer is the optimum (its defaults stop a little earlier). The fixed effects' t tests and 95%
# intervals use lmerTest's Satterthwaite degrees of freedom (lmerTest's default, computed by its own as_lmerModLT from
# the polished fit) or, where the case asks, the residual ones, n - p; the random effects are lmer's conditional modes
# (ranef).
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(jsonlite)
})

out_file <- "mipfed-algorithms/src/test/resources/r/linear_mixed_model_expected.json"

read_model <- function(dir) {
  files <- strsplit(trimws(paste(readLines(file.path(dir, "FILES"), warn = FALSE), collapse = " ")), "[[:space:]]+")[[1]]
  files <- files[grepl("\\.csv$", files)]
  rows <- do.call(rbind, lapply(files, function(f) {
    read.csv(file.path(dir, f), na.strings = "", colClasses = "character")
  }))
  cdes <- fromJSON(file.path(dir, "CDEsMetadata.json"), simplifyVector = FALSE)
  # The groups in the data model's order of the dataset variable, as mipfed lists them.
  levels <- vapply(Filter(function(v) v$code == "dataset", cdes$variables)[[1]]$enumerations, function(e) e$code, "")
  list(rows = rows, levels = levels, id = paste0(cdes$code, ":", cdes$version))
}
models <- list(
  dementia = read_model("mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"),
  longitudinal = read_model("mipfed-data/src/main/resources/org/mipfed/data/longitudinal_dementia_v_0_1"))
nominal <- c("gender", "agegroup", "alzheimerbroadcategory", "visitid")

all_of <- function(prefix, n) paste0(prefix, 0:(n - 1))
everything <- c(all_of("edsd", 10), all_of("ppmi", 10), all_of("desd-synthdata", 10))
longitudinal <- c(all_of("longitudinal_dementia", 3), "longitudinal_dementia_test")
cases <- list(
  list(y = "lefthippocampus", x = c("subjectageyears", "gender"), datasets = everything, reml = TRUE),
  list(y = "lefthippocampus", x = c("subjectageyears", "gender"), datasets = everything, reml = FALSE,
       df_method = "residual"),
  list(y = "leftamygdala", x = c("agegroup", "lefthippocampus"), datasets = c(all_of("edsd", 5), all_of("desd-synthdata", 5)),
       reml = TRUE),
  list(y = "minimentalstate", x = c("subjectageyears"), datasets = c(all_of("edsd", 10), all_of("desd-synthdata", 10)),
       reml = FALSE),
  list(y = "leftamygdala", x = c("lefthippocampus", "gender"), datasets = everything, reml = TRUE,
       slope = "lefthippocampus"),
  list(y = "leftamygdala", x = c("lefthippocampus", "gender"), datasets = everything, reml = FALSE,
       slope = "lefthippocampus"),
  list(data = "longitudinal", y = "brainstem", x = c("timesincebaseline", "subjectageyears"),
       datasets = longitudinal, reml = TRUE),
  list(data = "longitudinal", y = "brainstem", x = c("subjectageyears"),
       datasets = longitudinal, reml = TRUE, slope = "subjectageyears"),
  list(data = "longitudinal", y = "brainstem", x = c("subjectageyears"),
       datasets = longitudinal, reml = FALSE, slope = "subjectageyears")
)

# An optimizer stops within about sqrt(.Machine$double.eps) of the optimum, where the deviance is flat: lmer's theta
# is polished to where the deviance's gradient vanishes (Newton's method on numDeriv's gradient and Hessian; for one
# parameter, uniroot on a central difference), and the model is rebuilt at it with lme4's own modular functions
# (mkLmerDevfun, mkMerMod), so every figure below is lme4's.
polish <- function(fit, parsed, devfun) {
  theta <- getME(fit, "theta")
  lower <- getME(fit, "lower")
  if (length(theta) == 1) {
    if (theta > 0) {
      slope <- function(t) { h <- 1e-4 * t; (devfun(t + h) - devfun(t - h)) / (2 * h) }
      theta <- uniroot(slope, c(theta * 0.99, theta * 1.01), tol = 1e-15 * theta, extendInt = "yes")$root
    }
  } else {
    for (i in 1:20) {
      free <- theta > lower + 1e-10
      if (!any(free)) break
      f <- function(t) { full <- theta; full[free] <- t; devfun(full) }
      g <- numDeriv::grad(f, theta[free])
      h <- numDeriv::hessian(f, theta[free])
      step <- solve(h, g)
      nxt <- theta
      nxt[free] <- pmax(lower[free], theta[free] - step)
      if (devfun(nxt) > devfun(theta) + 1e-12 * abs(devfun(theta)) || max(abs(nxt - theta)) < 1e-15) break
      theta <- nxt
    }
  }
  mkMerMod(environment(devfun), list(par = theta, fval = devfun(theta), conv = 0, message = ""), parsed$reTrms,
           fr = parsed$fr)
}

results <- lapply(cases, function(case) {
  model <- models[[if (is.null(case[["data"]])) "dementia" else case[["data"]]]]
  df_method <- if (is.null(case$df_method)) "satterthwaite" else case$df_method
  used <- c(case$y, case$x)
  d <- model$rows[model$rows$dataset %in% case$datasets, c(used, "dataset"), drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  design <- data.frame(row.names = seq_len(nrow(d)))
  names_out <- c("Intercept")
  for (v in c(case$x[case$x %in% nominal], case$x[!(case$x %in% nominal)])) {
    if (v %in% nominal) {
      levels <- sort(unique(d[[v]]), method = "radix")
      for (l in levels[-1]) {
        col <- paste0(v, "[", l, "]")
        design[[col]] <- as.numeric(d[[v]] == l)
        names_out <- c(names_out, col)
      }
    } else {
      design[[v]] <- as.numeric(d[[v]])
      names_out <- c(names_out, v)
    }
  }
  X <- cbind(1, as.matrix(design))
  y <- as.numeric(d[[case$y]])
  g <- factor(d$dataset, levels = model$levels[model$levels %in% d$dataset])
  z <- if (is.null(case$slope)) NULL else as.numeric(d[[case$slope]])
  control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-12, maxfun = 1e5),
                         calc.derivs = FALSE, check.conv.singular = "ignore")
  if (is.null(z)) {
    parsed <- lFormula(y ~ X - 1 + (1 | g), REML = case$reml)
    fit <- lmer(y ~ X - 1 + (1 | g), REML = case$reml, control = control)
  } else {
    parsed <- lFormula(y ~ X - 1 + (1 + z | g), REML = case$reml)
    fit <- lmer(y ~ X - 1 + (1 + z | g), REML = case$reml, control = control)
  }
  devfun <- do.call(mkLmerDevfun, parsed)
  fit <- polish(fit, parsed, devfun)
  n <- nrow(d)
  p <- ncol(X)
  coefs <- summary(fit)$coefficients
  if (df_method == "satterthwaite") {
    tested <- lmerTest:::as_lmerModLT(fit, devfun)
    df <- unname(summary(tested, ddf = "Satterthwaite")$coefficients[, "df"])
  } else {
    df <- rep(n - p, p)
  }
  q <- qt(0.975, df)
  vc <- as.data.frame(VarCorr(fit))
  ll <- logLik(fit)
  re <- ranef(fit)$g
  expected <- list(
    dependent_var = case$y, indep_vars = names_out, method = if (case$reml) "REML" else "ML", group_var = "dataset",
    n_obs = n, n_groups = nlevels(g), df_method = df_method, df = df,
    coefficients = unname(coefs[, 1]), std_err = unname(coefs[, 2]), t_values = unname(coefs[, 3]),
    pvalues = unname(2 * pt(abs(coefs[, 3]), df, lower.tail = FALSE)),
    lower_ci = unname(coefs[, 1] - q * coefs[, 2]), upper_ci = unname(coefs[, 1] + q * coefs[, 2]),
    group_variance = vc$vcov[1])
  if (is.null(z)) {
    expected$residual_variance <- vc$vcov[2]
  } else {
    expected$random_slope <- case$slope
    expected$slope_variance <- vc$vcov[2]
    expected$intercept_slope_correlation <- vc$sdcor[3]
    expected$residual_variance <- vc$vcov[4]
  }
  expected$log_likelihood <- as.numeric(ll)
  expected$aic <- AIC(fit)
  expected$bic <- BIC(fit)
  expected$random_effects <- list(groups = rownames(re), intercepts = unname(re[, 1]))
  if (!is.null(z)) expected$random_effects$slopes <- unname(re[, 2])
  parameters <- list(method = expected$method)
  if (!is.null(case$df_method)) parameters$df_method <- case$df_method
  if (!is.null(case$slope)) parameters$random_slope <- case$slope
  request <- list(datasets = case$datasets, y = list(case$y), x = as.list(case$x), parameters = parameters)
  if (!is.null(case[["data"]])) request$data_model <- model$id
  list(name = paste0(expected$method, " ", case$y, " on ", paste(case$x, collapse = ", "),
                     if (is.null(z)) "" else paste0(" (random slope ", case$slope, ")"), " over ",
                     length(case$datasets), " datasets", if (is.null(case[["data"]])) "" else paste0(" (", case[["data"]], ")"),
                     ", ", df_method, " df"),
       request = request,
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion(), "lme4", packageVersion("lme4"), "lmerTest",
                                            packageVersion("lmerTest")), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
