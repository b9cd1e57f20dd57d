package org.mipfed.algorithms.ttest;

import java.util.List;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.problem.Problem;

/** Checks the t-tests share. */
final class TTests {
    private TTests() {}

    /** The single variable of {@code key} (the spec allows one; checked again so a flow never guesses). */
    static String single(String algorithm, String key, List<String> variables) {
        if (variables.size() != 1) {
            throw Problem.badRequest(algorithm + " takes exactly one variable in " + key + ", not " + variables.size());
        }
        return variables.get(0);
    }

    /**
     * @throws Problem 400 when fewer than {@code minimum} rows have values for the variables
     */
    static void checkRows(String algorithm, long n, long minimum, String variables, AnalysisInput input) {
        if (n < minimum) {
            throw Problem.badRequest(
                    algorithm + " needs at least " + minimum + " rows with a value for " + variables + "; the selected "
                            + "datasets" + (input.filter() == null ? "" : " (after the filters)") + " have " + n
                            + ". Choose more datasets"
                            + (input.filter() == null ? "" : " or widen the filters"));
        }
    }

    /**
     * @throws Problem 400 when a standard deviation is 0: the t statistic would be infinite or undefined
     */
    static void checkSpread(double sd, String what, long n) {
        if (!(sd > 0)) {
            throw Problem.badRequest(
                    "'" + what + "' has the same value in all " + n + " selected rows, so its standard deviation "
                            + "is 0 and no t statistic exists; choose another variable or more data");
        }
    }
}
