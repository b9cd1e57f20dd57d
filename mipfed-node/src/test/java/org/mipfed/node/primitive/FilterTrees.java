package org.mipfed.node.primitive;

import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;

/** Builds wire filters for tests. */
final class FilterTrees {
    private FilterTrees() {}

    static Filter rule(String variable, String operator, Object... values) {
        FilterRule.Builder rule = FilterRule.newBuilder().setVariable(variable).setOperator(operator);
        for (Object value : values) {
            rule.addValues(
                    value instanceof Number n
                            ? FilterValue.newBuilder().setNumber(n.doubleValue())
                            : FilterValue.newBuilder().setText((String) value));
        }
        return Filter.newBuilder().setRule(rule).build();
    }

    static Filter and(Filter... filters) {
        return group("AND", filters);
    }

    static Filter or(Filter... filters) {
        return group("OR", filters);
    }

    static Filter group(String condition, Filter... filters) {
        FilterGroup.Builder group = FilterGroup.newBuilder().setCondition(condition);
        for (Filter filter : filters) {
            group.addRules(filter);
        }
        return Filter.newBuilder().setGroup(group).build();
    }
}
