package org.mipfed.node.primitive;

import java.util.List;
import java.util.Map;

/**
 * The per-row arithmetic of a generalised linear model as SQL: each link's inverse and derivative,
 * each family's variance, log-likelihood and deviance, written as R's {@code glm} computes them
 * (its clamps included), so that the sums a node returns are R's. Every expression is NULL-safe and
 * guarded so that no row can make the store raise an error (PostgreSQL raises on {@code ln(0)},
 * division by zero and floating-point underflow): a row outside a link's or family's domain gets a
 * NULL mean and is counted as invalid instead.
 *
 * <p>Expressions refer to the columns of the layered query in {@link GlmStepPrimitive}: {@code "y$"},
 * {@code "eta$"}, the link's helpers {@code "a$"} and {@code "b$"}, and {@code "mu$"}, {@code "cmu$"}
 * (1 − μ, computed directly where it matters), {@code "me$"} (dμ/dη). Only our own constants appear
 * in the text.
 */
final class GlmSql {
    /** R's {@code .Machine$double.eps}. */
    static final String EPS = "2.220446049250313e-16";
    /** R's binomial()$linkinv for probit clamps η to ±(−qnorm(eps)). */
    private static final String PROBIT_THRESH = "8.125890664701906";
    /** ... and for cauchit to ±(−qcauchy(eps)). */
    private static final String CAUCHIT_THRESH = "1.4335198890937806e15";

    private static final String PI = "3.141592653589793";

    /** The links each family accepts, in R's terms; the first is R's default. */
    static final Map<String, List<String>> LINKS = Map.of(
            "binomial", List.of("logit", "probit", "cauchit", "log", "cloglog"),
            "poisson", List.of("log", "identity", "sqrt"),
            "gaussian", List.of("identity", "log", "inverse"));

    private GlmSql() {}

    static boolean supported(String family, String link) {
        return LINKS.containsKey(family) && LINKS.get(family).contains(link);
    }

    /** The linear predictor at the family's starting mean for numerical responses (poisson y + 0.1, gaussian y), as R's initialize. */
    static String startEta(String family, String link) {
        String m = family.equals("poisson") ? "(\"y$\" + 0.1)" : "\"y$\"";
        return switch (link) {
            case "identity" -> m;
            case "log" -> "CASE WHEN " + m + " > 0 THEN ln(" + m + ") END";
            case "sqrt" -> "CASE WHEN " + m + " >= 0 THEN sqrt(" + m + ") END";
            case "inverse" -> "CASE WHEN " + m + " <> 0 THEN 1.0 / " + m + " END";
            default -> throw new IllegalArgumentException("no numerical start for link " + link);
        };
    }

    /** First helper of the link, from {@code "eta$"}: e.g. exp(η) clamped as R does. */
    static String helperA(String link) {
        return switch (link) {
            case "logit" ->
                "CASE WHEN \"eta$\" < -30 THEN " + EPS + " WHEN \"eta$\" > 30 THEN 1.0 / " + EPS
                        + " ELSE exp(\"eta$\") END";
            case "probit" -> clamp("\"eta$\"", PROBIT_THRESH);
            case "cauchit" -> clamp("\"eta$\"", CAUCHIT_THRESH);
            case "cloglog", "log" -> "exp(LEAST(GREATEST(\"eta$\", -700.0), 700.0))";
            default -> "\"eta$\"";
        };
    }

    /** Second helper, from {@code "a$"}: for probit the upper normal tail Q(|a|) (Hart's algorithm, as in West 2005). */
    static String helperB(String link, String doubleType) {
        if (!link.equals("probit")) {
            return "CAST(NULL AS " + doubleType + ")";
        }
        String x = "abs(\"a$\")";
        String e = "exp(-" + x + " * " + x + " / 2.0)";
        String numerator = horner(
                x,
                "3.52624965998911e-02",
                "0.700383064443688",
                "6.37396220353165",
                "33.912866078383",
                "112.079291497871",
                "221.213596169931",
                "220.206867912376");
        String denominator = horner(
                x,
                "8.83883476483184e-02",
                "1.75566716318264",
                "16.064177579207",
                "86.7807322029461",
                "296.564248779674",
                "637.333633378831",
                "793.826512519948",
                "440.413735824752");
        String fraction = x + " + 1.0 / (" + x + " + 2.0 / (" + x + " + 3.0 / (" + x + " + 4.0 / (" + x + " + 0.65))))";
        return "CASE WHEN " + x + " < 7.07106781186547 THEN " + e + " * (" + numerator + ") / (" + denominator
                + ") ELSE " + e + " / (" + fraction + ") / 2.506628274631 END";
    }

