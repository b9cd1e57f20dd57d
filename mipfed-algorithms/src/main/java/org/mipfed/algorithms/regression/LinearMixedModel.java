package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.Distributions;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;

/**
 * {@code linear_mixed_model} (ours, beyond Exareme2): {@code y ~ x + (1 | dataset)}, a linear model with a random
 * intercept per dataset, fitted by REML (default) or ML as lme4's {@code lmer}.
 *
 * <p>The nodes compute {@code cross_products} over the design (regressors and y) and the 0/1 indicator of every
 * requested dataset; pooled, these give XᵀX, Xᵀy and yᵀy over all rows and, per dataset k, its rows n_k, its column
 * sums s_k = X_kᵀ1 and t_k = Σ y (the co-moments of the indicators with the columns). That is enough: with
 * θ = τ² / σ², V_k / σ² = I + θ 11ᵀ, whose inverse is I − γ_k 11ᵀ with γ_k = θ / (1 + n_k θ), so
 * <pre>
 *   A(θ) = XᵀV⁻¹X σ² = XᵀX − Σ_k γ_k s_k s_kᵀ,   c(θ) = Xᵀy − Σ_k γ_k s_k t_k,   q(θ) = yᵀy − Σ_k γ_k t_k²,
 *   β(θ) = A⁻¹c,   r(θ) = q − cᵀβ,   log|V / σ²| = Σ_k log(1 + n_k θ);
 *   ML:   −2ℓ = n (1 + log(2π r / n)) + Σ_k log(1 + n_k θ)
 *   REML: −2ℓ = (n − p)(1 + log(2π r / (n − p))) + Σ_k log(1 + n_k θ) + log|A|
 * </pre>
 * minimised over θ ≥ 0 (one dimension: a grid, then the root of its derivative in θ by Brent's method); σ² = r / n (ML) or r / (n − p) (REML),
 * τ² = θ σ², Var(β) = σ² A⁻¹, and the random intercept of dataset k is γ_k (t_k − s_kᵀβ) (lmer's conditional mode).
 * The fixed effects' t tests and 95% intervals use the residual degrees of freedom n − p.
 */
public final class LinearMixedModel extends SpecifiedAlgorithm {
    public static final String NAME = "linear_mixed_model";
    /** The grouping variable of the random intercept. */
    static final String GROUP = "dataset";

    private static final double CONFIDENCE = 0.95;
    /** The grid's range of sqrt(θ) = τ / σ, as lme4's θ, before Brent's method refines the best cell. */
    private static final double[] GRID = grid();

    public LinearMixedModel() {
        super(NAME);
    }

