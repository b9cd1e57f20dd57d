package org.mipfed.node.primitive;

/**
 * R's starting point of a binomial model, as the node computes it itself: every row's mean 3/4 where y is 1 and 1/4
 * where it is 0 ((y + 1/2) / 2), so the linear predictor link(3/4) or link(1/4). A starting round whose two values are
 * exactly these carries nothing but the link, so the node may write them into its SQL as values it holds
 * ({@link BoundSql.Builder#known}): on DuckDB the statement then has no parameter and no coefficients' table to fill,
 * and its plan is reused from fit to fit. Any other start (another manager's, a link computed elsewhere to another
 * last bit) goes through {@link Coefficients} as before.
 */
final class StartingMeans {
    private static final double MEAN_1 = 0.75;
    private static final double MEAN_0 = 0.25;

    private StartingMeans() {}

    /** Whether {@code eta1} and {@code eta0} are exactly link(3/4) and link(1/4) for {@code link}. */
    static boolean areRs(String link, double eta1, double eta0) {
        return switch (link) {
            case "logit" -> same(eta1, logit(MEAN_1)) && same(eta0, logit(MEAN_0));
            case "log" -> same(eta1, Math.log(MEAN_1)) && same(eta0, Math.log(MEAN_0));
            case "cloglog" -> same(eta1, cloglog(MEAN_1)) && same(eta0, cloglog(MEAN_0));
            default -> false;
        };
    }

    private static double logit(double mu) {
        return Math.log(mu / (1 - mu));
    }

    private static double cloglog(double mu) {
        return Math.log(-Math.log1p(-mu));
    }

    private static boolean same(double a, double b) {
        return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
    }
}
