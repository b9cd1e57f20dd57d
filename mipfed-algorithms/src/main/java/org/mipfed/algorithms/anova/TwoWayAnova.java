package org.mipfed.algorithms.anova;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.moments.GroupedMoments;
import org.mipfed.algorithms.numerics.Distributions;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.MomentsQuery;

/**
 * Exareme2's {@code anova}: the two-way analysis of variance of y over two nominal covariates A and B
 * with their interaction, with type 1 (sequential) or type 2 sums of squares, as R's {@code anova}
 * and {@code car::Anova} give them.
 *
 * <p>The nodes return only the count, mean and centred sum of squares of y in each cell (combination
 * of levels). That is enough for every linear model built from A and B: the residual sum of squares
 * of a model is the within-cell sum Σ m2 plus the weighted lack of fit Σ n_c (mean_c - fit_c)² of the
 * cell means, found by least squares on the cells, each row weighted by sqrt(n_c). Each term's sum
 * of squares is a difference of two models' lack of fit, and its degrees of freedom the difference of
 * their ranks (columns that add nothing are dropped, as R does), so empty cells give R's degrees of freedom.
 */
public final class TwoWayAnova extends SpecifiedAlgorithm {
    public static final String NAME = "anova";
    private static final double RANK_TOLERANCE = 1e-9;

    public TwoWayAnova() {
        super(NAME);
    }

    @Override
    public TwoWayAnovaResult run(AnalysisInput input, FederationContext federation) {
        long sstype = check(input);
        String y = input.y().get(0);
        String a = input.x().get(0);
        String b = input.x().get(1);
        GroupedMoments cells = GroupedMoments.compute(
                federation,
                MomentsQuery.newBuilder()
                        .addNumerical(y)
                        .addGroupBy(a)
                        .addGroupBy(b)
                        .build());
        List<String> levelsA = cells.levels(0);
        List<String> levelsB = cells.levels(1);
        for (int i = 0; i < 2; i++) {
            if ((i == 0 ? levelsA : levelsB).size() < 2) {
                throw Problem.badRequest(
                        "The data of variable " + input.x().get(i) + " contain less than 2 levels and Anova cannot be "
                                + "performed. Please select more data or choose another variable.");
            }
        }
        return analyse(cells, a, b, levelsA, levelsB, sstype);
    }

    /** The sums of squares of each term as differences of nested models' lack of fit over the cells (see the class). */
    private static TwoWayAnovaResult analyse(
            GroupedMoments cells, String a, String b, List<String> levelsA, List<String> levelsB, long sstype) {
        Moments total = cells.total(0);
        List<GroupedMoments.Group> groups = new ArrayList<>(cells.groups().values());
        double within = 0;
        for (GroupedMoments.Group group : groups) {
            within += group.moments(0).m2();
        }
        Fit constant = fit(groups, levelsA, levelsB, total.mean(), false, false, false);
        Fit onlyA = fit(groups, levelsA, levelsB, total.mean(), true, false, false);
        Fit onlyB = fit(groups, levelsA, levelsB, total.mean(), false, true, false);
        Fit additive = fit(groups, levelsA, levelsB, total.mean(), true, true, false);
        Fit full = fit(groups, levelsA, levelsB, total.mean(), true, true, true);
        long dfResidual = total.n() - full.rank();
        if (dfResidual <= 0) {
            throw Problem.badRequest("Every one of the " + groups.size() + " combinations of levels of " + a + " and "
                    + b + " present holds "
                    + "a single row, so no residual variance is left to test against; choose more data");
        }
        // Type 1 adds A to the intercept, type 2 to B; both add B to A and the interaction to A + B.
        List<Double> sumSq = List.of(
                sstype == 1 ? constant.lackOfFit() - onlyA.lackOfFit() : onlyB.lackOfFit() - additive.lackOfFit(),
                onlyA.lackOfFit() - additive.lackOfFit(),
                additive.lackOfFit() - full.lackOfFit(),
                within + full.lackOfFit());
        List<Long> df = List.of(
                (long) (sstype == 1 ? onlyA.rank() - constant.rank() : additive.rank() - onlyB.rank()),
                (long) (additive.rank() - onlyA.rank()),
                (long) (full.rank() - additive.rank()),
                dfResidual);
        double msResidual = sumSq.get(3) / dfResidual;
        List<Double> fStats = new ArrayList<>();
        List<Double> pValues = new ArrayList<>();
        for (int term = 0; term < 3; term++) {
            double f = df.get(term) == 0 ? Double.NaN : sumSq.get(term) / df.get(term) / msResidual;
            fStats.add(f);
            pValues.add(df.get(term) == 0 ? Double.NaN : Distributions.fUpperTail(f, df.get(term), dfResidual));
        }
        fStats.add(Double.NaN);
        pValues.add(Double.NaN);
        return new TwoWayAnovaResult(
                List.of(a, b, a + ":" + b, "Residuals"), sumSq, df, fStats, pValues, total.n(), sstype);
    }

