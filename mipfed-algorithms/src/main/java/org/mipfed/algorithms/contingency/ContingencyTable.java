package org.mipfed.algorithms.contingency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.special.Gamma;
import org.mipfed.algorithms.contingency.ContingencyTableResult.ChiSquaredTest;
import org.mipfed.algorithms.contingency.ContingencyTableResult.FisherTest;
import org.mipfed.algorithms.contingency.ContingencyTableResult.Test;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.request.Filters;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;

/**
 * {@code contingency_table} (ours, beyond Exareme2): the pooled cross table of two nominal variables and its tests of
 * independence, as R's {@code table(y, x)}, {@code chisq.test}, the likelihood-ratio G test and {@code fisher.test}.
 *
 * <p>The nodes compute {@code cross_products} over the 0/1 indicators of every level of both variables: the mean of an
 * indicator times n is its level's count, and the co-moment of two indicators plus n times the product of their means
 * is the count of rows at both levels, so the pooled cross-products hold the pooled table exactly. That primitive's
 * guard already refuses an answer in which any of these cells, or a margin, is between 1 and the node's minimum cell
 * count ({@code min_cell_count}), and it is a sum over rows, so under {@code flags.smpc} only the pooled table leaves
 * the nodes.
 */
public final class ContingencyTable extends SpecifiedAlgorithm {
    public static final String NAME = "contingency_table";
    /** chisq.test's warning below this expected count. */
    private static final double SMALL_EXPECTED = 5;

    public ContingencyTable() {
        super(NAME);
    }

