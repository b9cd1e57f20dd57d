package org.mipfed.algorithms.regression;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.algorithms.numerics.CollinearColumnException;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.OlsFit;
import org.mipfed.algorithms.numerics.OrdinaryLeastSquares;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;

/**
 * Exareme2's {@code linear_regression}: ordinary least squares of one numerical variable on numerical
 * and nominal covariates, over the rows complete in all of them, with the statistics of statsmodels'
 * OLS summary.
 *
 * <p>Two rounds: the levels of the nominal covariates present in those rows (the design must be the
 * same on every node), then the design's cross-products, which combine exactly into the pooled ones.
 */
public final class LinearRegression extends SpecifiedAlgorithm {
    public static final String NAME = "linear_regression";
    private static final double CONFIDENCE = 0.95;

    public LinearRegression() {
        super(NAME);
    }

    @Override
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one dependent variable (y), not " + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || yCde.categorical()) {
            throw Problem.badRequest(NAME + " needs a numerical dependent variable (y); '" + y + "' is "
                    + (yCde == null ? "not in the data model " + model.id() : "nominal"));
        }
        Covariates covariates = Covariates.of(NAME, y, input.x(), model);
        List<String> nominal = covariates.nominal();
        List<String> numerical = covariates.numerical();
        List<String> used = covariates.used();
        Design design = Design.build(federation, y, nominal, numerical, used);
        CrossProducts pooled = design.empty() ? CrossProducts.empty(1) : design.crossProducts(federation);
        int coefficients = design.regressorNames().size() + 1;
        if (pooled.n() == 0) {
            throw Problem.badRequest("No row of the selected datasets has a value for every one of " + String.join(", ", used)
                    + (input.filter() == null ? "" : " (after the filters)") + "; choose other variables or datasets");
        }
        if (coefficients == 1) {
            throw Problem.badRequest("None of the covariates varies in the " + pooled.n() + " selected rows (each nominal one has a "
                    + "single level there), so there is nothing to estimate; choose other covariates or datasets");
        }
        if (pooled.n() <= coefficients) {
            throw Problem.badRequest(NAME + " needs more rows than coefficients: " + pooled.n() + " rows have a value for every one of "
                    + String.join(", ", used) + ", for " + coefficients + " coefficients (Intercept and "
                    + String.join(", ", design.regressorNames()) + "); add datasets or remove covariates");
        }
        if (!(pooled.comoment(coefficients - 1, coefficients - 1) > 0)) {
            throw Problem.badRequest("The dependent variable '" + y + "' has the same value in all " + pooled.n()
                    + " selected rows; there is nothing to explain");
        }
        OlsFit fit;
        try {
            fit = OrdinaryLeastSquares.fit(pooled);
        }
        catch (CollinearColumnException e) {
            throw collinear(design.regressorNames(), e);
        }
        return result(y, design.regressorNames(), fit);
    }

    private static Problem collinear(List<String> names, CollinearColumnException e) {
        String column = names.get(e.column());
        if (e.constant()) {
            return Problem.badRequest("The covariate '" + column + "' has the same value in every selected row, so its effect "
                    + "cannot be estimated; remove it from x");
        }
        List<String> before = names.subList(0, e.column());
        return Problem.badRequest("The covariates are collinear: '" + column + "' is (almost) a linear combination of the intercept"
                + (before.isEmpty() ? "" : " and " + String.join(", ", before)) + " in the selected rows, so their effects cannot "
                + "be told apart; remove one of them from x");
    }

    private static ObjectNode result(String y, List<String> regressors, OlsFit fit) {
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(regressors);
        ObjectNode out = ResultJson.object();
        out.put("dependent_var", y);
        out.put("n_obs", fit.n());
        out.put("df_resid", fit.dfResid());
        out.put("df_model", fit.dfModel());
        ResultJson.put(out, "rse", fit.rse());
        ResultJson.put(out, "r_squared", fit.rSquared());
        ResultJson.put(out, "r_squared_adjusted", fit.rSquaredAdjusted());
        ResultJson.put(out, "f_stat", fit.fStat());
        ResultJson.put(out, "f_pvalue", fit.fPValue());
        out.set("indep_vars", ResultJson.strings(names));
        out.set("coefficients", ResultJson.numbers(fit.coefficients()));
        out.set("std_err", ResultJson.numbers(fit.standardErrors()));
        out.set("t_stats", ResultJson.numbers(fit.tStats()));
        out.set("pvalues", ResultJson.numbers(fit.pValues()));
        out.set("lower_ci", ResultJson.numbers(fit.confidenceBounds(CONFIDENCE, -1)));
        out.set("upper_ci", ResultJson.numbers(fit.confidenceBounds(CONFIDENCE, 1)));
        return out;
    }
}