    /** μ, NULL where η is outside the link's domain. */
    static String mu(String link) {
        return switch (link) {
            case "logit" -> "\"a$\" / (1.0 + \"a$\")";
            case "probit" -> "CASE WHEN \"a$\" > 0 THEN 1.0 - \"b$\" ELSE \"b$\" END";
            case "cauchit" -> "0.5 + atan(\"a$\") / " + PI;
            case "cloglog" ->
                "GREATEST(LEAST(CASE WHEN \"a$\" < 1e-5 THEN \"a$\" * (1.0 - \"a$\" * (0.5 - \"a$\" / 6.0)) "
                        + "ELSE 1.0 - exp(-LEAST(\"a$\", 700.0)) END, 1.0 - " + EPS + "), " + EPS + ")";
            case "log" -> "GREATEST(\"a$\", " + EPS + ")";
            case "identity" -> "\"eta$\"";
            case "sqrt" -> "CASE WHEN \"eta$\" > 0 THEN \"eta$\" * \"eta$\" END";
            case "inverse" -> "CASE WHEN \"eta$\" <> 0 THEN 1.0 / \"eta$\" END";
            default -> throw new IllegalArgumentException("unknown link " + link);
        };
    }

    /** 1 − μ, computed without cancellation where the link allows it (binomial only). */
    static String complement(String link) {
        return switch (link) {
            case "logit" -> "1.0 / (1.0 + \"a$\")";
            case "probit" -> "CASE WHEN \"a$\" > 0 THEN \"b$\" ELSE 1.0 - \"b$\" END";
            case "cauchit" -> "0.5 - atan(\"a$\") / " + PI;
            case "cloglog" ->
                "CASE WHEN \"a$\" < 1e-5 THEN 1.0 - \"mu$\" ELSE GREATEST(LEAST(exp(-LEAST(\"a$\", 700.0)), 1.0 - "
                        + EPS + "), " + EPS + ") END";
            default -> "1.0 - \"mu$\"";
        };
    }

    /** dμ/dη, as R's mu.eta (with its floor at eps where R has one). */
    static String derivative(String link) {
        return switch (link) {
            case "logit" ->
                "CASE WHEN \"eta$\" < -30 OR \"eta$\" > 30 THEN " + EPS
                        + " ELSE \"a$\" / ((1.0 + \"a$\") * (1.0 + \"a$\")) END";
            case "probit" ->
                "GREATEST(exp(-LEAST(LEAST(abs(\"eta$\"), 1000.0) * LEAST(abs(\"eta$\"), 1000.0), 1400.0) / 2.0) "
                        + "/ 2.5066282746310002, " + EPS + ")";
            case "cauchit" ->
                "GREATEST(1.0 / (" + PI + " * (1.0 + LEAST(abs(\"eta$\"), 1e100) * LEAST(abs(\"eta$\"), 1e100))), "
                        + EPS + ")";
            case "cloglog" -> "GREATEST(\"a$\" * exp(-LEAST(\"a$\", 700.0)), " + EPS + ")";
            case "log" -> "GREATEST(\"a$\", " + EPS + ")";
            case "identity" -> "1.0";
            case "sqrt" -> "2.0 * \"eta$\"";
            case "inverse" -> "CASE WHEN \"eta$\" <> 0 THEN -1.0 / (\"eta$\" * \"eta$\") END";
            default -> throw new IllegalArgumentException("unknown link " + link);
        };
    }

