package org.mipfed.algorithms;

import java.util.List;
import java.util.Map;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;

/**
 * Evaluates a filter tree on an in-memory row the way SQL would: a comparison with a missing value is
 * not true, so the row is dropped (no NOT operator exists, so two-valued logic gives the same result).
 */
final class RowFilter {
    private RowFilter() {}

    static boolean matches(Filter filter, Map<String, Object> row) {
        if (filter == null || filter.getNodeCase() == Filter.NodeCase.NODE_NOT_SET) {
            return true;
        }
        if (filter.hasRule()) {
            return matches(filter.getRule(), row);
        }
        boolean and = !"OR".equals(filter.getGroup().getCondition());
        for (Filter child : filter.getGroup().getRulesList()) {
            boolean m = matches(child, row);
            if (and && !m) {
                return false;
            }
            if (!and && m) {
                return true;
            }
        }
        return and;
    }

    private static boolean matches(FilterRule rule, Map<String, Object> row) {
        Object value = row.get(rule.getVariable());
        List<FilterValue> values = rule.getValuesList();
        switch (rule.getOperator()) {
            case "is_null":
                return value == null;
            case "is_not_null":
                return value != null;
            default:
                if (value == null) {
                    return false;
                }
        }
        return switch (rule.getOperator()) {
            case "equal" -> compare(value, values.get(0)) == 0;
            case "not_equal" -> compare(value, values.get(0)) != 0;
            case "less" -> compare(value, values.get(0)) < 0;
            case "less_or_equal" -> compare(value, values.get(0)) <= 0;
            case "greater" -> compare(value, values.get(0)) > 0;
            case "greater_or_equal" -> compare(value, values.get(0)) >= 0;
            case "between" -> compare(value, values.get(0)) >= 0 && compare(value, values.get(1)) <= 0;
            case "not_between" -> compare(value, values.get(0)) < 0 || compare(value, values.get(1)) > 0;
            case "in" -> values.stream().anyMatch(v -> compare(value, v) == 0);
            case "not_in" -> values.stream().noneMatch(v -> compare(value, v) == 0);
            default -> throw new IllegalArgumentException("unknown operator " + rule.getOperator());
        };
    }

    private static int compare(Object value, FilterValue filterValue) {
        if (value instanceof Double number) {
            double other =
                    filterValue.hasNumber() ? filterValue.getNumber() : Double.parseDouble(filterValue.getText());
            return Double.compare(number, other);
        }
        String other = filterValue.hasText() ? filterValue.getText() : String.valueOf(filterValue.getNumber());
        return value.toString().compareTo(other);
    }
}
