package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.WeakHashMap;
import org.mipfed.node.store.SqlDialect;

/**
 * The coefficients of a {@code glm_step} round on DuckDB (or a binomial start's two linear predictors, at y = 1 and
 * y = 0), in a temporary table of the connection ({@code "coef$"},
 * one row holding them as a list), which the step's statement joins instead of binding them as parameters: DuckDB
 * reuses a prepared statement's plan only when it has no parameter, and binds, optimises and plans a statement with
 * one anew at every execution (on a small selection three or four times the cost of the query itself). So every round
 * of a fit after the first runs the same cached plan; only the coefficients' own statement, one short parameter, is
 * bound again. Each connection has its own temporary tables and serves one request at a time, so rounds on other
 * connections never see these values. The text goes through {@link Double#toString}, which DuckDB reads back to the
 * same double.
 */
final class Coefficients {
    private static final String TABLE = "\"coef$\"";

    private Coefficients() {}

    private static boolean usable(SqlDialect dialect, List<Double> beta) {
        if (dialect != SqlDialect.DUCKDB || beta.isEmpty()) {
            return false;
        }
        for (double b : beta) {
            if (!Double.isFinite(b)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Connections whose table exists: created once per connection, since creating it (even {@code IF NOT EXISTS})
     * changes the connection's temporary catalog, after which DuckDB binds again every statement that reads it.
     */
    private static final Map<Connection, Boolean> READY = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Whether {@code beta} goes through the table on this connection: on DuckDB, in auto-commit mode (a read-only
     * transaction, as for an attached source, would roll the table back), for a round that has coefficients, all
     * finite.
     */
    static boolean usable(SqlDialect dialect, Connection connection, List<Double> beta) throws SQLException {
        return usable(dialect, beta) && connection.getAutoCommit();
    }

    /** Sets the connection's coefficients to {@code beta} (creating the table the first time). */
    static void store(Connection connection, List<Double> beta) throws SQLException {
        // The physical connection: the statement cache lends a proxy of it, which equals nothing but itself.
        Connection key = connection.unwrap(Connection.class);
        if (!READY.containsKey(key)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TEMP TABLE IF NOT EXISTS " + TABLE + " (\"b\" DOUBLE[])");
                statement.execute("DELETE FROM " + TABLE);
                statement.execute("INSERT INTO " + TABLE + " VALUES (NULL)");
            }
            READY.put(key, Boolean.TRUE);
        }
        StringJoiner text = new StringJoiner(";");
        for (double b : beta) {
            text.add(Double.toString(b));
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + TABLE + " SET \"b\" = CAST(string_split(?, ';') AS DOUBLE[])")) {
            update.setString(1, text.toString());
            if (update.executeUpdate() != 1) {
                READY.remove(key);
                throw new IllegalStateException("The coefficients' table " + TABLE + " lost its row");
            }
        } catch (SQLException e) {
            // made again by the next round on this connection
            READY.remove(key);
            throw e;
        }
    }

    /** Coefficient {@code i} as a column of {@link #relation}. */
    static String column(int i) {
        return "\"k$" + i + "\"";
    }

    /** The {@code p} coefficients as one row of columns {@link #column}, to cross join with the rows. */
    static String relation(int p) {
        StringBuilder sql = new StringBuilder("(SELECT ");
        for (int i = 0; i < p; i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("\"b\"[")
                    .append(i + 1)
                    .append("] AS ")
                    .append(column(i));
        }
        return sql.append(" FROM ").append(TABLE).append(") \"k$\"").toString();
    }
}
