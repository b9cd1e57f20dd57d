package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DuckDbStore;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.FoldRestriction;

/**
 * Values the node holds itself (its dataset codes, its data model's levels) are literals on DuckDB, whose prepared
 * statements reuse their plan only without parameters, and parameters on PostgreSQL; a quote in them stays text.
 */
class TestKnownValues {
    @Test
    void duckDbWritesKnownValuesAsLiteralsWithTheirQuotesDoubled() {
        BoundSql sql = BoundSql.builder()
                .sql("SELECT ")
                .known(SqlDialect.DUCKDB, "it's'); DROP TABLE x; --")
                .sql(", ")
                .known(SqlDialect.DUCKDB, 42L)
                .build();
        assertThat(sql.parameters()).isEmpty();
        assertThat(sql.sql()).isEqualTo("SELECT 'it''s''); DROP TABLE x; --', 42");
        try (DuckDbStore store = DuckDbStore.inMemory()) {
            store.withConnection(connection -> {
                try (PreparedStatement statement = sql.prepare(connection);
                        ResultSet row = statement.executeQuery()) {
                    row.next();
                    assertThat(row.getString(1)).isEqualTo("it's'); DROP TABLE x; --");
                    assertThat(row.getLong(2)).isEqualTo(42);
                }
                return null;
            });
        }
    }

    @Test
    void postgresqlKeepsThemAsParameters() {
        BoundSql sql = BoundSql.builder()
                .sql("SELECT ")
                .known(SqlDialect.POSTGRESQL, "F")
                .sql(", ")
                .known(SqlDialect.POSTGRESQL, 3L)
                .build();
        assertThat(sql.sql()).isEqualTo("SELECT ?, ?");
        assertThat(sql.parameters()).isEqualTo(List.of("F", 3L));
    }

    @Test
    void aSelectionOfDatasetsAndAFoldHasNoParameterOnDuckDbAndKeepsThemOnPostgresql() {
        FoldRestriction fold = FoldRestriction.newBuilder()
                .setNSplits(5)
                .setFold(2)
                .setTest(true)
                .build();
        PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);
        QueryScope duck = QueryScope.of(
                TestStore.dementia(), SqlDialect.DUCKDB, "\"data\"", List.of("edsd", "ppmi"), null, null, guard, fold);
        assertThat(duck.where().parameters()).isEmpty();
        assertThat(duck.where().sql()).contains("IN ('edsd', 'ppmi')").contains("% 5) = 2");
        QueryScope postgres = QueryScope.of(
                TestStore.dementia(),
                SqlDialect.POSTGRESQL,
                "\"data\"",
                List.of("edsd", "ppmi"),
                null,
                null,
                guard,
                fold);
        assertThat(postgres.where().parameters()).isEqualTo(List.of("edsd", "ppmi", 5L, 2L));
    }

    @Test
    void onlyTextWholeNumbersAndFiniteDoublesAreWrittenAsLiterals() {
        // a double the node computes itself (a binomial start, StartingMeans) goes through its exact text
        assertThat(SqlDialect.DUCKDB.literal(-1.0986122886681098)).isEqualTo("CAST('-1.0986122886681098' AS DOUBLE)");
        assertThatThrownBy(() -> BoundSql.builder().known(SqlDialect.DUCKDB, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> BoundSql.builder().known(SqlDialect.DUCKDB, 1.5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Float");
        assertThatThrownBy(() -> BoundSql.builder().known(SqlDialect.DUCKDB, "a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }
}
