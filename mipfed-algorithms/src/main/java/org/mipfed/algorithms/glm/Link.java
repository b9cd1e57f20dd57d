package org.mipfed.algorithms.glm;

import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * A link function g (η = g(μ)), named as in R. The manager needs only g itself, for the starting and
 * null-model linear predictors; the nodes evaluate its inverse row by row.
 */
public enum Link {
    LOGIT,
    PROBIT,
    CAUCHIT,
    CLOGLOG,
    LOG,
    IDENTITY,
    SQRT,
    INVERSE;

    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    /** The name in requests and on the wire, e.g. {@code cloglog}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** g(μ). */
    public double apply(double mu) {
        return switch (this) {
            case LOGIT -> Math.log(mu / (1 - mu));
            case PROBIT -> NORMAL.inverseCumulativeProbability(mu);
            case CAUCHIT -> Math.tan(Math.PI * (mu - 0.5));
            case CLOGLOG -> Math.log(-Math.log1p(-mu));
            case LOG -> Math.log(mu);
            case IDENTITY -> mu;
            case SQRT -> Math.sqrt(mu);
            case INVERSE -> 1 / mu;
        };
    }
}