    @Override
    public LinearMixedModelResult run(AnalysisInput input, FederationContext federation) {
        String y = dependent(input);
        if (input.x().contains(GROUP)) {
            throw Problem.badRequest("'" + GROUP + "' is the grouping variable of " + NAME
                    + "'s random intercept; remove it from the covariates (x)");
        }
        boolean reml = !"ML".equals(input.parameters().path("method").asText("REML"));
        PAdjust adjust = PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText(""));
        Covariates covariates = Covariates.of(NAME, y, input.x(), input.dataModel());
        Design design = Design.build(federation, y, covariates.nominal(), covariates.numerical(), covariates.used());
        if (design.empty()) {
            throw noRows(input, covariates.used());
        }
        List<String> datasets = datasets(input);
        List<DesignColumn> columns = new ArrayList<>(design.columns());
        for (String dataset : datasets) {
            columns.add(DesignColumn.newBuilder()
                    .setVariable(GROUP)
                    .setLevel(dataset)
                    .build());
        }
        CrossProducts pooled = PooledCrossProducts.compute(federation, columns, covariates.used());
        if (pooled.n() == 0) {
            throw noRows(input, covariates.used());
        }
        Sums sums = Sums.of(pooled, design.regressorNames().size(), datasets);
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(design.regressorNames());
        if (sums.n() <= names.size()) {
            throw Problem.badRequest(NAME + " needs more rows than fixed effects: " + sums.n() + " rows have a value"
                    + " for every one of " + String.join(", ", covariates.used()) + ", for " + names.size()
                    + " fixed effects; add datasets or remove covariates");
        }
        if (sums.groups().size() < 2) {
            throw Problem.badRequest(NAME + " estimates the variance between datasets, so it needs rows in at least"
                    + " two datasets; only " + String.join(", ", sums.groups()) + " has some");
        }
        Fit fit = fit(sums, reml, names);
        return result(y, names, sums, fit, reml, adjust);
    }

    private static String dependent(AnalysisInput input) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one dependent variable (y), not "
                    + input.y().size());
        }
        String y = input.y().get(0);
        Cde cde = model.cde(y);
        if (cde == null || cde.categorical()) {
            throw Problem.badRequest(NAME + " needs a numerical dependent variable (y); '" + y + "' is "
                    + (cde == null ? "not in the data model " + model.id() : "nominal"));
        }
        return y;
    }

    private static Problem noRows(AnalysisInput input, List<String> used) {
        return Problem.badRequest("No row of the selected datasets has a value for every one of "
                + String.join(", ", used) + (input.filter() == null ? "" : " (after the filters)")
                + "; choose other variables or datasets");
    }

    /** The requested datasets in the data model's order of the dataset variable. */
    private static List<String> datasets(AnalysisInput input) {
        Cde cde = input.dataModel().cde(GROUP);
        List<String> ordered = new ArrayList<>();
        if (cde != null) {
            for (String level : cde.enumerations().keySet()) {
                if (input.datasets().contains(level)) {
                    ordered.add(level);
                }
            }
        }
        for (String dataset : input.datasets()) {
            if (!ordered.contains(dataset)) {
                ordered.add(dataset);
            }
        }
        return ordered;
    }

    /**
     * The sufficient statistics, read from the pooled cross-products of [regressors, y, dataset indicators].
     *
     * @param xtx XᵀX with the intercept first (p × p)
     * @param xty Xᵀy
     * @param yty yᵀy
     * @param groups the datasets with rows
     * @param counts their rows n_k
     * @param columnSums per dataset, X_kᵀ1
     * @param ySums per dataset, Σ y
     */
    record Sums(
            long n,
            double[][] xtx,
            double[] xty,
            double yty,
            List<String> groups,
            double[] counts,
            double[][] columnSums,
            double[] ySums) {
        static Sums of(CrossProducts pooled, int regressors, List<String> datasets) {
            long n = pooled.n();
            int p = regressors + 1;
            int yColumn = regressors;
            // Column j of X (0 = intercept) is pooled column j - 1.
            double[][] xtx = new double[p][p];
            double[] xty = new double[p];
            for (int i = 0; i < p; i++) {
                for (int j = i; j < p; j++) {
                    xtx[i][j] = raw(pooled, i - 1, j - 1);
                    xtx[j][i] = xtx[i][j];
                }
                xty[i] = raw(pooled, i - 1, yColumn);
            }
            double yty = raw(pooled, yColumn, yColumn);
            List<String> groups = new ArrayList<>();
            List<double[]> sums = new ArrayList<>();
            List<Double> counts = new ArrayList<>();
            List<Double> ySums = new ArrayList<>();
            for (int k = 0; k < datasets.size(); k++) {
                int d = regressors + 1 + k;
                double nk = Math.rint(raw(pooled, d, -1));
                if (nk == 0) {
                    continue;
                }
                double[] s = new double[p];
                for (int j = 0; j < p; j++) {
                    s[j] = j == 0 ? nk : raw(pooled, d, j - 1);
                }
                groups.add(datasets.get(k));
                counts.add(nk);
                sums.add(s);
                ySums.add(raw(pooled, d, yColumn));
            }
            return new Sums(
                    n,
                    xtx,
                    xty,
                    yty,
                    groups,
                    counts.stream().mapToDouble(Double::doubleValue).toArray(),
                    sums.toArray(double[][]::new),
                    ySums.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** Σ over rows of column i times column j (-1: the constant 1). */
        private static double raw(CrossProducts pooled, int i, int j) {
            long n = pooled.n();
            if (i < 0 && j < 0) {
                return n;
            }
            if (i < 0 || j < 0) {
                return n * pooled.mean(Math.max(i, j));
            }
            return pooled.comoment(i, j) + n * pooled.mean(i) * pooled.mean(j);
        }

        int p() {
            return xty.length;
        }
    }

    /** The model at one θ = τ² / σ². */
    private record Profile(
            double theta, double deviance, double slope, RealVector beta, RealMatrix aInverse, double r) {}

    /** The fit: the profile at the optimum, and the scale σ² there. */
    private record Fit(Profile profile, double sigma2) {}

    private static Profile profile(Sums s, double theta, boolean reml) {
        int p = s.p();
        double[][] a = new double[p][p];
        double[] c = s.xty().clone();
        double q = s.yty();
        double logDetV = 0;
        for (int i = 0; i < p; i++) {
            a[i] = s.xtx()[i].clone();
        }
        for (int k = 0; k < s.groups().size(); k++) {
            double nk = s.counts()[k];
            double gamma = theta / (1 + nk * theta);
            double[] sk = s.columnSums()[k];
            double tk = s.ySums()[k];
            for (int i = 0; i < p; i++) {
                for (int j = i; j < p; j++) {
                    a[i][j] -= gamma * sk[i] * sk[j];
                    a[j][i] = a[i][j];
                }
                c[i] -= gamma * sk[i] * tk;
            }
            q -= gamma * tk * tk;
            logDetV += Math.log1p(nk * theta);
        }
        CholeskyDecomposition cholesky = new CholeskyDecomposition(new Array2DRowRealMatrix(a, false), 1e-12, 1e-14);
        RealVector cv = new ArrayRealVector(c, false);
        RealVector beta = cholesky.getSolver().solve(cv);
        double r = q - cv.dotProduct(beta);
        long n = s.n();
        RealMatrix aInverse = cholesky.getSolver().getInverse();
        // The derivative in θ: dr = −Σ γ'_k (t_k − s_kᵀβ)², d log|A| = −Σ γ'_k s_kᵀA⁻¹s_k, γ'_k = 1 / (1 + n_k θ)².
        double dr = 0;
        double dLogDetV = 0;
        double dLogDetA = 0;
        for (int k = 0; k < s.groups().size(); k++) {
            double nk = s.counts()[k];
            double dGamma = 1 / ((1 + nk * theta) * (1 + nk * theta));
            RealVector sk = new ArrayRealVector(s.columnSums()[k], false);
            double residual = s.ySums()[k] - sk.dotProduct(beta);
            dr -= dGamma * residual * residual;
            dLogDetV += nk / (1 + nk * theta);
            dLogDetA -= dGamma * sk.dotProduct(aInverse.operate(sk));
        }
        double deviance;
        double slope;
        if (reml) {
            double dfr = n - p;
            deviance = dfr * (1 + Math.log(2 * Math.PI * r / dfr)) + logDetV + Math.log(cholesky.getDeterminant());
            slope = dfr * dr / r + dLogDetV + dLogDetA;
        } else {
            deviance = n * (1 + Math.log(2 * Math.PI * r / n)) + logDetV;
            slope = n * dr / r + dLogDetV;
        }
        return new Profile(theta, deviance, slope, beta, aInverse, r);
    }

    private static Fit fit(Sums s, boolean reml, List<String> names) {
        Profile best;
        try {
            best = profile(s, 0, reml);
            int bestCell = 0;
            for (int i = 1; i < GRID.length; i++) {
                Profile candidate = profile(s, GRID[i] * GRID[i], reml);
                if (candidate.deviance() < best.deviance()) {
                    best = candidate;
                    bestCell = i;
                }
            }
            // The optimum is where the deviance's derivative in θ vanishes: found to machine precision between the grid
            // points around the best one (a minimum by the deviance alone would be precise to sqrt(ε) only).
            double low = GRID[Math.max(0, bestCell - 1)];
            double high = GRID[Math.min(GRID.length - 1, bestCell + 1)];
            double lowTheta = low * low;
            double highTheta = high * high;
            if (profile(s, lowTheta, reml).slope() < 0
                    && profile(s, highTheta, reml).slope() > 0) {
                double root = new BrentSolver(1e-14, 1e-300, 1e-300)
                        .solve(10_000, theta -> profile(s, theta, reml).slope(), lowTheta, highTheta);
                Profile refined = profile(s, root, reml);
                if (refined.deviance() <= best.deviance() + 1e-9) {
                    best = refined;
                }
            }
        } catch (NonPositiveDefiniteMatrixException | SingularMatrixException e) {
            throw Problem.badRequest("The fixed effects of " + NAME + " are collinear in the selected rows ("
                    + String.join(", ", names) + "): some is (almost) a linear combination of the others, so their"
                    + " effects cannot be told apart; remove one of them from x");
        }
        double sigma2 = best.r() / (reml ? s.n() - s.p() : s.n());
        return new Fit(best, sigma2);
    }

    private static LinearMixedModelResult result(
            String y, List<String> names, Sums s, Fit fit, boolean reml, PAdjust adjust) {
        Profile best = fit.profile();
        int p = s.p();
        long df = s.n() - p;
        double quantile = Distributions.studentQuantile(0.5 + CONFIDENCE / 2, df);
        double[] beta = best.beta().toArray();
        double[] se = new double[p];
        double[] t = new double[p];
        double[] pValues = new double[p];
        double[] lower = new double[p];
        double[] upper = new double[p];
        for (int i = 0; i < p; i++) {
            se[i] = Math.sqrt(fit.sigma2() * best.aInverse().getEntry(i, i));
            t[i] = beta[i] / se[i];
            pValues[i] = Distributions.studentTwoSidedPValue(t[i], df);
            lower[i] = beta[i] - quantile * se[i];
            upper[i] = beta[i] + quantile * se[i];
        }
        double[] intercepts = new double[s.groups().size()];
        for (int k = 0; k < intercepts.length; k++) {
            double gamma = best.theta() / (1 + s.counts()[k] * best.theta());
            double fitted = 0;
            for (int j = 0; j < p; j++) {
                fitted += s.columnSums()[k][j] * beta[j];
            }
            intercepts[k] = gamma * (s.ySums()[k] - fitted);
        }
        double logLikelihood = -best.deviance() / 2;
        int parameters = p + 2;
        return new LinearMixedModelResult(
                y,
                names,
                reml ? "REML" : "ML",
                GROUP,
                s.n(),
                s.groups().size(),
                "residual",
                df,
                beta,
                se,
                t,
                pValues,
                lower,
                upper,
                best.theta() * fit.sigma2(),
                fit.sigma2(),
                logLikelihood,
                -2 * logLikelihood + 2 * parameters,
                -2 * logLikelihood + Math.log(s.n()) * parameters,
                new LinearMixedModelResult.RandomEffects(s.groups(), intercepts),
                adjust == null ? null : adjust.rName(),
                adjust == null ? null : adjust.adjust(pValues));
    }

    /** sqrt(θ) from 0 to 1e4, log-spaced above 1e-4. */
    private static double[] grid() {
        List<Double> points = new ArrayList<>();
        points.add(0.0);
        for (double e = -4; e <= 4 + 1e-9; e += 0.1) {
            points.add(Math.pow(10, e));
        }
        return points.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
