package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

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
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;

/**
 * {@code levels}: which levels of nominal variables occur among the rows complete in a set of
 * variables, so the manager can build the same dummy coding on every node. Counts the rows first
 * and refuses before looking at levels if they are too few.
 */
final class LevelsPrimitive {
    private final PrivacyGuard guard;

    LevelsPrimitive(PrivacyGuard guard) {
        this.guard = requireNonNull(guard, "guard is null");
    }

    PrimitiveResult run(Connection connection, QueryScope scope, LevelsQuery query) throws SQLException {
        List<Cde> nominal = QueryScope.distinct(query.getNominalList(), v -> scope.nominal(v, "a variable of levels"));
        if (nominal.isEmpty()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "levels needs at least one nominal variable");
        }
        Set<Cde> required = new LinkedHashSet<>(nominal);
        required.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(required);
        String where = scope.complete(complete);
        long rows = count(connection, scope, where);
        guard.checkRows(rows, "rows complete in " + QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        List<TreeSet<String>> levels = new ArrayList<>();
        nominal.forEach(v -> levels.add(new TreeSet<>()));
        if (rows > 0) {
            BoundSql.Builder sql = BoundSql.builder().sql("WITH \"scope$\" AS (SELECT " + String.join(", ", nominal.stream().map(scope::quote).toList())
                    + " FROM " + scope.table() + " WHERE ").append(scope.where()).sql(" AND " + where + ") ");
            for (int i = 0; i < nominal.size(); i++) {
                String column = scope.quote(nominal.get(i));
                sql.sql((i == 0 ? "" : " UNION ALL ") + "SELECT " + i + ", " + scope.dialect().toText(column) + " FROM \"scope$\" GROUP BY " + column);
            }
            try (PreparedStatement statement = sql.build().prepare(connection); ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    levels.get(result.getInt(1)).add(result.getString(2));
                }
            }
        }
        LevelsResult.Builder result = LevelsResult.newBuilder();
        for (int i = 0; i < nominal.size(); i++) {
            result.addVariables(VariableLevels.newBuilder().setVariable(nominal.get(i).code()).addAllLevels(levels.get(i)));
        }
        return PrimitiveResult.newBuilder().setRowsUsed(rows).setLevels(result).build();
    }

    static long count(Connection connection, QueryScope scope, String complete) throws SQLException {
        BoundSql sql = BoundSql.builder().sql("SELECT count(*) FROM " + scope.table() + " WHERE ").append(scope.where())
                .sql(" AND " + complete).build();
        try (PreparedStatement statement = sql.prepare(connection); ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
