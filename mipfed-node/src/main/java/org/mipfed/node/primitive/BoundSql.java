package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.node.store.QueryCancellation;
import org.mipfed.node.store.SqlDialect;

/**
 * SQL text with its parameters, in the order of their {@code ?}. Values from a request only ever
 * travel as parameters; the text holds nothing but our own words, quoted, validated names and, on DuckDB, values the
 * node itself holds and checked as literals ({@link Builder#known}).
 */
public record BoundSql(String sql, List<Object> parameters) {
    public BoundSql {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Prepares the statement and binds every parameter; the caller closes it. */
    public PreparedStatement prepare(Connection connection) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            // a cancelled analysis stops this statement (and one cancelled already stops here)
            QueryCancellation.watch(connection, statement);
            int index = 1;
            for (Object parameter : parameters) {
                if (parameter instanceof String text) {
                    statement.setString(index++, text);
                } else if (parameter instanceof Double number) {
                    statement.setDouble(index++, number);
                } else if (parameter instanceof Long number) {
                    statement.setLong(index++, number);
                } else {
                    throw new IllegalArgumentException(
                            "Cannot bind a " + parameter.getClass().getSimpleName());
                }
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    /** Appends SQL text and parameters together, so they cannot get out of step. */
    public static final class Builder {
        private final StringBuilder sql = new StringBuilder();
        private final List<Object> parameters = new ArrayList<>();

        public Builder sql(String text) {
            sql.append(text);
            return this;
        }

        /** Appends a {@code ?} bound to {@code value} (a String, Double or Long). */
        public Builder parameter(Object value) {
            requireNonNull(value, "value is null");
            if (!(value instanceof String || value instanceof Double || value instanceof Long)) {
                throw new IllegalArgumentException("Only String, Double and Long are bound, not "
                        + value.getClass().getSimpleName());
            }
            sql.append('?');
            parameters.add(value);
            return this;
        }

        /**
         * Appends a value the node itself holds and has checked (a dataset code it announced, a level its data model
         * enumerates, a bounded number, a binomial start equal to the one the node computes itself from the link,
         * {@link StartingMeans}): a literal where {@code dialect} {@linkplain SqlDialect#inlinesKnownValues()
         * inlines such values} (so that DuckDB reuses the statement's plan), a {@code ?} bound to it elsewhere. Never
         * for a value only the request vouches for (a filter's value, a coefficient): those are always parameters.
         */
        public Builder known(SqlDialect dialect, Object value) {
            requireNonNull(value, "value is null");
            if (dialect.inlinesKnownValues()) {
                sql.append(dialect.literal(value));
                return this;
            }
            return parameter(value);
        }

        public Builder append(BoundSql fragment) {
            sql.append(fragment.sql());
            parameters.addAll(fragment.parameters());
            return this;
        }

        public BoundSql build() {
            return new BoundSql(sql.toString(), parameters);
        }
    }
}
