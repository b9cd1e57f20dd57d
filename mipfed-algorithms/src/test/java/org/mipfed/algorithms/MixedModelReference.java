package org.mipfed.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * How {@code linear_mixed_model} is compared with lme4 and lmerTest (r/linear_mixed_model.R): every figure at
 * {@link ExpectedResults#DEFAULT} (rtol 1e-6, atol 1e-9), but Satterthwaite's degrees of freedom and what rests on
 * them (p-values, intervals) at {@link #SATTERTHWAITE}. lmerTest takes the Hessian of the deviance in (θ, σ) and the
 * Jacobian of Var(β) by numDeriv's Richardson extrapolation from steps of 1e-4 θ, where the deviance's rounding
 * (about 1e-13 of it) is amplified by 1 / h²: its df are themselves only that precise. mipfed takes the same derivatives
 * by the same scheme from its own (differently rounded) deviance, so the two agree to that precision, no better.
 */
public final class MixedModelReference {
    /** Satterthwaite's df and the p-values and intervals on them, as measured (see the user guide). */
    public static final ExpectedResults.Tolerance SATTERTHWAITE = new ExpectedResults.Tolerance(1e-4, 1e-9);

    private static final List<String> ON_DF = List.of("df", "pvalues", "lower_ci", "upper_ci", "pvalues_adjusted");

    private MixedModelReference() {}

    /** Asserts that {@code actual} matches R's {@code expected}, as the class says. */
    public static void assertMatches(String where, JsonNode expected, JsonNode actual) {
        if (!"satterthwaite".equals(expected.path("df_method").asText())) {
            ExpectedResults.assertMatchesReference(where, expected, actual, ExpectedResults.DEFAULT);
            return;
        }
        ObjectNode exact = expected.deepCopy();
        exact.remove(ON_DF);
        ExpectedResults.assertMatchesReference(where, exact, actual, ExpectedResults.DEFAULT);
        for (String field : ON_DF) {
            if (expected.has(field)) {
                ExpectedResults.assertMatchesReference(
                        where + " (on Satterthwaite's df)", expected.get(field), actual.get(field), SATTERTHWAITE);
            }
        }
    }
}
