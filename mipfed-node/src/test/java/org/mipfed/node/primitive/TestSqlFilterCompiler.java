package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.and;
import static org.mipfed.node.primitive.FilterTrees.or;
import static org.mipfed.node.primitive.FilterTrees.rule;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;

class TestSqlFilterCompiler {
    private final SqlFilterCompiler compiler = new SqlFilterCompiler(TestStore.dementia(), SqlDialect.DUCKDB);

    @Test
    void compilesEveryOperatorToBoundSql() {
        assertCompiles(rule("gender", "equal", "F"), "(\"gender\" = ?)", "F");
        assertCompiles(rule("gender", "not_equal", "F"), "(\"gender\" <> ?)", "F");
        assertCompiles(rule("subjectageyears", "less", 70), "(\"subjectageyears\" < ?)", 70.0);
        assertCompiles(rule("subjectageyears", "less_or_equal", "70"), "(\"subjectageyears\" <= ?)", 70.0);
        assertCompiles(rule("subjectageyears", "greater", 70), "(\"subjectageyears\" > ?)", 70.0);
        assertCompiles(rule("subjectageyears", "greater_or_equal", 70), "(\"subjectageyears\" >= ?)", 70.0);
        assertCompiles(rule("leftamygdala", "between", 1, 2.5), "(\"leftamygdala\" BETWEEN ? AND ?)", 1.0, 2.5);
        assertCompiles(rule("leftamygdala", "not_between", 1, 2.5), "(\"leftamygdala\" NOT BETWEEN ? AND ?)", 1.0, 2.5);
        assertCompiles(rule("agegroup", "in", "-50y", "+80y"), "(\"agegroup\" IN (?, ?))", "-50y", "+80y");
        assertCompiles(rule("agegroup", "not_in", "-50y"), "(\"agegroup\" NOT IN (?))", "-50y");
        assertCompiles(rule("minimentalstate", "is_null"), "(\"minimentalstate\" IS NULL)");
        assertCompiles(rule("minimentalstate", "is_not_null"), "(\"minimentalstate\" IS NOT NULL)");
        assertCompiles(
                or(
                        and(rule("gender", "equal", "M"), rule("subjectageyears", "less", 65)),
                        rule("gender", "equal", "F")),
                "(((\"gender\" = ?) AND (\"subjectageyears\" < ?)) OR (\"gender\" = ?))",
                "M",
                65.0,
                "F");
        assertThat(compiler.compile(null)).isNull();
        assertThat(compiler.compile(Filter.getDefaultInstance())).isNull();
    }

    @Test
    void refusesWhatItCannotCompile() {
        assertRefused(
                rule("nosuch", "is_null"),
                "unknown_variable",
                "The filter uses the variable 'nosuch', which is not in the data model dementia:0.1; filter on variables of the data model only");
        assertRefused(
                rule("gender", "between", "F"),
                "invalid_filter",
                "Invalid filter: the filter 'between' on 'gender' needs 2 values, not 1.");
        assertRefused(
                rule("gender", "is_null", "F"),
                "invalid_filter",
                "Invalid filter: the filter 'is_null' on 'gender' needs 0 values, not 1.");
        assertRefused(
                rule("gender", "in"),
                "invalid_filter",
                "Invalid filter: the filter 'in' on 'gender' needs 1 to 1000 values.");
        assertRefused(
                rule("subjectageyears", "equal", "seventy"),
                "invalid_filter",
                "Invalid filter: the filter 'equal' on the numerical "
                        + "variable 'subjectageyears' compares it with 'seventy', which is not a number.");
        assertRefused(
                rule("subjectageyears", "equal", "NaN"),
                "invalid_filter",
                "Invalid filter: the filter 'equal' on 'subjectageyears' uses a value that is not a finite number.");
        assertRefused(
                FilterTrees.group("XOR", rule("gender", "is_null")),
                "invalid_filter",
                "Invalid filter: a filter group's condition must be AND or OR, not 'XOR'.");
        assertRefused(
                Filter.newBuilder()
                        .setGroup(FilterGroup.newBuilder().setCondition("AND"))
                        .build(),
                "invalid_filter",
                "Invalid filter: a filter group has no rules.");
        Filter deep = rule("gender", "is_null");
        for (int i = 0; i < 17; i++) {
            deep = and(deep);
        }
        assertRefused(deep, "invalid_filter", "Invalid filter: the filter is nested more than 16 levels deep.");
        Filter[] many = new Filter[257];
        java.util.Arrays.fill(many, rule("gender", "is_null"));
        assertRefused(and(many), "invalid_filter", "Invalid filter: the filter has more than 256 rules.");
    }

    private void assertCompiles(Filter filter, String sql, Object... parameters) {
        BoundSql compiled = compiler.compile(filter);
        assertThat(compiled.sql()).isEqualTo(sql);
        assertThat(compiled.parameters()).isEqualTo(List.of(parameters));
    }

    private void assertRefused(Filter filter, String rule, String message) {
        assertThatThrownBy(() -> compiler.compile(filter))
                .isInstanceOf(RefusalException.class)
                .hasMessage(message)
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).isEqualTo(rule);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                });
    }
}
