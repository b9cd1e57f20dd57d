package org.mipfed.algorithms.contingency;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.mipfed.algorithms.contingency.ContingencyTableResult.AdjustedPValues;
import org.mipfed.algorithms.contingency.ContingencyTableResult.MantelHaenszel;
import org.mipfed.algorithms.contingency.ContingencyTableResult.Stratum;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.core.model.Cde;
import org.mipfed.core.problem.Problem;

/**
 * A stratified {@code contingency_table}: the 2-way table of the row and column variables per level of a third, nominal
 * variable, as R's {@code table(y, x, z)}, with each stratum's tests, the table of all strata together and the
 * Cochran–Mantel–Haenszel test ({@code mantelhaen.test}). Each stratum's table comes from the nodes as a 2-way table
 * does, over the rows at that level (the request's filter and the stratum's level, both applied by the node), so each
 * stratum's cells and margins pass the node's {@code min_cell_count} on their own.
 */
final class StratifiedTables {
    /** The standard normal, never sampled. */
    private static final NormalDistribution NORMAL =
            new NormalDistribution(null, 0, 1, NormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);

    private StratifiedTables() {}

    /**
     * @param pool the pooled table (per row level, the count of each column level) of the rows at a stratum's level
     */
    static ContingencyTableResult of(
            Cde row,
            List<String> rowLevels,
            Cde col,
            List<String> colLevels,
            Cde stratum,
            List<String> stratumLevels,
            Function<String, long[][]> pool,
            boolean correct,
            PAdjust adjust,
            boolean filtered) {
        int r = rowLevels.size();
        int c = colLevels.size();
        long[][] total = new long[r][c];
        List<String> present = new ArrayList<>();
        List<long[][]> tables = new ArrayList<>();
        for (String level : stratumLevels) {
            long[][] table = pool.apply(level);
            long n = 0;
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    n += table[i][j];
                    total[i][j] += table[i][j];
                }
            }
            if (n > 0) {
                present.add(level);
                tables.add(table);
            }
        }
        if (present.isEmpty()) {
            throw Problem.badRequest("No row of the selected datasets has a value for each of '" + row.code() + "', '"
                    + col.code() + "' and '" + stratum.code() + "'" + (filtered ? " (after the filters)" : "")
                    + "; choose other variables or datasets");
        }
        if (present.size() == 1) {
            throw Problem.badRequest("The stratum variable '" + stratum.code() + "' has a single level among the rows"
                    + " counted; a stratified table needs at least two strata (or leave the stratum out)");
        }
        ContingencyTableResult overall =
                ContingencyTable.result(row, rowLevels, col, colLevels, total, correct, filtered, false);
        List<ContingencyTableResult> results = new ArrayList<>();
        for (long[][] table : tables) {
            results.add(ContingencyTable.result(row, rowLevels, col, colLevels, table, correct, filtered, true));
        }
        List<AdjustedPValues> adjusted = adjusted(results, adjust);
        List<Stratum> strata = new ArrayList<>();
        for (int k = 0; k < results.size(); k++) {
            strata.add(new Stratum(present.get(k), results.get(k), adjusted == null ? null : adjusted.get(k)));
        }
        // R's table(y, x, z): the levels of y and x present in any stratum.
        int[] rows = overall.rowLevels().stream().mapToInt(rowLevels::indexOf).toArray();
        int[] cols = overall.colLevels().stream().mapToInt(colLevels::indexOf).toArray();
        long[][][] x = new long[rows.length][cols.length][tables.size()];
        boolean large = true;
        for (int k = 0; k < tables.size(); k++) {
            long n = 0;
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < cols.length; j++) {
                    x[i][j][k] = tables.get(k)[rows[i]][cols[j]];
                    n += x[i][j][k];
                }
            }
            large &= n > 1;
        }
        List<String> notes = new ArrayList<>();
        MantelHaenszel test = null;
        if (!large) {
            notes.add("Cochran-Mantel-Haenszel test not computed: a stratum has a single row (R's mantelhaen.test needs"
                    + " more than one per stratum)");
        } else if (rows.length == 2 && cols.length == 2) {
            test = twoByTwo(x, correct);
        } else {
            test = generalized(x);
            if (test == null) {
                notes.add("Cochran-Mantel-Haenszel test not computed: the strata's covariance matrix is singular");
            }
        }
        return overall.stratified(stratum.code(), strata, test, adjust == null ? null : adjust.rName(), notes);
    }

    /** Each test's p-values adjusted over the strata, or null without {@code adjust}. */
    private static List<AdjustedPValues> adjusted(List<ContingencyTableResult> results, PAdjust adjust) {
        if (adjust == null) {
            return null;
        }
        double[] chi =
                results.stream().mapToDouble(t -> t.chiSquared().pValue()).toArray();
        double[] g =
                results.stream().mapToDouble(t -> t.likelihoodRatio().pValue()).toArray();
        double[] fisher =
                results.stream().mapToDouble(t -> t.fisherExact().pValue()).toArray();
        double[] chiAdjusted = adjust.adjust(chi);
        double[] gAdjusted = adjust.adjust(g);
        double[] fisherAdjusted = adjust.adjust(fisher);
        List<AdjustedPValues> out = new ArrayList<>();
        for (int k = 0; k < results.size(); k++) {
            out.add(new AdjustedPValues(chiAdjusted[k], gAdjusted[k], fisherAdjusted[k]));
        }
        return out;
    }

    /** R's mantelhaen.test for a 2 × 2 × K table (exact = FALSE), two-sided, with the 95 % interval of the odds ratio. */
    static MantelHaenszel twoByTwo(long[][][] x, boolean correct) {
        int strata = x[0][0].length;
        double s = 0;
        double expected = 0;
        double variance = 0;
        double diagonal = 0;
        double offDiagonal = 0;
        double[] a = new double[strata];
        double[] b = new double[strata];
        double[] c = new double[strata];
        double[] d = new double[strata];
        double[] t = new double[strata];
        for (int k = 0; k < strata; k++) {
            a[k] = x[0][0][k];
            b[k] = x[0][1][k];
            c[k] = x[1][0][k];
            d[k] = x[1][1][k];
            t[k] = a[k] + b[k] + c[k] + d[k];
            double m = a[k] + b[k];
            double n = a[k] + c[k];
            s += a[k];
            expected += m * n / t[k];
            variance += m * n * (t[k] - m) * (t[k] - n) / (t[k] * t[k] * (t[k] - 1));
            diagonal += a[k] * d[k] / t[k];
            offDiagonal += b[k] * c[k] / t[k];
        }
        double delta = s - expected;
        double yates = correct && Math.abs(delta) >= 0.5 ? 0.5 : 0;
        double statistic = Math.pow(Math.abs(delta) - yates, 2) / variance;
        double estimate = diagonal / offDiagonal;
        double first = 0;
        double second = 0;
        double third = 0;
        for (int k = 0; k < strata; k++) {
            double tt = t[k] * t[k];
            first += (a[k] + d[k]) * a[k] * d[k] / tt;
            second += ((a[k] + d[k]) * b[k] * c[k] + (b[k] + c[k]) * a[k] * d[k]) / tt;
            third += (b[k] + c[k]) * b[k] * c[k] / tt;
        }
        double sd = Math.sqrt(first / (2 * diagonal * diagonal)
                + second / (2 * diagonal * offDiagonal)
                + third / (2 * offDiagonal * offDiagonal));
        double z = NORMAL.inverseCumulativeProbability(0.975);
        return new MantelHaenszel(
                statistic,
                1,
                ContingencyTable.upperTail(statistic, 1),
                yates > 0,
                estimate,
                List.of(estimate * Math.exp(-z * sd), estimate * Math.exp(z * sd)));
    }

    /** R's generalized Cochran–Mantel–Haenszel statistic for an I × J × K table; null when V is singular. */
    static MantelHaenszel generalized(long[][][] x) {
        int rows = x.length;
        int cols = x[0].length;
        int strata = x[0][0].length;
        int df = (rows - 1) * (cols - 1);
        double[] n = new double[df];
        double[][] v = new double[df][df];
        for (int k = 0; k < strata; k++) {
            double total = 0;
            double[] rowSums = new double[rows];
            double[] colSums = new double[cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    rowSums[i] += x[i][j][k];
                    colSums[j] += x[i][j][k];
                    total += x[i][j][k];
                }
            }
            // R's c(f[-I, -J]) and outer(rowsums, colsums): column-major, index i + (I - 1) j
            for (int j = 0; j < cols - 1; j++) {
                for (int i = 0; i < rows - 1; i++) {
                    n[i + (rows - 1) * j] += x[i][j][k] - rowSums[i] * colSums[j] / total;
                }
            }
            double scale = total * total * (total - 1);
            // kronecker(diag(ntot colsums) - colsums colsumsᵀ, diag(ntot rowsums) - rowsums rowsumsᵀ)
            for (int ja = 0; ja < cols - 1; ja++) {
                for (int jb = 0; jb < cols - 1; jb++) {
                    double outer = (ja == jb ? total * colSums[ja] : 0) - colSums[ja] * colSums[jb];
                    for (int ia = 0; ia < rows - 1; ia++) {
                        for (int ib = 0; ib < rows - 1; ib++) {
                            double inner = (ia == ib ? total * rowSums[ia] : 0) - rowSums[ia] * rowSums[ib];
                            v[ia + (rows - 1) * ja][ib + (rows - 1) * jb] += outer * inner / scale;
                        }
                    }
                }
            }
        }
        RealVector deviations = new ArrayRealVector(n);
        RealVector solved;
        try {
            solved =
                    new QRDecomposition(new Array2DRowRealMatrix(v)).getSolver().solve(deviations);
        } catch (SingularMatrixException e) {
            return null;
        }
        double statistic = deviations.dotProduct(solved);
        return new MantelHaenszel(statistic, df, ContingencyTable.upperTail(statistic, df), false, null, null);
    }
}
