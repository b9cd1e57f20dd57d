package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import org.roaringbitmap.RoaringBitmap;

/**
 * The rows behind some figures of one answer, and the variable those figures describe: a mean of x
 * over them, the counts of x's levels or bins over them, one count (a histogram's cell). Two such sets
 * of the same variable that differ by a few rows give those few rows' figures by subtraction, whichever
 * primitive or answer released them; {@link PrivacyGuard#checkFigureRows} keeps that from happening.
 *
 * @param variable the variable whose values the figures describe (a row set of several is given once per variable)
 * @param rows the {@code _row_id}s behind the figures
 * @param cell whether the only figure over the rows is their count (a cell of a histogram): then two sets may differ
 *     by as few rows as the minimum cell count, the smallest count the node releases at all; otherwise (sums, means,
 *     level counts, model terms) by no fewer than the minimum of rows
 */
public record FigureRows(String variable, RoaringBitmap rows, boolean cell) {
    public FigureRows {
        requireNonNull(variable, "variable is null");
        requireNonNull(rows, "rows is null");
    }

    /** Rows behind sums, means or level counts of {@code variable}. */
    public static FigureRows values(String variable, RoaringBitmap rows) {
        return new FigureRows(variable, rows, false);
    }

    /** Rows behind one released count of {@code variable} (a histogram cell). */
    public static FigureRows cell(String variable, RoaringBitmap rows) {
        return new FigureRows(variable, rows, true);
    }

    long size() {
        return rows.getLongCardinality();
    }
}
