# Reference results for mipfed's linear_mixed_model, computed by lme4's lmer on the pooled rows.
#
# Run from the repository root (see docs/user-guide.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/linear_mixed_model.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/linear_mixed_model_expected.json
#
# The model is y ~ X + (1 | dataset): a random intercept per dataset. Nominal covariates are dummy coded with the
# first level present (in code point order) as the reference, as mipfed does. lmer runs with tight optimizer
# tolerances, so that its answer is the optimum (its defaults stop a little earlier). The fixed effects' t tests and
# 95% intervals use the residual degrees of freedom, n - p (the df method mipfed states), from lmer's estimates and
# standard errors; the random effects are lmer's conditional modes (ranef).
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/linear_mixed_model_expected.json"

files <- strsplit(trimws(readLines(file.path(data_dir, "FILES"), warn = FALSE)), "[[:space:]]+")[[1]]
files <- files[grepl("\\.csv$", files)]
rows <- do.call(rbind, lapply(files, function(f) {
  read.csv(file.path(data_dir, f), na.strings = "", colClasses = "character")
}))
nominal <- c("gender", "agegroup", "alzheimerbroadcategory")
cdes <- fromJSON(file.path(data_dir, "CDEsMetadata.json"), simplifyVector = FALSE)
# The groups in the data model's order of the dataset variable, as mipfed lists them.
dataset_levels <- vapply(Filter(function(v) v$code == "dataset", cdes$variables)[[1]]$enumerations, function(e) e$code, "")

all_of <- function(prefix, n) paste0(prefix, 0:(n - 1))
everything <- c(all_of("edsd", 10), all_of("ppmi", 10), all_of("desd-synthdata", 10))
cases <- list(
  list(y = "lefthippocampus", x = c("subjectageyears", "gender"), datasets = everything, reml = TRUE),
  list(y = "lefthippocampus", x = c("subjectageyears", "gender"), datasets = everything, reml = FALSE),
  list(y = "leftamygdala", x = c("agegroup", "lefthippocampus"), datasets = c(all_of("edsd", 5), all_of("desd-synthdata", 5)),
       reml = TRUE),
  list(y = "minimentalstate", x = c("subjectageyears"), datasets = c(all_of("edsd", 10), all_of("desd-synthdata", 10)),
       reml = FALSE)
)

# An optimizer stops within about sqrt(.Machine$double.eps) of the optimum, where the deviance is flat: lmer's theta
# is polished to where the deviance's derivative vanishes (central differences, then uniroot), and the model is
# rebuilt at it with lme4's own modular functions (mkLmerDevfun, mkMerMod), so every figure below is lme4's.
polish <- function(fit, y, X, g, reml) {
  parsed <- lFormula(y ~ X - 1 + (1 | g), REML = reml)
  devfun <- do.call(mkLmerDevfun, parsed)
  theta <- getME(fit, "theta")
  if (theta > 0) {
    slope <- function(t) { h <- 1e-4 * t; (devfun(t + h) - devfun(t - h)) / (2 * h) }
    theta <- uniroot(slope, c(theta * 0.99, theta * 1.01), tol = 1e-15 * theta, extendInt = "yes")$root
  }
  mkMerMod(environment(devfun), list(par = theta, fval = devfun(theta), conv = 0, message = ""), parsed$reTrms,
           fr = parsed$fr)
}

results <- lapply(cases, function(case) {
  used <- c(case$y, case$x)
  d <- rows[rows$dataset %in% case$datasets, c(used, "dataset"), drop = FALSE]
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
  g <- factor(d$dataset, levels = dataset_levels[dataset_levels %in% d$dataset])
  fit <- lmer(y ~ X - 1 + (1 | g), REML = case$reml,
              control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-12, maxfun = 1e5),
                                    calc.derivs = FALSE))
  fit <- polish(fit, y, X, g, case$reml)
  n <- nrow(d)
  p <- ncol(X)
  coefs <- summary(fit)$coefficients
  df <- n - p
  q <- qt(0.975, df)
  vc <- as.data.frame(VarCorr(fit))
  ll <- logLik(fit)
  re <- ranef(fit)$g
  expected <- list(
    dependent_var = case$y, indep_vars = names_out, method = if (case$reml) "REML" else "ML", n_obs = n,
    n_groups = nlevels(g), df_method = "residual", df = df,
    coefficients = unname(coefs[, 1]), std_err = unname(coefs[, 2]), t_values = unname(coefs[, 3]),
    pvalues = unname(2 * pt(abs(coefs[, 3]), df, lower.tail = FALSE)),
    lower_ci = unname(coefs[, 1] - q * coefs[, 2]), upper_ci = unname(coefs[, 1] + q * coefs[, 2]),
    group_variance = vc$vcov[1], residual_variance = vc$vcov[2],
    log_likelihood = as.numeric(ll), aic = AIC(fit), bic = BIC(fit),
    random_effects = list(groups = rownames(re), intercepts = unname(re[, 1])))
  list(name = paste0(expected$method, " ", case$y, " on ", paste(case$x, collapse = ", "), " over ",
                     length(case$datasets), " datasets"),
       request = list(datasets = case$datasets, y = list(case$y), x = as.list(case$x),
                      parameters = list(method = expected$method)),
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion(), "lme4", packageVersion("lme4")), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
