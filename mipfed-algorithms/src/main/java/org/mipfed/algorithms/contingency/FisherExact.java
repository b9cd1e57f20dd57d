package org.mipfed.algorithms.contingency;

import org.apache.commons.math3.special.Gamma;

/**
 * Fisher's exact test of independence in an r × c table, two-sided as R's {@code fisher.test}: the probability,
 * under the multivariate hypergeometric distribution of the tables with the observed margins, of the tables no more
 * probable than the observed one (with R's relative tolerance of 1e-7). The tables are enumerated, so the test is
 * computed only while their number stays under {@link #MAX_TABLES}; a 2 × 2 table always qualifies (its tables are
 * one per value of a cell).
 */
final class FisherExact {
    /** The most tables enumerated before giving up: a few seconds of work on the manager. */
    static final long MAX_TABLES = 20_000_000L;

    /** R's {@code relErr}: tables within this relative distance of the observed probability count as no more probable. */
    private static final double RELATIVE_ERROR = 1 + 1e-7;

    private final long[][] observed;
    private final long[] rowTotals;
    private final long[] colTotals;
    private final double[] logFactorial;
    private double threshold;
    private double constant;
    private double pValue;
    private long tables;

    private FisherExact(long[][] observed) {
        this.observed = observed;
        int r = observed.length;
        int c = observed[0].length;
        rowTotals = new long[r];
        colTotals = new long[c];
        long n = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                rowTotals[i] += observed[i][j];
                colTotals[j] += observed[i][j];
                n += observed[i][j];
            }
        }
        logFactorial = new double[Math.toIntExact(n) + 1];
        for (int k = 1; k <= n; k++) {
            logFactorial[k] = Gamma.logGamma(k + 1.0);
        }
    }

    /**
     * The two-sided p-value of {@code table} (rows of counts, every row and column with some count), or NaN when its
     * tables are more than {@link #MAX_TABLES}.
     */
    static double pValue(long[][] table) {
        FisherExact test = new FisherExact(table);
        return test.run();
    }

    private double run() {
        long n = 0;
        constant = 0;
        for (long total : rowTotals) {
            constant += logFactorial[(int) total];
            n += total;
        }
        for (long total : colTotals) {
            constant += logFactorial[(int) total];
        }
        constant -= logFactorial[(int) n];
        double observedLog = constant;
        for (long[] row : observed) {
            for (long cell : row) {
                observedLog -= logFactorial[(int) cell];
            }
        }
        threshold = observedLog + Math.log(RELATIVE_ERROR);
        pValue = 0;
        tables = 0;
        boolean complete = column(0, rowTotals.clone(), 0);
        return complete ? Math.min(1, pValue) : Double.NaN;
    }

    /**
     * Fills column {@code j} onwards given each row's {@code left} count; {@code partial} is the sum of the log
     * factorials of the cells filled so far. Returns false once too many tables were visited.
     */
    private boolean column(int j, long[] left, double partial) {
        if (j == colTotals.length - 1) {
            double log = partial;
            for (long cell : left) {
                log += logFactorial[(int) cell];
            }
            double logP = constant - log;
            if (logP <= threshold) {
                pValue += Math.exp(logP);
            }
            return ++tables <= MAX_TABLES;
        }
        return cell(j, 0, colTotals[j], left, partial);
    }

    /** Places the column's {@code remaining} count over rows {@code i} onwards. */
    private boolean cell(int j, int i, long remaining, long[] left, double partial) {
        int r = left.length;
        if (i == r - 1) {
            if (remaining > left[i]) {
                return true;
            }
            left[i] -= remaining;
            boolean go = column(j + 1, left, partial + logFactorial[(int) remaining]);
            left[i] += remaining;
            return go;
        }
        // What the rows after i can still take bounds this cell from below.
        long below = 0;
        for (int k = i + 1; k < r; k++) {
            below += left[k];
        }
        long from = Math.max(0, remaining - below);
        long to = Math.min(remaining, left[i]);
        for (long v = from; v <= to; v++) {
            left[i] -= v;
            boolean go = cell(j, i + 1, remaining - v, left, partial + logFactorial[(int) v]);
            left[i] += v;
            if (!go) {
                return false;
            }
        }
        return true;
    }
}
