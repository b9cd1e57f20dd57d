package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.numerics.CollinearColumnException;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.OlsFit;
import org.mipfed.algorithms.numerics.OrdinaryLeastSquares;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;

/**
 * Exareme2's {@code linear_regression}: ordinary least squares of one numerical variable on numerical
 * and nominal covariates, over the rows complete in all of them, with the statistics of statsmodels'
 * OLS summary.
 *
 * <p>One round: the cross-products of a design that indicates every level the data model enumerates for each
 * nominal covariate, which combine exactly into the pooled ones; the levels no node has a row at are then dropped,
 * and each variable's first present level is the reference (see {@link Design#inOneRound}).
 */
public final class LinearRegression extends SpecifiedAlgorithm {
    public static final String NAME = "linear_regression";
    private static final double CONFIDENCE = 0.95;

    public LinearRegression() {
        super(NAME);
    }

    @Override
    public LinearRegressionResult run(AnalysisInput input, FederationContext federation) {
        String y = dependent(input);
        Covariates covariates = Covariates.of(NAME, y, input.x(), input.dataModel());
        List<String> used = covariates.used();
        Design.Pooled fitted =
                Design.inOneRound(federation, input.dataModel(), y, covariates.nominal(), covariates.numerical(), used);
        Design design = fitted.design();
        CrossProducts pooled = fitted.pooled();
        checkEstimable(input, y, used, design, pooled);
        OlsFit fit;
        try {
            fit = OrdinaryLeastSquares.fit(pooled);
        } catch (CollinearColumnException e) {
            throw collinear(design.regressorNames(), e);
        }
        return result(
                y,
                design.regressorNames(),
                fit,
                PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText("")));
    }

    /** The one numerical dependent variable. */
    private static String dependent(AnalysisInput input) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one dependent variable (y), not "
                    + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || yCde.categorical()) {
            throw Problem.badRequest(NAME + " needs a numerical dependent variable (y); '" + y + "' is "
                    + (yCde == null ? "not in the data model " + model.id() : "nominal"));
        }
        return y;
    }

    /** Refuses pooled cross-products from which no model can be estimated: no rows, nothing to estimate, too few rows, constant y. */
    private static void checkEstimable(
            AnalysisInput input, String y, List<String> used, Design design, CrossProducts pooled) {
        int coefficients = design.regressorNames().size() + 1;
        if (pooled.n() == 0) {
            throw Problem.notEnoughData("No row of the selected datasets has a value for every one of "
                    + String.join(", ", used) + (input.filter() == null ? "" : " (after the filters)")
                    + "; choose other variables or datasets");
        }
        if (coefficients == 1) {
            throw Problem.badRequest(
                    "None of the covariates varies in the " + pooled.n() + " selected rows (each nominal one has a "
                            + "single level there), so there is nothing to estimate; choose other covariates or datasets");
        }
        if (pooled.n() <= coefficients) {
            throw Problem.notEnoughData(
                    NAME + " needs more rows than coefficients: " + pooled.n() + " rows have a value for every one of "
                            + String.join(", ", used) + ", for " + coefficients + " coefficients (Intercept and "
                            + String.join(", ", design.regressorNames()) + "); add datasets or remove covariates");
        }
        if (!(pooled.comoment(coefficients - 1, coefficients - 1) > 0)) {
            throw Problem.badRequest("The dependent variable '" + y + "' has the same value in all " + pooled.n()
                    + " selected rows; there is nothing to explain");
        }
    }

    private static Problem collinear(List<String> names, CollinearColumnException e) {
        String column = names.get(e.column());
        if (e.constant()) {
            return Problem.badRequest(
                    "The covariate '" + column + "' has the same value in every selected row, so its effect "
                            + "cannot be estimated; remove it from x");
        }
        List<String> before = names.subList(0, e.column());
        return Problem.badRequest(
                "The covariates are collinear: '" + column + "' is (almost) a linear combination of the intercept"
                        + (before.isEmpty() ? "" : " and " + String.join(", ", before))
                        + " in the selected rows, so their effects cannot "
                        + "be told apart; remove one of them from x");
    }

    private static LinearRegressionResult result(String y, List<String> regressors, OlsFit fit, PAdjust adjust) {
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(regressors);
        return new LinearRegressionResult(
                y,
                fit.n(),
                fit.dfResid(),
                fit.dfModel(),
                fit.rse(),
                fit.rSquared(),
                fit.rSquaredAdjusted(),
                fit.fStat(),
                fit.fPValue(),
                names,
                fit.coefficients(),
                fit.standardErrors(),
                fit.tStats(),
                fit.pValues(),
                fit.confidenceBounds(CONFIDENCE, -1),
                fit.confidenceBounds(CONFIDENCE, 1),
                adjust == null ? null : adjust.rName(),
                adjust == null ? null : adjust.adjust(fit.pValues()));
    }
}
