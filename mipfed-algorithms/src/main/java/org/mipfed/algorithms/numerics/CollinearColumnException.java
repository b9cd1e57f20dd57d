package org.mipfed.algorithms.numerics;

/**
 * A design whose columns are (numerically) linearly dependent: {@code column} is constant, or a
 * linear combination of the intercept and the columns before it.
 */
public class CollinearColumnException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int column;
    private final boolean constant;

    public CollinearColumnException(int column, boolean constant) {
        super(
                constant
                        ? "column " + column + " is constant"
                        : "column " + column + " is a linear combination of the intercept and the columns before it");
        this.column = column;
        this.constant = constant;
    }

    /** The index of the offending column (0 = the first regressor after the intercept). */
    public int column() {
        return column;
    }

    /** True when the column has the same value in every row. */
    public boolean constant() {
        return constant;
    }
}
