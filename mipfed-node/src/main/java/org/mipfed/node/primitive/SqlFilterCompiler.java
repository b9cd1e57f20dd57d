package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;

/**
 * Turns a filter tree into one SQL predicate with bound values: the only place filters become SQL.
 * The node trusts no one, so it checks again what the manager checked: every variable is a CDE of
 * the data model, every operator is known, and every value has its variable's type.
 */
public final class SqlFilterCompiler {
    /** As in core's Filters: deep or huge trees are refused rather than compiled. */
    private static final int MAX_DEPTH = 16;

    private static final int MAX_RULES = 256;
    private static final int MAX_VALUES = 1000;

    private final DataModel model;
    private final SqlDialect dialect;

    public SqlFilterCompiler(DataModel model, SqlDialect dialect) {
        this.model = requireNonNull(model, "model is null");
        this.dialect = requireNonNull(dialect, "dialect is null");
    }

    /**
     * The predicate of {@code filter}, or null when there is none (null or empty).
     *
     * @throws RefusalException ({@value RefusalException#UNKNOWN_VARIABLE} or {@value RefusalException#INVALID_FILTER})
     */
    public BoundSql compile(Filter filter) {
        if (filter == null || filter.getNodeCase() == Filter.NodeCase.NODE_NOT_SET) {
            return null;
        }
        BoundSql.Builder sql = BoundSql.builder();
        node(filter, sql, 0, new int[1]);
        return sql.build();
    }

    private void node(Filter filter, BoundSql.Builder sql, int depth, int[] rules) {
        if (depth > MAX_DEPTH) {
            throw invalid("the filter is nested more than " + MAX_DEPTH + " levels deep");
        }
        switch (filter.getNodeCase()) {
            case GROUP -> group(filter.getGroup(), sql, depth, rules);
            case RULE -> {
                if (++rules[0] > MAX_RULES) {
                    throw invalid("the filter has more than " + MAX_RULES + " rules");
                }
                rule(filter.getRule(), sql);
            }
            default -> throw invalid("a filter group contains an empty filter");
        }
    }

    private void group(FilterGroup group, BoundSql.Builder sql, int depth, int[] rules) {
        String condition = group.getCondition().isEmpty() ? "AND" : group.getCondition();
        if (!condition.equals("AND") && !condition.equals("OR")) {
            throw invalid("a filter group's condition must be AND or OR, not '" + shorten(condition) + "'");
        }
        if (group.getRulesCount() == 0) {
            throw invalid("a filter group has no rules");
        }
        sql.sql("(");
        for (int i = 0; i < group.getRulesCount(); i++) {
            sql.sql(i == 0 ? "" : " " + condition + " ");
            node(group.getRules(i), sql, depth + 1, rules);
        }
        sql.sql(")");
    }

