package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.Distributions;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * {@code linear_mixed_model} (ours, beyond Exareme2): {@code y ~ x + (1 | g)} or {@code y ~ x + (1 + z | g)}, a linear
 * model with a random intercept (and optionally a random slope of one numerical covariate z, correlated with it) per
 * group g, the dataset (default) or the node, fitted by REML (default) or ML as lme4's {@code lmer}.
 *
 * <p>With W = [X y] (X with the intercept first) and, per group k, Z_k = 1 (intercept) or [1 z] (slope), the
 * likelihood depends on the rows only through WᵀW (summed over groups), and per group Z_kᵀZ_k and Z_kᵀW_k. With lme4's
 * relative covariance factor Λ(θ) (lower triangular, Σ = σ² ΛΛᵀ) and M_k = ΛᵀZ_kᵀZ_kΛ + I, Woodbury's identity gives
 * <pre>
 *   C(θ) = Wᵀ V⁻¹ W σ² = WᵀW − Σ_k U_kᵀ M_k⁻¹ U_k   with U_k = Λᵀ Z_kᵀ W_k,   log|V / σ²| = Σ_k log|M_k|;
 *   A = C[X, X],  c = C[X, y],  r = C[y, y] − cᵀ A⁻¹ c,  β = A⁻¹ c;
 *   ML:   −2ℓ(θ) = n (1 + log(2π r / n)) + Σ_k log|M_k|
 *   REML: −2ℓ(θ) = (n − p)(1 + log(2π r / (n − p))) + Σ_k log|M_k| + log|A|
 * </pre>
 * minimised over θ (one parameter: a grid, then the root of the derivative by Brent's method; three: BOBYQA from
 * lme4's start and from the intercept model's, then Newton steps on the gradient); σ² = r / n (ML) or r / (n − p)
 * (REML), Var(β) = σ² A⁻¹, and group k's random effects (lmer's conditional modes) Λ M_k⁻¹ U_k (−β, 1).
 *
 * <p>For a random intercept per dataset the nodes answer {@code cross_products} over the design and every requested
 * dataset's 0/1 indicator (per dataset: its rows and column sums, Z_kᵀW_k). For a random slope each dataset's
 * {@code cross_products} over the design is asked alone (the node's rules apply to that dataset's rows as to any
 * selection); per node, each node's own {@code cross_products} answer is its group's.
 *
 * <p>The fixed effects' t tests use lmerTest's Satterthwaite degrees of freedom (default) or the residual ones, n − p.
 */
public final class LinearMixedModel extends SpecifiedAlgorithm {
    public static final String NAME = "linear_mixed_model";
    /** The grouping variable of a random effect per dataset. */
    static final String GROUP = "dataset";
    /** The grouping by node. */
    static final String NODE = "node";

    static final String SATTERTHWAITE = "satterthwaite";
    static final String RESIDUAL = "residual";

    private static final double CONFIDENCE = 0.95;
    /** The grid's range of θ = τ / σ, lme4's θ, before Brent's method refines the best cell. */
    private static final double[] GRID = grid();

    public LinearMixedModel() {
        super(NAME);
    }

