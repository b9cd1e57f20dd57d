package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.LevelsResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;

/**
 * {@code levels}: which levels of nominal variables occur among the rows complete in a set of
 * variables, so the manager can build the same dummy coding on every node. Counts the rows in the
 * same pass and refuses before reading the levels if they are too few.
 */
final class LevelsPrimitive implements Primitive<LevelsQuery> {
    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.LEVELS;
    }

    @Override
    public LevelsQuery query(PrimitiveQuery query) {
        return query.getLevels();
    }

    @Override
    public void variables(LevelsQuery query, Set<String> names) {
        names.addAll(query.getNominalList());
        names.addAll(query.getCompleteInList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, LevelsQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        List<Cde> nominal = QueryScope.distinct(query.getNominalList(), v -> scope.nominal(v, "a variable of levels"));
        if (nominal.isEmpty()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "levels needs at least one nominal variable");
        }
        Set<Cde> required = new LinkedHashSet<>(nominal);
        required.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(required);
        String where = scope.complete(complete);
        // One pass: each variable's levels with their counts (grouping sets), the rows being the sum of
        // the first variable's counts. The levels are read only once the rows are known to be enough.
        List<String> quoted = nominal.stream().map(scope::quote).toList();
        BoundSql.Builder sql = BoundSql.builder().sql("SELECT ");
        for (int i = 0; i < nominal.size(); i++) {
            sql.sql(scope.dialect().toText(quoted.get(i)) + ", ");
        }
        sql.sql(nominal.size() == 1 ? "0" : "GROUPING(" + String.join(", ", quoted) + ")")
                .sql(", count(*) FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + where + " GROUP BY ");
        if (nominal.size() == 1) {
            sql.sql(quoted.get(0));
        } else {
            sql.sql("GROUPING SETS ("
                    + String.join(", ", quoted.stream().map(q -> "(" + q + ")").toList()) + ")");
        }
        List<String[]> groups = new ArrayList<>();
        long rows = 0;
        try (PreparedStatement statement = sql.build().prepare(connection);
                ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                // GROUPING(a, b, …) has a bit per variable, the first the highest, set where it is not grouped.
                long bits = result.getLong(nominal.size() + 1);
                int variable = nominal.size() - 1 - Long.numberOfTrailingZeros(~bits);
                if (variable == 0) {
                    rows += result.getLong(nominal.size() + 2);
                }
                groups.add(new String[] {Integer.toString(variable), result.getString(variable + 1)});
            }
        }
        guard.checkRows(rows, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        List<TreeSet<String>> levels = new ArrayList<>();
        nominal.forEach(v -> levels.add(new TreeSet<>()));
        for (String[] group : groups) {
            levels.get(Integer.parseInt(group[0])).add(group[1]);
        }
        LevelsResult.Builder result = LevelsResult.newBuilder();
        for (int i = 0; i < nominal.size(); i++) {
            result.addVariables(VariableLevels.newBuilder()
                    .setVariable(nominal.get(i).code())
                    .addAllLevels(levels.get(i)));
        }
        return PrimitiveResult.newBuilder().setRowsUsed(rows).setLevels(result).build();
    }

    static long count(Connection connection, QueryScope scope, String complete) throws SQLException {
        BoundSql sql = BoundSql.builder()
                .sql("SELECT count(*) FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + complete)
                .build();
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
