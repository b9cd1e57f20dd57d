package org.mipfed.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

class TestStatementCache {
    private static long sum(Connection connection, long below) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT sum(v) FROM t WHERE v < ?")) {
            statement.setLong(1, below);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Test
    void theSameSqlReusesOneStatementWithFreshParametersAndSurvivesChangesToTheTable() throws SQLException {
        try (DuckDbStore store = DuckDbStore.inMemory()) {
            store.withConnection(connection -> {
                try (Statement s = connection.createStatement()) {
                    s.execute("CREATE TABLE t AS SELECT range AS v FROM range(10)");
                }
                assertThat(sum(connection, 5)).isEqualTo(10);
                assertThat(sum(connection, 3)).isEqualTo(3);
                PreparedStatement first = connection.prepareStatement("SELECT 1");
                first.close();
                PreparedStatement second = connection.prepareStatement("SELECT 1");
                assertThat(second.unwrap(PreparedStatement.class)).isSameAs(first.unwrap(PreparedStatement.class));
                // The table is replaced: the kept statement is planned again by DuckDB, not answered from the old
                // table.
                try (Statement s = connection.createStatement()) {
                    s.execute("DROP TABLE t");
                    s.execute("CREATE TABLE t AS SELECT range * 2 AS v FROM range(10)");
                }
                assertThat(sum(connection, 5)).isEqualTo(0 + 2 + 4);
                assertThat(connection.unwrap(DuckDBConnection.class)).isInstanceOf(DuckDBConnection.class);
                return null;
            });
        }
    }

    @Test
    void keepsAtMostItsCapacityClosingTheLeastRecentlyUsed() throws SQLException {
        try (DuckDbStore store = DuckDbStore.inMemory()) {
            store.withConnection(connection -> {
                StatementCache cache = new StatementCache(
                        connection.unwrap(DuckDBConnection.class).duplicate(), 2);
                PreparedStatement a =
                        cache.connection().prepareStatement("SELECT 1").unwrap(PreparedStatement.class);
                cache.connection().prepareStatement("SELECT 2");
                cache.connection().prepareStatement("SELECT 1");
                PreparedStatement b =
                        cache.connection().prepareStatement("SELECT 2").unwrap(PreparedStatement.class);
                cache.connection().prepareStatement("SELECT 3");
                assertThat(a.isClosed()).isTrue();
                assertThat(b.isClosed()).isFalse();
                cache.clear();
                assertThat(b.isClosed()).isTrue();
                cache.physical().close();
                return null;
            });
        }
    }
}