    @Override
    public LinearMixedModelResult run(AnalysisInput input, FederationContext federation) {
        String y = dependent(input);
        if (input.x().contains(GROUP)) {
            throw Problem.badRequest("'" + GROUP + "' is the grouping variable of " + NAME
                    + "'s random effects; remove it from the covariates (x)");
        }
        boolean reml = !"ML".equals(input.parameters().path("method").asText("REML"));
        String grouping = input.parameters().path("grouping").asText(GROUP);
        if (!GROUP.equals(grouping) && !NODE.equals(grouping)) {
            throw Problem.badRequest("grouping is '" + grouping + "'; " + NAME + " groups its random effects by "
                    + GROUP + " or " + NODE);
        }
        String slope = input.parameters().path("random_slope").asText("");
        if (slope.isEmpty() || "none".equals(slope)) {
            slope = null;
        }
        String dfMethod = input.parameters().path("df_method").asText(SATTERTHWAITE);
        if (!SATTERTHWAITE.equals(dfMethod) && !RESIDUAL.equals(dfMethod)) {
            throw Problem.badRequest("df_method is '" + dfMethod + "'; choose " + SATTERTHWAITE + " (lmerTest's"
                    + " default) or " + RESIDUAL + " (n minus the fixed effects)");
        }
        if (slope != null) {
            Cde cde = input.dataModel().cde(slope);
            if (!input.x().contains(slope) || cde == null || cde.categorical()) {
                throw Problem.badRequest("random_slope '" + slope + "' must be a numerical covariate of x (its fixed"
                        + " effect is the slope's mean, as in lme4's y ~ " + slope + " + (1 + " + slope + " | g));"
                        + " add it to x or choose a numerical one");
            }
        }
        if (NODE.equals(grouping) && federation.secure()) {
            throw Problem.badRequest(NAME + " with grouping 'node' needs each node's own aggregates, which flags.smpc"
                    + " sums over the nodes; group by " + GROUP + " or run it without smpc");
        }
        PAdjust adjust = PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText(""));
        Covariates covariates = Covariates.of(NAME, y, input.x(), input.dataModel());
        Design design = Design.build(federation, y, covariates.nominal(), covariates.numerical(), covariates.used());
        if (design.empty()) {
            throw noRows(input, covariates.used());
        }
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(design.regressorNames());
        int slopeColumn = slope == null ? -1 : names.indexOf(slope);
        Sums sums;
        if (NODE.equals(grouping)) {
            sums = perNode(federation, design, covariates.used(), slopeColumn);
        } else if (slope == null) {
            sums = interceptPerDataset(federation, design, covariates.used(), datasets(input));
        } else {
            sums = perDataset(federation, design, covariates.used(), datasets(input), slopeColumn);
        }
        if (sums.n() == 0) {
            throw noRows(input, covariates.used());
        }
        if (sums.n() <= names.size()) {
            throw Problem.badRequest(NAME + " needs more rows than fixed effects: " + sums.n() + " rows have a value"
                    + " for every one of " + String.join(", ", covariates.used()) + ", for " + names.size()
                    + " fixed effects; add datasets or remove covariates");
        }
        if (sums.groups().size() < 2) {
            throw Problem.badRequest(NAME + " estimates the variance between " + grouping + "s, so it needs rows in at"
                    + " least two " + grouping + "s; only " + String.join(", ", sums.groups()) + " has some");
        }
        Fit fit = fit(sums, reml, names);
        return result(y, names, sums, fit, reml, adjust, grouping, slope, dfMethod);
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
     * The sufficient statistics, with every column of W but the intercept centred at its pooled mean (W' = [1, X − m,
     * y − m_y]): the likelihood is the same (the change of X is unit triangular, the residuals do not change), and the
     * sums lose no precision to the means' squares. A random slope's Z' = [1, z − m_z] is Z T with T = [[1, −m_z], [0,
     * 1]], so Z Λ = Z' T⁻¹ Λ: the model is fitted in lme4's θ with Λ' = T⁻¹ Λ.
     *
     * @param n the rows
     * @param wtw W'ᵀW' ((p + 1) × (p + 1), the intercept first, y last)
     * @param groups the groups with rows
     * @param ztz per group, Z'_kᵀZ'_k (q × q)
     * @param ztw per group, Z'_kᵀW'_k (q × (p + 1))
     * @param means the pooled mean of each column of W (0 for the intercept)
     * @param slopeMean m_z, the pooled mean of the random slope's covariate (0 without one)
     */
    record Sums(
            long n,
            double[][] wtw,
            List<String> groups,
            double[][][] ztz,
            double[][][] ztw,
            double[] means,
            double slopeMean) {
        int p() {
            return wtw.length - 1;
        }

        int q() {
            return ztz[0].length;
        }
    }

    /** The random intercept per dataset, from one pooled answer over the design and the datasets' indicators. */
    private static Sums interceptPerDataset(
            FederationContext federation, Design design, List<String> used, List<String> datasets) {
        List<DesignColumn> columns = new ArrayList<>(design.columns());
        for (String dataset : datasets) {
            columns.add(DesignColumn.newBuilder()
                    .setVariable(GROUP)
                    .setLevel(dataset)
                    .build());
        }
        CrossProducts pooled = PooledCrossProducts.compute(federation, columns, used);
        int d = design.columns().size();
        int w = d + 1;
        double[][] wtw = new double[w][w];
        double[] means = new double[w];
        List<String> groups = new ArrayList<>();
        List<double[][]> ztz = new ArrayList<>();
        List<double[][]> ztw = new ArrayList<>();
        if (pooled.n() > 0) {
            wtw[0][0] = pooled.n();
            for (int i = 0; i < d; i++) {
                means[i + 1] = pooled.mean(i);
                for (int j = 0; j < d; j++) {
                    wtw[i + 1][j + 1] = pooled.comoment(i, j);
                }
            }
            for (int k = 0; k < datasets.size(); k++) {
                // n times an indicator's mean is the dataset's rows; its co-moment with a column, the sum over the
                // dataset's rows of (column − its pooled mean).
                double nk = Math.rint(pooled.n() * pooled.mean(d + k));
                if (nk == 0) {
                    continue;
                }
                double[] sums = new double[w];
                sums[0] = nk;
                for (int j = 0; j < d; j++) {
                    sums[j + 1] = pooled.comoment(d + k, j);
                }
                groups.add(datasets.get(k));
                ztz.add(new double[][] {{nk}});
                ztw.add(new double[][] {sums});
            }
        }
        return new Sums(
                pooled.n(), wtw, groups, ztz.toArray(double[][][]::new), ztw.toArray(double[][][]::new), means, 0);
    }

    /** One group per dataset, each dataset's cross-products asked alone. */
    private static Sums perDataset(
            FederationContext federation, Design design, List<String> used, List<String> datasets, int slope) {
        List<String> groups = new ArrayList<>();
        List<CrossProducts> products = new ArrayList<>();
        for (String dataset : datasets) {
            CrossProducts group = CrossProducts.empty(design.columns().size());
            for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder()
                    .addDatasets(dataset)
                    .setCrossProducts(CrossProductsQuery.newBuilder()
                            .addAllColumns(design.columns())
                            .addAllCompleteIn(used)))) {
                group = group.combine(crossProducts(answer, design.columns().size()));
            }
            if (group.n() > 0) {
                groups.add(dataset);
                products.add(group);
            }
        }
        return fromGroups(groups, products, design.columns().size(), slope);
    }

    /** One group per node, from each node's own answer. */
    private static Sums perNode(FederationContext federation, Design design, List<String> used, int slope) {
        List<String> groups = new ArrayList<>();
        List<CrossProducts> products = new ArrayList<>();
        for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder()
                .setCrossProducts(CrossProductsQuery.newBuilder()
                        .addAllColumns(design.columns())
                        .addAllCompleteIn(used)))) {
            CrossProducts group = crossProducts(answer, design.columns().size());
            if (group.n() > 0) {
                groups.add(answer.node());
                products.add(group);
            }
        }
        return fromGroups(groups, products, design.columns().size(), slope);
    }

    private static CrossProducts crossProducts(NodeAnswer answer, int p) {
        CrossProductsResult result = answer.result().getCrossProducts();
        if (result.getN() == 0) {
            return CrossProducts.empty(p);
        }
        if (result.getMeansCount() != p || result.getComomentsCount() != p * p) {
            throw new Problem(
                    ProblemType.INCONSISTENT_NODE_ANSWER,
                    "The node " + answer.node() + " returned cross-products of " + result.getMeansCount()
                            + " columns, but " + p + " were asked for");
        }
        return new CrossProducts(
                result.getN(),
                result.getMeansList().stream().mapToDouble(Double::doubleValue).toArray(),
                result.getComomentsList().stream()
                        .mapToDouble(Double::doubleValue)
                        .toArray());
    }

    /**
     * The sums from each group's cross-products (n_k, means, co-moments) of the design columns: W'ᵀW' of a group is
     * [[n_k, n_k dᵀ], [n_k d, C_k + n_k d dᵀ]] with d the group's means less the pooled ones; Z'_k is its column 0
     * (and the slope's column).
     */
    private static Sums fromGroups(List<String> groups, List<CrossProducts> products, int columns, int slope) {
        int w = columns + 1;
        long n = 0;
        double[] means = new double[w];
        for (CrossProducts group : products) {
            n += group.n();
        }
        for (CrossProducts group : products) {
            for (int j = 0; j < columns; j++) {
                means[j + 1] += group.n() * group.mean(j) / n;
            }
        }
        int[] z = slope < 0 ? new int[] {0} : new int[] {0, slope};
        double[][] wtw = new double[w][w];
        double[][][] ztz = new double[groups.size()][][];
        double[][][] ztw = new double[groups.size()][][];
        for (int k = 0; k < groups.size(); k++) {
            CrossProducts group = products.get(k);
            double nk = group.n();
            double[] d = new double[w];
            for (int j = 1; j < w; j++) {
                d[j] = group.mean(j - 1) - means[j];
            }
            double[][] m = new double[w][w];
            m[0][0] = nk;
            for (int i = 1; i < w; i++) {
                m[0][i] = nk * d[i];
                m[i][0] = m[0][i];
                for (int j = 1; j < w; j++) {
                    m[i][j] = group.comoment(i - 1, j - 1) + nk * d[i] * d[j];
                }
            }
            for (int i = 0; i < w; i++) {
                for (int j = 0; j < w; j++) {
                    wtw[i][j] += m[i][j];
                }
            }
            ztz[k] = new double[z.length][z.length];
            ztw[k] = new double[z.length][];
            for (int a = 0; a < z.length; a++) {
                for (int b = 0; b < z.length; b++) {
                    ztz[k][a][b] = m[z[a]][z[b]];
                }
                ztw[k][a] = m[z[a]].clone();
            }
        }
        return new Sums(n, wtw, groups, ztz, ztw, means, slope < 0 ? 0 : means[slope]);
    }

    /**
     * The model at one θ.
     *
     * @param beta the fixed effects (of the original, uncentred columns)
     * @param aInverse A⁻¹ for those: Var(β) = σ² A⁻¹
     * @param r the penalised residual sum of squares
     * @param centredBeta the fixed effects of the centred columns, β'
     * @param centredAInverse A'⁻¹, for the centred columns
     */
    private record Profile(
            double[] theta,
            double deviance,
            RealVector beta,
            RealMatrix aInverse,
            double r,
            double logDetA,
            double logDetM,
            RealVector centredBeta,
            RealMatrix centredAInverse) {}

    /** The fit: the profile at the optimum, and the scale σ² there. */
    private record Fit(Profile profile, double sigma2) {}

    /** Λ(θ): [θ₀] or [[θ₀, 0], [θ₁, θ₂]], lme4's order. */
    private static double[][] lambda(double[] theta) {
        if (theta.length == 1) {
            return new double[][] {{theta[0]}};
        }
        return new double[][] {{theta[0], 0}, {theta[1], theta[2]}};
    }

    /** M_k = ΛᵀZ_kᵀZ_kΛ + I. */
    private static RealMatrix m(double[][] lambda, double[][] ztz) {
        RealMatrix l = new Array2DRowRealMatrix(lambda, false);
        RealMatrix m =
                l.transpose().multiply(new Array2DRowRealMatrix(ztz, false)).multiply(l);
        for (int i = 0; i < m.getRowDimension(); i++) {
            m.addToEntry(i, i, 1);
            for (int j = 0; j < i; j++) {
                double mean = (m.getEntry(i, j) + m.getEntry(j, i)) / 2;
                m.setEntry(i, j, mean);
                m.setEntry(j, i, mean);
            }
        }
        return m;
    }

    /** Λ' = T⁻¹ Λ, for the centred Z' (see {@link Sums}). */
    private static double[][] centredLambda(double[][] lambda, double slopeMean) {
        if (lambda.length == 1) {
            return lambda;
        }
        return new double[][] {
            {lambda[0][0] + slopeMean * lambda[1][0], slopeMean * lambda[1][1]}, {lambda[1][0], lambda[1][1]}
        };
    }

    private static Profile profile(Sums s, double[] theta, boolean reml) {
        int p = s.p();
        double[][] lambda = centredLambda(lambda(theta), s.slopeMean());
        RealMatrix l = new Array2DRowRealMatrix(lambda, false);
        RealMatrix c = new Array2DRowRealMatrix(s.wtw(), true);
        double logDetM = 0;
        for (int k = 0; k < s.groups().size(); k++) {
            CholeskyDecomposition mk = new CholeskyDecomposition(m(lambda, s.ztz()[k]), 1e-14, 0);
            logDetM += Math.log(mk.getDeterminant());
            RealMatrix u = l.transpose().multiply(new Array2DRowRealMatrix(s.ztw()[k], false));
            c = c.subtract(u.transpose().multiply(mk.getSolver().solve(u)));
        }
        RealMatrix a = c.getSubMatrix(0, p - 1, 0, p - 1);
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < i; j++) {
                double mean = (a.getEntry(i, j) + a.getEntry(j, i)) / 2;
                a.setEntry(i, j, mean);
                a.setEntry(j, i, mean);
            }
        }
        CholeskyDecomposition cholesky = new CholeskyDecomposition(a, 1e-12, 1e-14);
        RealVector cv = c.getColumnVector(p).getSubVector(0, p);
        RealVector centred = cholesky.getSolver().solve(cv);
        double r = c.getEntry(p, p) - cv.dotProduct(centred);
        long n = s.n();
        double logDetA = Math.log(cholesky.getDeterminant());
        double deviance = reml
                ? (n - p) * (1 + Math.log(2 * Math.PI * r / (n - p))) + logDetM + logDetA
                : n * (1 + Math.log(2 * Math.PI * r / n)) + logDetM;
        // Back to the original columns: β₀ = β'₀ + m_y − Σ β'_j m_j, the others as they are; Var(β) = T Var(β') Tᵀ.
        RealMatrix t = new Array2DRowRealMatrix(p, p);
        for (int i = 0; i < p; i++) {
            t.setEntry(i, i, 1);
        }
        for (int j = 1; j < p; j++) {
            t.setEntry(0, j, -s.means()[j]);
        }
        RealVector beta = t.operate(centred);
        beta.addToEntry(0, s.means()[p]);
        RealMatrix centredInverse = cholesky.getSolver().getInverse();
        RealMatrix aInverse = t.multiply(centredInverse).multiply(t.transpose());
        return new Profile(theta.clone(), deviance, beta, aInverse, r, logDetA, logDetM, centred, centredInverse);
    }

    /** lmerTest's deviance as a function of (θ, σ), whose Hessian gives the variance parameters' covariance. */
    private static double devianceAt(Sums s, double[] varpar, boolean reml) {
        int last = varpar.length - 1;
        double sigma2 = varpar[last] * varpar[last];
        // As lme4's deviance function, any θ is taken as it is (steps below a bound too): M_k stays positive definite.
        double[] theta = Arrays.copyOf(varpar, last);
        Profile at = profile(s, theta, reml);
        double dev = at.logDetM() + at.r() / sigma2 + s.n() * Math.log(2 * Math.PI * sigma2);
        return reml ? dev + at.logDetA() - s.p() * Math.log(2 * Math.PI * sigma2) : dev;
    }

    private static double[] lowerBounds(int parameters) {
        return parameters == 1 ? new double[] {0} : new double[] {0, Double.NEGATIVE_INFINITY, 0};
    }

    private static Fit fit(Sums s, boolean reml, List<String> names) {
        Profile best;
        try {
            best = s.q() == 1 ? fitIntercept(s, reml) : fitSlope(s, reml);
        } catch (NonPositiveDefiniteMatrixException | SingularMatrixException e) {
            throw Problem.badRequest("The fixed effects of " + NAME + " are collinear in the selected rows ("
                    + String.join(", ", names) + "): some is (almost) a linear combination of the others, so their"
                    + " effects cannot be told apart; remove one of them from x");
        }
        double sigma2 = best.r() / (reml ? s.n() - s.p() : s.n());
        return new Fit(best, sigma2);
    }

    private static Profile profile1(Sums s, double theta, boolean reml) {
        return profile(s, new double[] {theta}, reml);
    }

    /** One parameter: the grid, then the root of the deviance's derivative (central differences) by Brent's method. */
    private static Profile fitIntercept(Sums s, boolean reml) {
        Profile best = profile1(s, 0, reml);
        int bestCell = 0;
        for (int i = 1; i < GRID.length; i++) {
            Profile candidate = profile1(s, GRID[i], reml);
            if (candidate.deviance() < best.deviance()) {
                best = candidate;
                bestCell = i;
            }
        }
        double low = GRID[Math.max(0, bestCell - 1)];
        double high = GRID[Math.min(GRID.length - 1, bestCell + 1)];
        double lowSquared = low * low;
        double highSquared = high * high;
        if (derivative(s, lowSquared, reml) < 0 && derivative(s, highSquared, reml) > 0) {
            try {
                double root = new BrentSolver(1e-15, 1e-300, 1e-300)
                        .solve(10_000, t -> derivative(s, t, reml), lowSquared, highSquared);
                Profile refined = profile1(s, Math.sqrt(root), reml);
                if (refined.deviance() <= best.deviance() + 1e-9) {
                    best = refined;
                }
            } catch (TooManyEvaluationsException e) {
                // the grid's best stands
            }
        }
        return best;
    }

    /**
     * The deviance's derivative in θ² (one parameter; its root is the optimum's θ²): with γ_k = θ² / (1 + n_k θ²),
     * dγ_k = 1 / (1 + n_k θ²)², the derivative of r is −Σ dγ_k (t_k − s_kᵀβ)², of log|A| −Σ dγ_k s_kᵀA⁻¹s_k, and of
     * Σ log(1 + n_k θ²) Σ n_k / (1 + n_k θ²) (s_k, t_k: group k's sums of the centred columns).
     */
    private static double derivative(Sums s, double thetaSquared, boolean reml) {
        Profile at = profile1(s, Math.sqrt(thetaSquared), reml);
        int p = s.p();
        double dr = 0;
        double dLogDetV = 0;
        double dLogDetA = 0;
        for (int k = 0; k < s.groups().size(); k++) {
            double nk = s.ztz()[k][0][0];
            double dGamma = 1 / ((1 + nk * thetaSquared) * (1 + nk * thetaSquared));
            RealVector sk = new ArrayRealVector(Arrays.copyOf(s.ztw()[k][0], p), false);
            double residual = s.ztw()[k][0][p] - sk.dotProduct(at.centredBeta());
            dr -= dGamma * residual * residual;
            dLogDetV += nk / (1 + nk * thetaSquared);
            dLogDetA -= dGamma * sk.dotProduct(at.centredAInverse().operate(sk));
        }
        return reml ? (s.n() - p) * dr / at.r() + dLogDetV + dLogDetA : s.n() * dr / at.r() + dLogDetV;
    }

    /**
     * Three parameters: BOBYQA from lme4's start (1, 0, 1) and from the intercept model's optimum, then Newton steps
     * on the central-difference gradient, so the optimum is where the gradient vanishes (not only where the deviance
     * stops falling, which is precise to the square root of the rounding only).
     */
    private static Profile fitSlope(Sums s, boolean reml) {
        double start = fitIntercept(interceptOnly(s), reml).theta()[0];
        double[] lower = lowerBounds(3);
        double[] upper = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        Profile best = null;
        for (double[] guess : List.of(new double[] {1, 0, 1}, new double[] {Math.max(start, 1e-3), 0, 1e-3})) {
            PointValuePair found = new BOBYQAOptimizer(7, 0.2, 1e-10)
                    .optimize(
                            new MaxEval(100_000),
                            GoalType.MINIMIZE,
                            new InitialGuess(guess),
                            new SimpleBounds(lower, upper),
                            new ObjectiveFunction(
                                    theta -> profile(s, theta, reml).deviance()));
            Profile candidate = profile(s, found.getPoint(), reml);
            if (best == null || candidate.deviance() < best.deviance()) {
                best = candidate;
            }
        }
        return polish(s, best, reml);
    }

    /** The intercept-only model's sums: Z_k = 1, the first row of the slope model's. */
    private static Sums interceptOnly(Sums s) {
        int groups = s.groups().size();
        double[][][] ztz = new double[groups][][];
        double[][][] ztw = new double[groups][][];
        for (int k = 0; k < groups; k++) {
            ztz[k] = new double[][] {{s.ztz()[k][0][0]}};
            ztw[k] = new double[][] {s.ztw()[k][0]};
        }
        return new Sums(s.n(), s.wtw(), s.groups(), ztz, ztw, s.means(), 0);
    }

    /** Newton's method on the gradient, over the parameters not on their bound. */
    private static Profile polish(Sums s, Profile start, boolean reml) {
        Profile best = start;
        double[] lower = lowerBounds(3);
        for (int iteration = 0; iteration < 20; iteration++) {
            double[] theta = best.theta();
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (theta[i] > lower[i] + 1e-10) {
                    free.add(i);
                }
            }
            if (free.isEmpty()) {
                break;
            }
            int f = free.size();
            double[] gradient = new double[f];
            double[][] hessian = new double[f][f];
            double[] h = new double[3];
            for (int i = 0; i < 3; i++) {
                h[i] = Math.max(1e-5 * Math.abs(theta[i]), 1e-7);
            }
            double f0 = best.deviance();
            for (int a = 0; a < f; a++) {
                int i = free.get(a);
                double plus = at(s, theta, i, h[i], -1, 0, reml);
                double minus = at(s, theta, i, -h[i], -1, 0, reml);
                gradient[a] = (plus - minus) / (2 * h[i]);
                hessian[a][a] = (plus - 2 * f0 + minus) / (h[i] * h[i]);
                for (int b = 0; b < a; b++) {
                    int j = free.get(b);
                    double pp = at(s, theta, i, h[i], j, h[j], reml);
                    double pm = at(s, theta, i, h[i], j, -h[j], reml);
                    double mp = at(s, theta, i, -h[i], j, h[j], reml);
                    double mm = at(s, theta, i, -h[i], j, -h[j], reml);
                    hessian[a][b] = (pp - pm - mp + mm) / (4 * h[i] * h[j]);
                    hessian[b][a] = hessian[a][b];
                }
            }
            double[] step;
            try {
                step = new LUDecomposition(new Array2DRowRealMatrix(hessian, false))
                        .getSolver()
                        .solve(new ArrayRealVector(gradient, false))
                        .toArray();
            } catch (SingularMatrixException e) {
                break;
            }
            double[] next = theta.clone();
            boolean moved = false;
            for (int a = 0; a < f; a++) {
                int i = free.get(a);
                next[i] = Math.max(lower[i], theta[i] - step[a]);
                moved |= Math.abs(next[i] - theta[i]) > 1e-15 * Math.max(1, Math.abs(theta[i]));
            }
            Profile candidate = profile(s, next, reml);
            if (!(candidate.deviance() <= best.deviance() + 1e-10 * Math.abs(best.deviance())) || !moved) {
                break;
            }
            best = candidate;
        }
        return best;
    }

    private static double at(Sums s, double[] theta, int i, double di, int j, double dj, boolean reml) {
        double[] t = theta.clone();
        t[i] += di;
        if (j >= 0) {
            t[j] += dj;
        }
        return profile(s, t, reml).deviance();
    }

    /** Satterthwaite's degrees of freedom of each fixed effect, as lmerTest computes them. */
    private static double[] satterthwaite(Sums s, Fit fit, boolean reml) {
        double[] theta = fit.profile().theta();
        double[] varpar = Arrays.copyOf(theta, theta.length + 1);
        varpar[theta.length] = Math.sqrt(fit.sigma2());
        double[][] hessian = Richardson.hessian(v -> devianceAt(s, v, reml), varpar);
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(hessian, false));
        int size = varpar.length;
        RealMatrix vcovVarpar = new Array2DRowRealMatrix(size, size);
        for (int e = 0; e < size; e++) {
            double value = eigen.getRealEigenvalue(e);
            if (value > 1e-8) {
                RealVector v = eigen.getEigenvector(e);
                vcovVarpar = vcovVarpar.add(v.outerProduct(v).scalarMultiply(2 / value));
            }
        }
        int p = s.p();
        double[][] jacobian = Richardson.jacobian(
                v -> {
                    double[] t = Arrays.copyOf(v, v.length - 1);
                    double sigma = v[v.length - 1];
                    RealMatrix inverse = profile(s, t, reml).aInverse();
                    double[] diagonal = new double[p];
                    for (int i = 0; i < p; i++) {
                        diagonal[i] = sigma * sigma * inverse.getEntry(i, i);
                    }
                    return diagonal;
                },
                varpar);
        double[] df = new double[p];
        for (int i = 0; i < p; i++) {
            double variance = fit.sigma2() * fit.profile().aInverse().getEntry(i, i);
            RealVector gradient = new ArrayRealVector(jacobian[i], false);
            df[i] = 2 * variance * variance / gradient.dotProduct(vcovVarpar.operate(gradient));
        }
        return df;
    }

    private static LinearMixedModelResult result(
            String y,
            List<String> names,
            Sums s,
            Fit fit,
            boolean reml,
            PAdjust adjust,
            String grouping,
            String slope,
            String dfMethod) {
        Profile best = fit.profile();
        int p = s.p();
        long residualDf = s.n() - p;
        double[] df = new double[p];
        if (SATTERTHWAITE.equals(dfMethod)) {
            df = satterthwaite(s, fit, reml);
        } else {
            Arrays.fill(df, residualDf);
        }
        double[] beta = best.beta().toArray();
        double[] se = new double[p];
        double[] t = new double[p];
        double[] pValues = new double[p];
        double[] lower = new double[p];
        double[] upper = new double[p];
        for (int i = 0; i < p; i++) {
            double quantile = Distributions.studentQuantile(0.5 + CONFIDENCE / 2, df[i]);
            se[i] = Math.sqrt(fit.sigma2() * best.aInverse().getEntry(i, i));
            t[i] = beta[i] / se[i];
            pValues[i] = Distributions.studentTwoSidedPValue(t[i], df[i]);
            lower[i] = beta[i] - quantile * se[i];
            upper[i] = beta[i] + quantile * se[i];
        }
        double[][] lambda = lambda(best.theta());
        RealMatrix l = new Array2DRowRealMatrix(lambda, false);
        double[][] centredLambda = centredLambda(lambda, s.slopeMean());
        RealMatrix lc = new Array2DRowRealMatrix(centredLambda, false);
        int q = s.q();
        // Group k's conditional modes: b_k = Λ M_k⁻¹ Λ'ᵀ Z'_kᵀ (y_k − X_k β), and Z'_kᵀ(y_k − X_k β) = Z'_kᵀW'_k (−β',
        // 1).
        double[] coefficientsOfW = new double[p + 1];
        for (int j = 0; j < p; j++) {
            coefficientsOfW[j] = -best.centredBeta().getEntry(j);
        }
        coefficientsOfW[p] = 1;
        RealVector residualWeights = new ArrayRealVector(coefficientsOfW, false);
        double[] intercepts = new double[s.groups().size()];
        double[] slopes = q == 2 ? new double[s.groups().size()] : null;
        for (int k = 0; k < intercepts.length; k++) {
            RealMatrix u = lc.transpose().multiply(new Array2DRowRealMatrix(s.ztw()[k], false));
            RealVector modes = l.operate(new CholeskyDecomposition(m(centredLambda, s.ztz()[k]), 1e-14, 0)
                    .getSolver()
                    .solve(u.operate(residualWeights)));
            intercepts[k] = modes.getEntry(0);
            if (slopes != null) {
                slopes[k] = modes.getEntry(1);
            }
        }
        RealMatrix covariance = l.multiply(l.transpose()).scalarMultiply(fit.sigma2());
        double logLikelihood = -best.deviance() / 2;
        int parameters = p + q * (q + 1) / 2 + 1;
        Double slopeVariance = q == 2 ? covariance.getEntry(1, 1) : null;
        Double correlation = null;
        if (q == 2) {
            double denominator = Math.sqrt(covariance.getEntry(0, 0) * covariance.getEntry(1, 1));
            // Both variances 0: no correlation to speak of (null, as lme4 prints none).
            correlation = denominator > 0 ? Double.valueOf(covariance.getEntry(0, 1) / denominator) : null;
        }
        return new LinearMixedModelResult(
                y,
                names,
                reml ? "REML" : "ML",
                grouping,
                slope,
                s.n(),
                s.groups().size(),
                dfMethod,
                df,
                beta,
                se,
                t,
                pValues,
                lower,
                upper,
                covariance.getEntry(0, 0),
                slopeVariance,
                correlation,
                fit.sigma2(),
                logLikelihood,
                -2 * logLikelihood + 2 * parameters,
                -2 * logLikelihood + Math.log(s.n()) * parameters,
                new LinearMixedModelResult.RandomEffects(s.groups(), intercepts, slopes),
                adjust == null ? null : adjust.rName(),
                adjust == null ? null : adjust.adjust(pValues));
    }

    /** θ from 0 to 1e4, log-spaced above 1e-4. */
    private static double[] grid() {
        List<Double> points = new ArrayList<>();
        points.add(0.0);
        for (double e = -4; e <= 4 + 1e-9; e += 0.1) {
            points.add(Math.pow(10, e));
        }
        return points.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
