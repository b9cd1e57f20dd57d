# Reference results for mipfed's glm, computed by R's glm on the pooled rows.
#
# Run from the repository root (see README.md, "Checking against R"):
#   Rscript mipfed-algorithms/src/test/resources/r/glm.R
# It reads the dementia CSVs of mipfed-data and writes
#   mipfed-algorithms/src/test/resources/r/glm_expected.json
#
# Nominal covariates are dummy coded with the first level (in code point order) as the reference,
# as mipfed does. glm runs with epsilon = 1e-14 so that R's answer is the converged maximum
# likelihood fit (its default 1e-8 stops a little earlier), and the confidence intervals are Wald's
# (t for gaussian, whose dispersion is estimated; normal otherwise), as mipfed reports them.
suppressPackageStartupMessages(library(jsonlite))

data_dir <- "mipfed-data/src/main/resources/org/mipfed/data/dementia_v_0_1"
out_file <- "mipfed-algorithms/src/test/resources/r/glm_expected.json"

files <- strsplit(trimws(readLines(file.path(data_dir, "FILES"), warn = FALSE)), "[[:space:]]+")[[1]]
files <- files[grepl("\\.csv$", files)]
rows <- do.call(rbind, lapply(files, function(f) {
  read.csv(file.path(data_dir, f), na.strings = "", colClasses = "character")
}))
nominal <- c("gender", "agegroup", "alzheimerbroadcategory")

datasets <- c("edsd0", "edsd1", "edsd2", "ppmi0", "ppmi1", "desd-synthdata0")
wide <- c(paste0("edsd", 0:9), paste0("desd-synthdata", 0:9))
cases <- list(
  list(family = "gaussian", link = "identity", y = "leftamygdala", x = c("subjectageyears", "gender", "righthippocampus"), datasets = datasets, p_adjust = "bonferroni"),
  list(family = "gaussian", link = "identity", y = "lefthippocampus", x = c("agegroup", "leftamygdala"), datasets = wide, p_adjust = "holm"),
  list(family = "gaussian", link = "log", y = "leftamygdala", x = c("subjectageyears", "agegroup"), datasets = datasets),
  list(family = "gaussian", link = "inverse", y = "leftamygdala", x = c("subjectageyears"), datasets = datasets),
  list(family = "binomial", link = "logit", y = "alzheimerbroadcategory", positive = "AD", x = c("leftamygdala", "gender", "subjectageyears"), datasets = datasets, p_adjust = "BH"),
  list(family = "binomial", link = "logit", y = "alzheimerbroadcategory", positive = "CN", x = c("lefthippocampus", "righthippocampus", "agegroup"), datasets = wide),
  list(family = "binomial", link = "probit", y = "alzheimerbroadcategory", positive = "AD", x = c("leftamygdala", "subjectageyears"), datasets = datasets),
  list(family = "binomial", link = "cloglog", y = "alzheimerbroadcategory", positive = "CN", x = c("lefthippocampus", "gender"), datasets = datasets),
  list(family = "poisson", link = "log", y = "minimentalstate", x = c("subjectageyears", "gender", "leftamygdala"), datasets = datasets, p_adjust = "BY"),
  list(family = "poisson", link = "log", y = "minimentalstate", x = c("agegroup", "lefthippocampus"), datasets = wide, p_adjust = "hochberg"),
  list(family = "poisson", link = "sqrt", y = "minimentalstate", x = c("subjectageyears", "lefthippocampus"), datasets = datasets),
  list(family = "poisson", link = "identity", y = "minimentalstate", x = c("lefthippocampus"), datasets = datasets)
)

results <- lapply(cases, function(case) {
  used <- c(case$y, case$x)
  d <- rows[rows$dataset %in% case$datasets, used, drop = FALSE]
  d <- d[complete.cases(d), , drop = FALSE]
  design <- data.frame(row.names = seq_len(nrow(d)))
  names_out <- c("Intercept")
  # Nominal covariates first, then numerical ones, each in the request's order: mipfed's column order.
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
  y <- if (!is.null(case$positive)) as.numeric(d[[case$y]] == case$positive) else as.numeric(d[[case$y]])
  X <- as.matrix(design)
  fam <- get(case$family)(link = case$link)
  fit <- glm.fit(cbind(1, X), y, family = fam, control = glm.control(epsilon = 1e-14, maxit = 200))
  class(fit) <- c("glm", "lm")
  fit$call <- quote(glm())
  fit$formula <- y ~ .
  s <- summary.glm(fit)
  coefs <- s$coefficients
  gaussian_fam <- case$family == "gaussian"
  q <- if (gaussian_fam) qt(0.975, fit$df.residual) else qnorm(0.975)
  p <- ncol(X) + 1
  expected <- list(dependent_var = case$y, family = case$family, link = case$link, indep_vars = names_out,
                   n_obs = nrow(d), coefficients = unname(coefs[, 1]), std_err = unname(coefs[, 2]))
  expected[[if (gaussian_fam) "t_values" else "z_values"]] <- unname(coefs[, 3])
  expected$pvalues <- unname(coefs[, 4])
  expected$lower_ci <- unname(coefs[, 1] - q * coefs[, 2])
  expected$upper_ci <- unname(coefs[, 1] + q * coefs[, 2])
  expected$dispersion <- s$dispersion
  expected$deviance <- fit$deviance
  expected$df_residual <- fit$df.residual
  expected$null_deviance <- fit$null.deviance
  expected$df_null <- fit$df.null
  k <- p + (if (gaussian_fam) 1 else 0)
  expected$log_likelihood <- k - fit$aic / 2
  expected$aic <- fit$aic
  expected$bic <- fit$aic - 2 * k + log(nrow(d)) * k
  params <- list(family = case$family, link = case$link)
  if (!is.null(case$p_adjust)) {
    # The p_adjust parameter: R's p.adjust of the coefficients' p-values, beside them.
    params$p_adjust <- case$p_adjust
    expected$p_adjust <- case$p_adjust
    expected$pvalues_adjusted <- p.adjust(unname(coefs[, 4]), case$p_adjust)
  }
  if (!is.null(case$positive)) params$positive_class <- case$positive
  list(name = paste0(case$family, "(", case$link, ") of ", case$y, " on ", paste(case$x, collapse = ", "),
                     " over ", length(case$datasets), " datasets"),
       request = list(datasets = case$datasets, y = list(case$y), x = as.list(case$x), parameters = params),
       expected = expected)
})

writeLines(toJSON(list(generated_by = paste("R", getRversion()), cases = results),
                  auto_unbox = TRUE, digits = I(17), na = "null", null = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