    @Override
    public ContingencyTableResult run(AnalysisInput input, FederationContext federation) {
        Cde row = nominal(input, input.y(), "y", "row");
        if (input.x().isEmpty() || input.x().size() > 2) {
            throw Problem.badRequest(NAME + " takes one column variable (x) and, for a stratified table, a stratum "
                    + "variable as a second x; not " + input.x().size() + " variables");
        }
        Cde col = nominal(input, input.x().subList(0, 1), "x", "column");
        Cde stratum = input.x().size() == 2 ? nominal(input, input.x().subList(1, 2), "x", "stratum") : null;
        if (row.code().equals(col.code())) {
            throw Problem.badRequest(NAME + " crosses two different variables; '" + row.code() + "' is both y and x");
        }
        if (stratum != null
                && (stratum.code().equals(row.code()) || stratum.code().equals(col.code()))) {
            throw Problem.badRequest(NAME + " stratifies by a third variable; '" + stratum.code()
                    + "' is already the row or column variable");
        }
        boolean correct = input.parameters().path("correct").asBoolean(true);
        PAdjust adjust = PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText(""));
        List<String> rowLevels = levels(row, input);
        List<String> colLevels = levels(col, input);
        if (stratum == null) {
            long[][] table = pool(federation, row, rowLevels, col, colLevels, null);
            return result(row, rowLevels, col, colLevels, table, correct, input.filter() != null, false);
        }
        return StratifiedTables.of(
                row,
                rowLevels,
                col,
                colLevels,
                stratum,
                levels(stratum, input),
                level -> pool(federation, row, rowLevels, col, colLevels, Filters.level(stratum.code(), level)),
                correct,
                adjust,
                input.filter() != null);
    }

    static Cde nominal(AnalysisInput input, List<String> names, String role, String what) {
        if (names.size() != 1) {
            throw Problem.badRequest(
                    NAME + " takes exactly one " + what + " variable (" + role + "), not " + names.size());
        }
        DataModel model = input.dataModel();
        Cde cde = model.cde(names.get(0));
        if (cde == null || !cde.categorical()) {
            throw Problem.badRequest("The " + what + " variable '" + names.get(0) + "' "
                    + (cde == null ? "is not in the data model " + model.id() : "is not nominal") + "; " + NAME
                    + " crosses two nominal variables");
        }
        return cde;
    }

    /** The levels asked for: the data model's, or for the dataset variable the requested datasets. */
    static List<String> levels(Cde cde, AnalysisInput input) {
        List<String> levels = new ArrayList<>(cde.enumerations().keySet());
        if (cde.code().equals("dataset")) {
            levels.retainAll(input.datasets());
        }
        return levels;
    }

    /** The pooled counts, per level of the row variable and of the column variable, from the indicators' cross-products. */
    private static long[][] pool(
            FederationContext federation,
            Cde row,
            List<String> rowLevels,
            Cde col,
            List<String> colLevels,
            Filter stratum) {
        List<DesignColumn> columns = new ArrayList<>();
        rowLevels.forEach(l -> columns.add(indicator(row, l)));
        colLevels.forEach(l -> columns.add(indicator(col, l)));
        CrossProducts pooled = PooledCrossProducts.compute(federation, columns, List.of(), stratum);
        long n = pooled.n();
        int r = rowLevels.size();
        long[][] table = new long[r][colLevels.size()];
        long sum = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < colLevels.size(); j++) {
                int k = r + j;
                table[i][j] = Math.round(pooled.comoment(i, k) + n * pooled.mean(i) * pooled.mean(k));
                sum += table[i][j];
            }
        }
        if (sum != n) {
            throw new Problem(
                    ProblemType.INCONSISTENT_NODE_ANSWER,
                    "The nodes' cross-products of the level indicators of '" + row.code() + "' and '" + col.code()
                            + "' count " + sum + " cells for " + n + " rows");
        }
        return table;
    }

    private static DesignColumn indicator(Cde cde, String level) {
        return DesignColumn.newBuilder().setVariable(cde.code()).setLevel(level).build();
    }

    /**
     * The table's result; with {@code lenient} (a stratum of a stratified table) a table with a single level of either
     * variable is answered with its counts and no tests, rather than refused.
     */
    static ContingencyTableResult result(
            Cde row,
            List<String> rowLevels,
            Cde col,
            List<String> colLevels,
            long[][] full,
            boolean correct,
            boolean filtered,
            boolean lenient) {
        // R's table() of the rows: levels with no row are left out.
        List<Integer> rows = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        long n = 0;
        for (int i = 0; i < full.length; i++) {
            long total = 0;
            for (long cell : full[i]) {
                total += cell;
            }
            n += total;
            if (total > 0) {
                rows.add(i);
            }
        }
        for (int j = 0; j < colLevels.size(); j++) {
            long total = 0;
            for (long[] line : full) {
                total += line[j];
            }
            if (total > 0) {
                cols.add(j);
            }
        }
        if (n == 0) {
            throw Problem.badRequest("No row of the selected datasets has a value for both '" + row.code() + "' and '"
                    + col.code() + "'" + (filtered ? " (after the filters)" : "")
                    + "; choose other variables or datasets");
        }
        boolean testable = rows.size() >= 2 && cols.size() >= 2;
        if (!lenient) {
            checkTwoLevels(row, rows);
            checkTwoLevels(col, cols);
        }
        int r = rows.size();
        int c = cols.size();
        long[][] table = new long[r][c];
        long[] rowTotals = new long[r];
        long[] colTotals = new long[c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                table[i][j] = full[rows.get(i)][cols.get(j)];
                rowTotals[i] += table[i][j];
                colTotals[j] += table[i][j];
            }
        }
        double[][] expected = new double[r][c];
        boolean small = false;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected[i][j] = (double) rowTotals[i] * colTotals[j] / n;
                small |= expected[i][j] < SMALL_EXPECTED;
            }
        }
        int df = (r - 1) * (c - 1);
        boolean yates = correct && r == 2 && c == 2;
        double chi = testable ? chiSquared(table, expected, yates) : Double.NaN;
        double plain = yates ? chiSquared(table, expected, false) : chi;
        double g = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                if (table[i][j] > 0) {
                    g += table[i][j] * Math.log(table[i][j] / expected[i][j]);
                }
            }
        }
        g = testable ? 2 * g : Double.NaN;
        double fisher = testable ? FisherExact.pValue(table) : Double.NaN;
        FisherTest fisherTest = new FisherTest(
                fisher,
                !testable
                        ? "Not computed: a variable has a single level in these rows"
                        : Double.isNaN(fisher)
                                ? "Not computed: the tables with these margins are more than " + FisherExact.MAX_TABLES
                                        + " to enumerate; the chi-squared and G tests hold at this size"
                                : null);
        List<String> warnings = new ArrayList<>();
        if (!testable) {
            warnings.add("'" + (rows.size() < 2 ? row.code() : col.code()) + "' has a single level in these rows: no"
                    + " test of independence");
        } else if (small) {
            warnings.add("Some expected counts are below " + (int) SMALL_EXPECTED
                    + ": the chi-squared approximation may be incorrect (R's chisq.test warns likewise); prefer"
                    + " Fisher's exact test");
        }
        return new ContingencyTableResult(
                row.code(),
                col.code(),
                rows.stream().map(rowLevels::get).toList(),
                cols.stream().map(colLevels::get).toList(),
                n,
                Arrays.stream(table)
                        .map(line -> Arrays.stream(line).boxed().toList())
                        .toList(),
                Arrays.stream(expected)
                        .map(line -> Arrays.stream(line).boxed().toList())
                        .toList(),
                Arrays.stream(rowTotals).boxed().toList(),
                Arrays.stream(colTotals).boxed().toList(),
                new ChiSquaredTest(chi, df, testable ? upperTail(chi, df) : Double.NaN, yates),
                new Test(g, df, testable ? upperTail(g, df) : Double.NaN),
                fisherTest,
                Math.sqrt(plain / (n * (Math.min(r, c) - 1.0))),
                warnings,
                null,
                null,
                null,
                null);
    }

    private static void checkTwoLevels(Cde cde, List<Integer> present) {
        if (present.size() < 2) {
            throw Problem.badRequest("The variable '" + cde.code() + "' has a single level among the rows counted; "
                    + NAME + " needs at least two levels of each variable to test their independence");
        }
    }

    /** Σ (|O − E| − c)² / E, with R's c = min(0.5, |O − E|) under Yates' correction. */
    static double chiSquared(long[][] table, double[][] expected, boolean yates) {
        double correction = 0;
        if (yates) {
            correction = 0.5;
            for (int i = 0; i < table.length; i++) {
                for (int j = 0; j < table[i].length; j++) {
                    correction = Math.min(correction, Math.abs(table[i][j] - expected[i][j]));
                }
            }
        }
        double statistic = 0;
        for (int i = 0; i < table.length; i++) {
            for (int j = 0; j < table[i].length; j++) {
                double d = Math.abs(table[i][j] - expected[i][j]) - correction;
                statistic += d * d / expected[i][j];
            }
        }
        return statistic;
    }

    /** P(χ²(df) ≥ x). */
    static double upperTail(double x, int df) {
        return x <= 0 ? 1 : Gamma.regularizedGammaQ(df / 2.0, x / 2.0);
    }
}
