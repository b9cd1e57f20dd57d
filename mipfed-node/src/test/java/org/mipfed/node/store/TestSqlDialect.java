package org.mipfed.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mipfed.core.model.SqlType;

class TestSqlDialect {
    @Test
    void quotesOnlySafeIdentifiers() {
        assertThat(SqlDialect.DUCKDB.quote("_3rdventricle")).isEqualTo("\"_3rdventricle\"");
        assertThat(SqlDialect.POSTGRESQL.quote("d$1")).isEqualTo("\"d$1\"");
        for (String unsafe : new String[] {"a\"b", "a b", "1abc", "", "x; DROP TABLE t", "é"}) {
            assertThatThrownBy(() -> SqlDialect.DUCKDB.quote(unsafe)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void spellsTypesAndQuantiles() {
        assertThat(SqlDialect.DUCKDB.columnType(SqlType.REAL)).isEqualTo("DOUBLE");
        assertThat(SqlDialect.POSTGRESQL.columnType(SqlType.REAL)).isEqualTo("DOUBLE PRECISION");
        assertThat(SqlDialect.POSTGRESQL.columnType(SqlType.TEXT)).isEqualTo("TEXT");
        assertThat(SqlDialect.DUCKDB.columnType(SqlType.INT)).isEqualTo("BIGINT");
        assertThat(SqlDialect.DUCKDB.quantile("x", 0.25)).isEqualTo("quantile_cont(x, 0.25)");
        assertThat(SqlDialect.POSTGRESQL.quantile("x", 0.5))
                .isEqualTo("percentile_cont(0.5) WITHIN GROUP (ORDER BY x)");
        assertThat(SqlDialect.POSTGRESQL.filtered("count(*)", "a")).isEqualTo("count(*) FILTER (WHERE a)");
    }
}
