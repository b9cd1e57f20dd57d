package org.mipfed.algorithms.regression;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.algorithms.numerics.CollinearColumnException;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.OlsFit;
import org.mipfed.algorithms.numerics.OrdinaryLeastSquares;
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
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
        DataModel model = input.dataModel();
        CrossValidation cv = CrossValidation.of(input);
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one dependent variable (y), not " + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || !yCde.numerical()) {
            throw Problem.badRequest(NAME + " needs a numerical dependent variable (y); '" + y + "' is "
                    + (yCde == null ? "not in the data model " + model.id() : "nominal") + "; for a nominal one use logistic_regression_cv");
        }
        Covariates covariates = Covariates.of(NAME, y, input.x(), model);
        List<String> nominal = covariates.nominal();
        List<String> numerical = covariates.numerical();
        List<String> used = covariates.used();
        long rows = cv.checkRows(federation, NAME, DesignColumn.newBuilder().setVariable(y).build(), used);
        Design design = Design.build(federation, y, nominal, numerical, used);
        int coefficients = design.regressorNames().size() + 1;
        if (coefficients == 1) {
            throw Problem.badRequest("None of the covariates varies in the " + rows + " selected rows (each nominal one has a "
                    + "single level there), so there is nothing to estimate; choose other covariates or datasets");
        }
        List<GlmColumn> regressors = new ArrayList<>();
        for (DesignColumn column : design.columns().subList(0, coefficients - 1)) {
            regressors.add(GlmColumn.newBuilder().setVariable(column.getVariable()).setLevel(column.getLevel()).build());
        }
        int k = cv.nSplits();
        long[] train = new long[k];
        long[] test = new long[k];
        double[] rmse = new double[k];
        double[] r2 = new double[k];
        double[] mae = new double[k];
        for (int fold = 0; fold < k; fold++) {
            OlsFit fit = fit(federation, cv, fold, design, coefficients);
            train[fold] = fit.n();
            List<ModelScoreResult> scores = cv.score(federation, fold, ModelScoreQuery.newBuilder().addAllCompleteIn(used)
                    .setLinear(LinearScore.newBuilder().addAllColumns(regressors).addAllBeta(boxed(fit.coefficients()))
                            .setResponse(GlmColumn.newBuilder().setVariable(y))));
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
            cv.checkTestRows(n, fold);
            test[fold] = n;
            rmse[fold] = Math.sqrt(sse / n);
            r2[fold] = 1 - sse / m2;
            mae[fold] = sae / n;
        }
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(design.regressorNames());
        ObjectNode out = ResultJson.object();
        out.put("dependent_var", y);
        out.set("indep_vars", ResultJson.strings(names));
        out.set("n_obs", longs(train));
        out.set("mean_sq_error", ResultJson.numbers(new double[] {CrossValidation.mean(rmse), CrossValidation.stdev(rmse)}));
        out.set("r_squared", ResultJson.numbers(new double[] {CrossValidation.mean(r2), CrossValidation.stdev(r2)}));
        out.set("mean_abs_error", ResultJson.numbers(new double[] {CrossValidation.mean(mae), CrossValidation.stdev(mae)}));
        ObjectNode folds = out.putObject("folds");
        folds.set("n_obs_train", longs(train));
        folds.set("n_obs_test", longs(test));
        folds.set("mean_sq_error", ResultJson.numbers(rmse));
        folds.set("r_squared", ResultJson.numbers(r2));
        folds.set("mean_abs_error", ResultJson.numbers(mae));
        return out;
    }

    /** OLS over the training rows of {@code fold}; refusals name the fold. */
    private static OlsFit fit(FederationContext federation, CrossValidation cv, int fold, Design design, int coefficients) {
        CrossProducts pooled = design.crossProducts(cv.training(federation, fold));
        if (pooled.n() <= coefficients) {
            throw Problem.badRequest("Fold " + (fold + 1) + " of " + cv.nSplits() + " is fitted on " + pooled.n() + " rows, which is not "
                    + "more than its " + coefficients + " coefficients; lower 'n_splits', add datasets or remove covariates");
        }
        try {
            return OrdinaryLeastSquares.fit(pooled);
        }
        catch (CollinearColumnException e) {
            throw Problem.badRequest("In fold " + (fold + 1) + " of " + cv.nSplits() + " (fitted on the other folds), the covariate '"
                    + design.regressorNames().get(e.column()) + "' is constant or a linear combination of the ones before it, so the "
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

    private static ArrayNode longs(long[] values) {
        ArrayNode array = ResultJson.array();
        for (long value : values) {
            array.add(value);
        }
        return array;
    }
}
