package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.proto.v1.ClassSummary;
import org.mipfed.proto.v1.ClassSummaryQuery;
import org.mipfed.proto.v1.ClassSummaryResult;
import org.mipfed.proto.v1.LevelCounts;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code class_summary}: per class (level of a nominal variable) present in the rows complete in every
 * variable used, the count, each numerical feature's mean and centred sum of squares, and each nominal
 * feature's level counts: what naive Bayes is fitted from. Means first (a CTE), then the deviations'
 * sums, as {@code moments} does, so large offsets lose no precision.
 *
 * <p>The privacy guard's minimum-rows rule applies to all the rows used. Classes and cells of fewer
 * rows are released, as Exareme2's naive Bayes releases them: refusing a node whose training fold
 * holds a rare class would make the classifier unusable on real data. A minimum per cell, which the
 * node's operator could choose, is not enforced yet.
 */
final class ClassSummaryPrimitive implements Primitive<ClassSummaryQuery> {
    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.CLASS_SUMMARY;
    }

    @Override
    public ClassSummaryQuery query(PrimitiveQuery query) {
        return query.getClassSummary();
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, ClassSummaryQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        Cde response = scope.nominal(query.getResponse(), "the class variable of class_summary");
        Set<Cde> used = new LinkedHashSet<>();
        used.add(response);
        List<Cde> numerical = QueryScope.distinct(
                query.getNumericalList(), v -> scope.numerical(v, "a numerical feature of class_summary"));
        List<Cde> nominal = QueryScope.distinct(
                query.getNominalList(), v -> scope.nominal(v, "a nominal feature of class_summary"));
        used.addAll(numerical);
        used.addAll(nominal);
        Set<Cde> described = new LinkedHashSet<>(used);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        String classText = scope.dialect().toText(scope.quote(response));
        List<String> columns = new ArrayList<>();
        columns.add(classText + " AS \"g$\"");
        for (int j = 0; j < numerical.size(); j++) {
            columns.add(scope.dialect().toDouble(scope.quote(numerical.get(j))) + " AS \"x$" + j + "\"");
        }
        for (int f = 0; f < nominal.size(); f++) {
            columns.add(scope.dialect().toText(scope.quote(nominal.get(f))) + " AS \"c$" + f + "\"");
        }
        BoundSql rows = BoundSql.builder()
                .sql("SELECT " + String.join(", ", columns) + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + scope.complete(complete))
                .build();

        List<String> means = new ArrayList<>(List.of("\"g$\"", "count(*) AS \"n$\""));
        List<String> out = new ArrayList<>(List.of("m.\"g$\"", "min(m.\"n$\")"));
        for (int j = 0; j < numerical.size(); j++) {
            means.add("avg(\"x$" + j + "\") AS \"m$" + j + "\"");
            String deviation = "(r.\"x$" + j + "\" - m.\"m$" + j + "\")";
            out.add("min(m.\"m$" + j + "\")");
            out.add("sum(" + deviation + ")");
            out.add("sum(" + deviation + " * " + deviation + ")");
        }
        BoundSql sql = BoundSql.builder()
                .sql("WITH \"rows$\" AS (")
                .append(rows)
                .sql("), \"means$\" AS (SELECT " + String.join(", ", means)
                        + " FROM \"rows$\" GROUP BY \"g$\") SELECT " + String.join(", ", out)
                        + " FROM \"rows$\" r JOIN \"means$\" m ON r.\"g$\" = m.\"g$\" GROUP BY m.\"g$\"")
                .build();
        Map<String, ClassSummary.Builder> classes = new TreeMap<>();
        long total = 0;
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                int column = 1;
                String level = result.getString(column++);
                long n = result.getLong(column++);
                ClassSummary.Builder summary =
                        ClassSummary.newBuilder().setLevel(level).setN(n);
                for (int j = 0; j < numerical.size(); j++) {
                    double centre = result.getDouble(column++);
                    double sum = result.getDouble(column++);
                    double squares = result.getDouble(column++);
                    summary.addMean(centre + sum / n).addM2(Math.max(0, squares - sum * sum / n));
                }
                total += n;
                classes.put(level, summary);
            }
        }
        guard.checkRows(total, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        if (total > 0) {
            RowIds.checkModelRows(connection, scope, guard, described, complete);
        }
        for (int f = 0; f < nominal.size(); f++) {
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            BoundSql count = BoundSql.builder()
                    .sql("SELECT \"g$\", \"c$" + f + "\", count(*) FROM (")
                    .append(rows)
                    .sql(") \"r$\" GROUP BY \"g$\", \"c$" + f + "\"")
                    .build();
            try (PreparedStatement statement = count.prepare(connection);
                    ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    counts.computeIfAbsent(result.getString(1), g -> new TreeMap<>())
                            .put(result.getString(2), result.getLong(3));
                }
            }
            for (Map.Entry<String, ClassSummary.Builder> entry : classes.entrySet()) {
                Map<String, Long> levels = counts.getOrDefault(entry.getKey(), Map.of());
                entry.getValue()
                        .addNominal(LevelCounts.newBuilder()
                                .addAllLevels(levels.keySet())
                                .addAllCounts(levels.values()));
            }
        }
        ClassSummaryResult.Builder result = ClassSummaryResult.newBuilder().setN(total);
        classes.values().forEach(result::addClasses);
        return PrimitiveResult.newBuilder()
                .setRowsUsed(total)
                .setClassSummary(result)
                .build();
    }

    /** For the audit log. */
    @Override
    public void variables(ClassSummaryQuery query, Set<String> names) {
        names.add(query.getResponse());
        names.addAll(query.getNumericalList());
        names.addAll(query.getNominalList());
        names.addAll(query.getCompleteInList());
    }
}
