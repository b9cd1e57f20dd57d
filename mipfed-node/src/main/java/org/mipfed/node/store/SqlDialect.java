package org.mipfed.node.store;

import java.util.regex.Pattern;
import org.mipfed.core.model.SqlType;

/**
 * The one place that knows how DuckDB and PostgreSQL spell things differently. Everything else
 * writes SQL through it, so a query reads the same on both stores.
 */
public enum SqlDialect {
    DUCKDB("DOUBLE", "VARCHAR") {
        @Override
        public String quantile(String expression, double fraction) {
            return "quantile_cont(" + expression + ", " + fraction + ")";
        }

        @Override
        public String idsOf(String expression) {
            // Text, not list(): DuckDB's list aggregate cost a quarter of a small cross_products statement's CPU
            // (1.1-1.25 against 0.85-0.88 ms per statement on the demo data, the same statement with string_agg).
            return "string_agg(CAST(" + expression + " AS VARCHAR), ',')";
        }
    },
    POSTGRESQL("DOUBLE PRECISION", "TEXT") {
        @Override
        public String quantile(String expression, double fraction) {
            return "percentile_cont(" + fraction + ") WITHIN GROUP (ORDER BY " + expression + ")";
        }

        @Override
        public String idsOf(String expression) {
            return "array_agg(" + expression + ")";
        }
    };

    /**
     * Identifiers the code may quote: CDE codes (already restricted by DataModel), our own table
     * names, and helper aliases containing '$', which no CDE code can, so they never collide.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    private final String doubleType;
    private final String textType;

    SqlDialect(String doubleType, String textType) {
        this.doubleType = doubleType;
        this.textType = textType;
    }

    /**
     * Quotes an identifier. Refuses anything outside the safe shape rather than escaping it: an
     * identifier that is not a validated CDE code or our own name has no business in SQL.
     */
    public String quote(String identifier) {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("Not a safe SQL identifier: " + identifier);
        }
        return '"' + identifier + '"';
    }

    /**
     * Whether values the node itself holds (a dataset code it announced, a level its data model enumerates, a
     * bounded number it checked) go into the SQL text as literals rather than as parameters. DuckDB caches the plan
     * of a prepared statement only when it has no parameter: with one it binds, optimises and plans the statement
     * anew at every execution, which on a small selection costs three or four times the query itself. PostgreSQL
     * keeps them as parameters (its plans do not depend on it).
     */
    public boolean inlinesKnownValues() {
        return this == DUCKDB;
    }

    /**
     * A value the node holds as an SQL literal ({@link #inlinesKnownValues()}): a string in single quotes, each
     * quote doubled (DuckDB reads no other escape in a standard string), a long's digits, or a finite double (its
     * {@link Double#toString} text cast to the double type). Never for a value that
     * only the request vouches for.
     */
    public String literal(Object value) {
        if (value instanceof Long number) {
            return Long.toString(number);
        }
        if (value instanceof Double number) {
            if (!Double.isFinite(number)) {
                throw new IllegalArgumentException("A number literal must be finite, not " + number);
            }
            // through text, which DuckDB reads back to the same double (a bare decimal literal would be a DECIMAL)
            return "CAST('" + number + "' AS " + doubleType + ")";
        }
        if (value instanceof String text) {
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("A text literal cannot hold a NUL character");
            }
            return "'" + text.replace("'", "''") + "'";
        }
        throw new IllegalArgumentException("Only String, Long and Double values are written as literals, not "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    /** The column type a CDE is stored in. Integers are 64-bit so no valid file can overflow them. */
    public String columnType(SqlType type) {
        return switch (type) {
            case INT -> "BIGINT";
            case REAL -> doubleType;
            case TEXT -> textType;
        };
    }

    /**
     * Ends a subquery whose columns the query above refers to many times. PostgreSQL pulls a plain
     * subquery up into the one above, substituting its expressions into every reference, so a
     * layered query grows as the product of its layers' sizes; OFFSET 0 keeps it a layer computed
     * once a row. DuckDB computes each layer once a row as it is, and an OFFSET only slows it down.
     */
    public String fence() {
        return this == POSTGRESQL ? " OFFSET 0" : "";
    }

    public String doubleType() {
        return doubleType;
    }

    public String textType() {
        return textType;
    }

    public String toDouble(String expression) {
        return "CAST(" + expression + " AS " + doubleType + ")";
    }

    public String toText(String expression) {
        return "CAST(" + expression + " AS " + textType + ")";
    }

    /**
     * The continuous quantile with linear interpolation (as pandas' default) of a double
     * expression; {@code fraction} is always one of our own constants, never user input.
     */
    public abstract String quantile(String expression, double fraction);

    /**
     * The aggregate that gathers an integer expression's values over the rows (row ids) into one value: an array
     * (PostgreSQL, read through JDBC's {@code getArray}) or the values' digits separated by commas (DuckDB); NULL over
     * no rows. {@code RowIds.bitmap} reads either.
     */
    public abstract String idsOf(String expression);

    /** An aggregate call restricted to the rows meeting {@code condition} (null = all rows). */
    public String filtered(String aggregate, String condition) {
        return condition == null ? aggregate : aggregate + " FILTER (WHERE " + condition + ")";
    }
}