    private void rule(FilterRule rule, BoundSql.Builder sql) {
        Cde cde = model.cde(rule.getVariable());
        if (cde == null) {
            throw RefusalException.caller(
                    RefusalException.UNKNOWN_VARIABLE,
                    "The filter uses the variable '" + shorten(rule.getVariable())
                            + "', which is not in the data model " + model.id()
                            + "; filter on variables of the data model only");
        }
        String column = dialect.quote(cde.code());
        String operator = rule.getOperator();
        List<Object> values = new ArrayList<>();
        for (FilterValue value : rule.getValuesList()) {
            values.add(value(cde, operator, value));
        }
        if (cde.categorical() && List.of("equal", "not_equal", "in", "not_in").contains(operator)) {
            levels(cde, operator, values);
        }
        switch (operator) {
            case "is_null", "is_not_null" -> {
                arity(cde, operator, values, 0);
                sql.sql("(" + column + (operator.equals("is_null") ? " IS NULL)" : " IS NOT NULL)"));
            }
            case "equal", "not_equal", "less", "less_or_equal", "greater", "greater_or_equal" -> {
                arity(cde, operator, values, 1);
                sql.sql("(" + column + " " + comparison(operator) + " ")
                        .parameter(values.get(0))
                        .sql(")");
            }
            case "between", "not_between" -> {
                arity(cde, operator, values, 2);
                sql.sql("(" + column + (operator.equals("between") ? " BETWEEN " : " NOT BETWEEN "))
                        .parameter(values.get(0))
                        .sql(" AND ")
                        .parameter(values.get(1))
                        .sql(")");
            }
            case "in", "not_in" -> {
                if (values.isEmpty() || values.size() > MAX_VALUES) {
                    throw invalid("the filter '" + operator + "' on '" + cde.code() + "' needs 1 to " + MAX_VALUES
                            + " values");
                }
                sql.sql("(" + column + (operator.equals("in") ? " IN (" : " NOT IN ("));
                for (int i = 0; i < values.size(); i++) {
                    sql.sql(i == 0 ? "" : ", ").parameter(values.get(i));
                }
                sql.sql("))");
            }
            default ->
                throw invalid("the filter on '" + cde.code() + "' has the unknown operator '" + shorten(operator)
                        + "'; use equal, not_equal, less, less_or_equal, greater, greater_or_equal, between, not_between, in, not_in, "
                        + "is_null or is_not_null");
        }
    }

    private static String comparison(String operator) {
        return switch (operator) {
            case "equal" -> "=";
            case "not_equal" -> "<>";
            case "less" -> "<";
            case "less_or_equal" -> "<=";
            case "greater" -> ">";
            default -> ">=";
        };
    }

    private static void arity(Cde cde, String operator, List<Object> values, int expected) {
        if (values.size() != expected) {
            throw invalid("the filter '" + operator + "' on '" + cde.code() + "' needs " + expected + " value"
                    + (expected == 1 ? "" : "s") + ", not " + values.size());
        }
    }

    /**
     * Refuses a value that is not a level of a nominal variable: no row can hold it (the importer
     * refuses such values), so the request is a mistake or a probe.
     */
    private static void levels(Cde cde, String operator, List<Object> values) {
        for (Object value : values) {
            String level = value instanceof Double number && number == Math.rint(number) && Math.abs(number) < 1e15
                    ? Long.toString(number.longValue())
                    : value.toString();
            if (!cde.enumerations().containsKey(level)) {
                throw RefusalException.caller(
                        RefusalException.UNKNOWN_LEVEL,
                        "Invalid filter: the filter '" + operator + "' on '"
                                + cde.code() + "' uses '" + shorten(level) + "', which is not one of its levels ("
                                + shorten(String.join(", ", cde.enumerations().keySet())) + ").");
            }
        }
    }

    /** A value of the variable's type: text for text variables, a finite number for int and real ones. */
    private static Object value(Cde cde, String operator, FilterValue value) {
        if (cde.sqlType() == SqlType.TEXT) {
            if (!value.hasText()) {
                throw invalid(
                        "the filter '" + operator + "' on the text variable '" + cde.code() + "' needs text values");
            }
            return value.getText();
        }
        double number;
        if (value.hasNumber()) {
            number = value.getNumber();
        } else if (value.hasText()) {
            try {
                number = Double.parseDouble(value.getText().trim());
            } catch (NumberFormatException e) {
                throw invalid("the filter '" + operator + "' on the numerical variable '" + cde.code()
                        + "' compares it with '" + shorten(value.getText()) + "', which is not a number");
            }
        } else {
            throw invalid("the filter '" + operator + "' on '" + cde.code() + "' has an empty value");
        }
        if (!Double.isFinite(number)) {
            throw invalid(
                    "the filter '" + operator + "' on '" + cde.code() + "' uses a value that is not a finite number");
        }
        return number;
    }

    private static RefusalException invalid(String problem) {
        return RefusalException.caller(RefusalException.INVALID_FILTER, "Invalid filter: " + problem + ".");
    }

    static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
