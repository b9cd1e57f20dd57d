package org.mipfed.algorithms.crossvalidation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.FoldRestriction;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * K-fold cross-validation over the federation without moving a row: each node knows the fold of each
 * of its rows (see {@link org.mipfed.core.request.Folds}), so a flow fits a model on "every fold but
 * f" and scores it on "fold f" by adding a fold restriction to the primitives it already uses.
 *
 * @param nSplits the number of folds
 */
public record CrossValidation(int nSplits) {
    /** The spec's bounds of {@code n_splits}. */
    public static final int MIN_SPLITS = 2;

    public static final int MAX_SPLITS = 20;
    public static final int DEFAULT_SPLITS = 5;

    public CrossValidation {
        if (nSplits < MIN_SPLITS || nSplits > MAX_SPLITS) {
            throw Problem.badRequest("The parameter 'n_splits' must be between " + MIN_SPLITS + " and " + MAX_SPLITS
                    + ", not " + nSplits);
        }
    }

    /** The request's {@code n_splits} (default 5). */
    public static CrossValidation of(AnalysisInput input) {
        var value = input.parameters().get("n_splits");
        if (value == null || value.isNull()) {
            return new CrossValidation(DEFAULT_SPLITS);
        }
        if (!value.canConvertToInt() || value.asDouble() != Math.rint(value.asDouble())) {
            throw Problem.badRequest("The parameter 'n_splits' must be a whole number between " + MIN_SPLITS + " and "
                    + MAX_SPLITS + ", not " + value);
        }
        return new CrossValidation(value.asInt());
    }

    /** The federation restricted to the training rows of fold {@code fold}: the rows of every other fold. */
    public FederationContext training(FederationContext federation, int fold) {
        return restricted(federation, fold, false);
    }

    /** The federation restricted to the test rows of fold {@code fold}. */
    public FederationContext test(FederationContext federation, int fold) {
        return restricted(federation, fold, true);
    }

    private FederationContext restricted(FederationContext federation, int fold, boolean test) {
        requireNonNull(federation, "federation is null");
        FoldRestriction restriction = FoldRestriction.newBuilder()
                .setNSplits(nSplits)
                .setFold(fold)
                .setTest(test)
                .build();
        return new FederationContext() {
            @Override
            public DataModel dataModel() {
                return federation.dataModel();
            }

            @Override
            public List<NodeAnswer> compute(PrimitiveQuery.Builder query) {
                return federation.compute(query.clone().setFold(restriction));
            }
        };
    }

    /**
     * Refuses when there are fewer selected rows than folds (a fold would have no test rows).
     *
     * @param count a column every used row has a value in (the response), to count the rows complete in {@code completeIn}
     * @return the number of rows
     */
    public long checkRows(FederationContext federation, String algorithm, DesignColumn count, List<String> completeIn) {
        long n = PooledCrossProducts.compute(federation, List.of(count), completeIn)
                .n();
        if (n == 0) {
            throw Problem.badRequest("No selected row has a value for every one of " + String.join(", ", completeIn)
                    + "; choose other variables, datasets or filters");
        }
        if (n < nSplits) {
            throw Problem.badRequest("The parameter 'n_splits' (" + nSplits
                    + ") is larger than the number of rows with a value for every "
                    + "one of " + String.join(", ", completeIn) + " (" + n + "); " + algorithm
                    + " needs at least one row per fold: "
                    + "lower n_splits or add datasets");
        }
        return n;
    }

    /** Refuses a fold with no test rows, which has no metrics. */
    public void checkTestRows(long n, int fold) {
        if (n == 0) {
            throw Problem.badRequest("Fold " + (fold + 1) + " of " + nSplits
                    + " has no test rows, so it cannot be scored; lower " + "'n_splits' or add datasets");
        }
    }

    /** Asks every node to score a model on fold {@code fold}'s test rows. */
    public List<ModelScoreResult> score(FederationContext federation, int fold, ModelScoreQuery.Builder query) {
        List<ModelScoreResult> out = new ArrayList<>();
        for (NodeAnswer answer :
                test(federation, fold).compute(PrimitiveQuery.newBuilder().setModelScore(query))) {
            out.add(answer.result().getModelScore());
        }
        return out;
    }

    /** The mean of per-fold figures. */
    public static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    /** The sample standard deviation (ddof 1) of per-fold figures, as Exareme2's summaries give it. */
    public static double stdev(double[] values) {
        double mean = mean(values);
        double sum = 0;
        for (double value : values) {
            sum += (value - mean) * (value - mean);
        }
        return Math.sqrt(sum / (values.length - 1));
    }

    /** A figure that is 0 when undefined (0/0), as Exareme2's metrics (and sklearn's zero_division) give it. */
    public static double ratio(double numerator, double denominator) {
        return denominator == 0 ? 0 : numerator / denominator;
    }

    /** Prefixes a refusal met while fitting fold {@code fold} with the fold, keeping its type and fields (a node's rule...). */
    public Problem inFold(int fold, Problem problem) {
        return problem.withDetail(
                "In fold " + (fold + 1) + " of " + nSplits + " (fitted on the other folds): " + problem.detail());
    }
}