    /** Refuses what the spec cannot express (two nominal covariates with at least two levels each); returns sstype. */
    private static long check(AnalysisInput input) {
        if (input.x().size() != 2) {
            throw Problem.badRequest("Anova two-way only works with two covariates (x); got "
                    + input.x().size() + " instead. " + "Use anova_oneway for a single covariate");
        }
        for (String x : input.x()) {
            Cde cde = input.dataModel().cde(x);
            if (cde == null || !cde.categorical() || cde.enumerations().size() < 2) {
                throw Problem.badRequest(
                        "The variable " + x + " has less than 2 levels and Anova cannot be performed. Please choose "
                                + "another variable.");
            }
        }
        long sstype = input.parameters().path("sstype").asLong(2);
        if (sstype != 1 && sstype != 2) {
            throw Problem.badRequest("The parameter 'sstype' of " + NAME + " must be 1 or 2, not " + sstype);
        }
        return sstype;
    }

    private static void orthogonalise(double[] v, List<double[]> basis) {
        for (double[] q : basis) {
            double projection = 0;
            for (int c = 0; c < v.length; c++) {
                projection += q[c] * v[c];
            }
            for (int c = 0; c < v.length; c++) {
                v[c] -= projection * q[c];
            }
        }
    }

    private static double norm(double[] v) {
        double sum = 0;
        for (double value : v) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }

    /** A model's rank and the weighted lack of fit of its fitted cell means. */
    private record Fit(int rank, double lackOfFit) {}

    /**
     * Weighted least squares of the cell means (centred on the grand mean) on the intercept and the
     * chosen terms, dummy-coded against each factor's first level.
     */
    private static Fit fit(
            List<GroupedMoments.Group> cells,
            List<String> levelsA,
            List<String> levelsB,
            double grandMean,
            boolean withA,
            boolean withB,
            boolean withInteraction) {
        int dummiesA = levelsA.size() - 1;
        int dummiesB = levelsB.size() - 1;
        int p = 1 + (withA ? dummiesA : 0) + (withB ? dummiesB : 0) + (withInteraction ? dummiesA * dummiesB : 0);
        int m = cells.size();
        double[][] x = new double[m][p];
        double[] response = new double[m];
        for (int c = 0; c < m; c++) {
            GroupedMoments.Group cell = cells.get(c);
            double weight = Math.sqrt(cell.n());
            int i = levelsA.indexOf(cell.levels().get(0)) - 1;
            int j = levelsB.indexOf(cell.levels().get(1)) - 1;
            int column = 0;
            x[c][column++] = weight;
            if (withA) {
                if (i >= 0) {
                    x[c][column + i] = weight;
                }
                column += dummiesA;
            }
            if (withB) {
                if (j >= 0) {
                    x[c][column + j] = weight;
                }
                column += dummiesB;
            }
            if (withInteraction && i >= 0 && j >= 0) {
                x[c][column + i * dummiesB + j] = weight;
            }
            response[c] = weight * (cell.moments(0).mean() - grandMean);
        }
        // Gram–Schmidt over the columns in order, each orthogonalised twice (enough for full working precision),
        // a column that is (almost) a combination of earlier ones being dropped, as R's lm does.
        List<double[]> basis = new ArrayList<>();
        for (int column = 0; column < p; column++) {
            double[] v = new double[m];
            for (int c = 0; c < m; c++) {
                v[c] = x[c][column];
            }
            double before = norm(v);
            if (before == 0) {
                continue;
            }
            orthogonalise(v, basis);
            orthogonalise(v, basis);
            double after = norm(v);
            if (after > RANK_TOLERANCE * before) {
                for (int c = 0; c < m; c++) {
                    v[c] /= after;
                }
                basis.add(v);
            }
        }
        // The residual itself, y - Q Qᵀ y, rather than |y|² - |Qᵀ y|², which would cancel.
        double[] residual = response.clone();
        orthogonalise(residual, basis);
        orthogonalise(residual, basis);
        int rank = basis.size();
        double lackOfFit = 0;
        for (double r : residual) {
            lackOfFit += r * r;
        }
        return new Fit(rank, lackOfFit);
    }
}