    /** Whether μ (non-null) is a valid mean of the family, as R's validmu. */
    static String validMean(String family) {
        return switch (family) {
            case "binomial" -> "\"mu$\" > 0 AND \"mu$\" < 1 AND \"cmu$\" > 0";
            case "poisson" -> "\"mu$\" > 0";
            default -> "1 = 1";
        };
    }

    /** V(μ). */
    static String variance(String family) {
        return switch (family) {
            case "binomial" -> "(\"mu$\" * \"cmu$\")";
            case "poisson" -> "\"mu$\"";
            default -> "1.0";
        };
    }

    /** y − μ; for binomial 0/1 responses taken from the complement, which keeps its precision near 1. */
    static String residual(String family) {
        return family.equals("binomial")
                ? "(CASE WHEN \"y$\" = 1 THEN \"cmu$\" ELSE -\"mu$\" END)"
                : "(\"y$\" - \"mu$\")";
    }

    /** The row's log-likelihood, up to a term free of μ (poisson: −log y!, summed apart); gaussian: 0. */
    static String logLikelihood(String family) {
        return switch (family) {
            case "binomial" -> "CASE WHEN \"y$\" = 1 THEN ln(\"mu$\") ELSE ln(\"cmu$\") END";
            case "poisson" -> "\"y$\" * ln(\"mu$\") - \"mu$\"";
            default -> "0.0";
        };
    }

    /** The row's deviance residual, as R's dev.resids. */
    static String deviance(String family) {
        return switch (family) {
            case "binomial" -> "-2.0 * (" + logLikelihood(family) + ")";
            case "poisson" ->
                "2.0 * ((CASE WHEN \"y$\" > 0 THEN \"y$\" * ln(\"y$\" / \"mu$\") ELSE 0.0 END) - (\"y$\" - \"mu$\"))";
            default -> "(\"y$\" - \"mu$\") * (\"y$\" - \"mu$\")";
        };
    }

    /** Whether the row's fitted mean is numerically at the boundary, as R's warnings test (10 eps). */
    static String boundary(String family) {
        return switch (family) {
            case "binomial" -> "\"mu$\" < 10.0 * " + EPS + " OR \"cmu$\" < 10.0 * " + EPS;
            case "poisson" -> "\"mu$\" < 10.0 * " + EPS;
            default -> "1 = 0";
        };
    }

    /** Whether a response value is outside the family's support (binomial: not 0 or 1; poisson: negative). */
    static String badResponse(String family) {
        return switch (family) {
            case "binomial" -> "\"y$\" <> 0 AND \"y$\" <> 1";
            case "poisson" -> "\"y$\" < 0";
            default -> "1 = 0";
        };
    }

    /**
     * log(y!) = lnΓ(y + 1) for y ≥ 0, which neither store offers (PostgreSQL before 18 has no lgamma):
     * Stirling's series at x = y + 11, where its error is below 1e-14, shifted back by ln((y+1)…(y+10)).
     */
    static String logFactorial() {
        String x = "(\"y$\" + 11.0)";
        StringBuilder shift = new StringBuilder();
        for (int k = 1; k <= 10; k++) {
            shift.append(" - ln(\"y$\" + ").append(k).append(".0)");
        }
        return "((" + x + " - 0.5) * ln(" + x + ") - " + x + " + 0.9189385332046728 + 1.0 / (12.0 * " + x
                + ") - 1.0 / (360.0 * "
                + x + " * " + x + " * " + x + ") + 1.0 / (1260.0 * power(" + x + ", 5)) - 1.0 / (1680.0 * power(" + x
                + ", 7))"
                + " + 1.0 / (1188.0 * power(" + x + ", 9))" + shift + ")";
    }

    private static String clamp(String expression, String bound) {
        return "LEAST(GREATEST(" + expression + ", -" + bound + "), " + bound + ")";
    }

    /** c0 x^k + c1 x^(k-1) + … + ck, evaluated by Horner's rule. */
    private static String horner(String x, String... coefficients) {
        String out = coefficients[0];
        for (int i = 1; i < coefficients.length; i++) {
            out = "(" + out + ") * " + x + " + " + coefficients[i];
        }
        return out;
    }
}
