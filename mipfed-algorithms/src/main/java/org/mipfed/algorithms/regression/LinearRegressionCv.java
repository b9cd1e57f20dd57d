package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.algorithms.crossvalidation.MeanAndStdev;
import org.mipfed.algorithms.numerics.CollinearColumnException;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.OlsFit;
import org.mipfed.algorithms.numerics.OrdinaryLeastSquares;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.LinearScore;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;

/**
 * Exareme2's {@code linear_regression_cv}: k-fold cross-validation of {@code linear_regression}. The
 * design (dummy levels) is built once over all selected rows; per fold, OLS is fitted from the
 * cross-products of the other folds' rows and scored on the fold's rows by {@code model_score}
 * (squared and absolute errors, the response's moments), all of which add up exactly over nodes.
 *
 * <p>As Exareme2 does, {@code n_obs} lists each fold's training rows and {@code mean_sq_error} is the
 * root of the mean squared error on the test rows; each figure is given as [mean, standard deviation
 * (ddof 1)] over the folds. {@code folds} adds the per-fold figures and test rows.
 */
public final class LinearRegressionCv extends SpecifiedAlgorithm {
    public static final String NAME = "linear_regression_cv";

    public LinearRegressionCv() {
        super(NAME);
    }

    @Override
    public LinearRegressionCvResult run(AnalysisInput input, FederationContext federation) {
        CrossValidation cv = CrossValidation.of(input);
        String y = response(input);
        Covariates covariates = Covariates.of(NAME, y, input.x(), input.dataModel());
        List<String> used = covariates.used();
        long rows = cv.checkRows(
                federation, NAME, DesignColumn.newBuilder().setVariable(y).build(), used);
        Design design = Design.build(federation, y, covariates.nominal(), covariates.numerical(), used);
        int coefficients = design.regressorNames().size() + 1;
        if (coefficients == 1) {
            throw Problem.badRequest(
                    "None of the covariates varies in the " + rows + " selected rows (each nominal one has a "
                            + "single level there), so there is nothing to estimate; choose other covariates or datasets");
        }
        List<GlmColumn> regressors = new ArrayList<>();
        for (DesignColumn column : design.columns().subList(0, coefficients - 1)) {
            regressors.add(GlmColumn.newBuilder()
                    .setVariable(column.getVariable())
                    .setLevel(column.getLevel())
                    .build());
        }
        List<FoldScore> folds = new ArrayList<>();
        for (int fold = 0; fold < cv.nSplits(); fold++) {
            OlsFit fit = fit(federation, cv, fold, design, coefficients);
            FoldScore score = score(
                    cv.score(
                            federation,
                            fold,
                            ModelScoreQuery.newBuilder()
                                    .addAllCompleteIn(used)
                                    .setLinear(LinearScore.newBuilder()
                                            .addAllColumns(regressors)
                                            .addAllBeta(boxed(fit.coefficients()))
                                            .setResponse(GlmColumn.newBuilder().setVariable(y)))),
                    fit.n());
            cv.checkTestRows(score.test(), fold);
            folds.add(score);
        }
        return result(y, design, folds);
    }

    /** The dependent variable, which must be a single numerical one. */
    private static String response(AnalysisInput input) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one dependent variable (y), not "
                    + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || !yCde.numerical()) {
            throw Problem.badRequest(NAME + " needs a numerical dependent variable (y); '" + y + "' is "
                    + (yCde == null ? "not in the data model " + model.id() : "nominal")
                    + "; for a nominal one use logistic_regression_cv");
        }
        return y;
    }

    /**
     * One fold's model on its test rows: the nodes' sums of squared and absolute errors added, the response's moments
     * combined exactly (Chan et al.), so the figures are those of the pooled test rows.
     */
    private static FoldScore score(List<ModelScoreResult> scores, long train) {
        long n = 0;
        double sse = 0;
        double sae = 0;
        double mean = 0;
        double m2 = 0;
        for (ModelScoreResult score : scores) {
            if (score.getN() == 0) {
                continue;
            }
            long combined = n + score.getN();
            double delta = score.getMeanY() - mean;
            m2 += score.getM2Y() + delta * delta * n * score.getN() / combined;
            mean += delta * score.getN() / combined;
            n = combined;
            sse += score.getSse();
            sae += score.getSae();
        }
        return new FoldScore(train, n, sse, sae, m2);
    }

    private static LinearRegressionCvResult result(String y, Design design, List<FoldScore> folds) {
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(design.regressorNames());
        List<Long> train = folds.stream().map(FoldScore::train).toList();
        double[] rmse =
                folds.stream().mapToDouble(FoldScore::rootMeanSquaredError).toArray();
        double[] r2 = folds.stream().mapToDouble(FoldScore::rSquared).toArray();
        double[] mae = folds.stream().mapToDouble(FoldScore::meanAbsoluteError).toArray();
        return new LinearRegressionCvResult(
                y,
                names,
                train,
                MeanAndStdev.of(rmse),
                MeanAndStdev.of(r2),
                MeanAndStdev.of(mae),
                new LinearRegressionCvResult.PerFold(
                        train, folds.stream().map(FoldScore::test).toList(), boxed(rmse), boxed(r2), boxed(mae)));
    }

    /**
     * One fold's sums over its test rows.
     *
     * @param train the rows the model was fitted on
     * @param test the rows it was scored on
     * @param sse the sum of squared errors
     * @param sae the sum of absolute errors
     * @param m2 the response's centred sum of squares (the total sum of squares)
     */
    private record FoldScore(long train, long test, double sse, double sae, double m2) {
        double rootMeanSquaredError() {
            return Math.sqrt(sse / test);
        }

        double rSquared() {
            return 1 - sse / m2;
        }

        double meanAbsoluteError() {
            return sae / test;
        }
    }

    /** OLS over the training rows of {@code fold}; refusals name the fold. */
    private static OlsFit fit(
            FederationContext federation, CrossValidation cv, int fold, Design design, int coefficients) {
        CrossProducts pooled = design.crossProducts(cv.training(federation, fold));
        if (pooled.n() <= coefficients) {
            throw Problem.badRequest("Fold " + (fold + 1) + " of " + cv.nSplits() + " is fitted on " + pooled.n()
                    + " rows, which is not " + "more than its " + coefficients
                    + " coefficients; lower 'n_splits', add datasets or remove covariates");
        }
        try {
            return OrdinaryLeastSquares.fit(pooled);
        } catch (CollinearColumnException e) {
            throw Problem.badRequest(
                    "In fold " + (fold + 1) + " of " + cv.nSplits() + " (fitted on the other folds), the covariate '"
                            + design.regressorNames().get(e.column())
                            + "' is constant or a linear combination of the ones before it, so the "
                            + "model cannot be fitted; a rare level may lie in one fold only: lower 'n_splits' or remove that covariate");
        }
    }

    private static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double value : values) {
            out.add(value);
        }
        return out;
    }
}
