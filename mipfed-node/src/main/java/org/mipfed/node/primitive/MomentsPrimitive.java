package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.FigureRows;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.LevelSelection;
import org.mipfed.proto.v1.MomentsDifference;
import org.mipfed.proto.v1.MomentsGroup;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.MomentsResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableMoments;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code moments}: per group of rows (one per combination of levels of the grouping variables),
 * the count and, for each numerical variable or row-wise difference, the mean, centred sum of
 * squares, minimum and maximum. One statement: the group means first (a CTE), then the sums of
 * deviations from them, corrected by the deviations' own sum, so large offsets lose no precision.
 *
 * <p>Every group must hold at least the node's minimum of rows: a smaller one is refused, naming its
 * levels, rather than silently left out, since leaving it out would change the analysis.
 */
final class MomentsPrimitive implements Primitive<MomentsQuery> {
    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.MOMENTS;
    }

    @Override
    public MomentsQuery query(PrimitiveQuery query) {
        return query.getMoments();
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, MomentsQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        Set<Cde> used = new LinkedHashSet<>();
        List<String> values = new ArrayList<>();
        for (String variable : query.getNumericalList()) {
            Cde cde = scope.numerical(variable, "a variable of moments");
            used.add(cde);
            values.add(scope.dialect().toDouble(scope.quote(cde)));
        }
        for (MomentsDifference difference : query.getDifferencesList()) {
            Cde minuend = scope.numerical(difference.getMinuend(), "a term of a difference");
            Cde subtrahend = scope.numerical(difference.getSubtrahend(), "a term of a difference");
            used.add(minuend);
            used.add(subtrahend);
            values.add("(" + scope.dialect().toDouble(scope.quote(minuend)) + " - "
                    + scope.dialect().toDouble(scope.quote(subtrahend)) + ")");
        }
        if (values.isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "moments needs at least one numerical variable or difference");
        }
        List<Cde> groups =
                QueryScope.distinct(query.getGroupByList(), v -> scope.nominal(v, "a grouping variable of moments"));
        used.addAll(groups);
        Set<Cde> described = new LinkedHashSet<>(used);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        BoundSql selection = selection(scope, query.getOnlyLevelsList(), groups);

        BoundSql.Builder sql = BoundSql.builder().sql("WITH \"rows$\" AS (SELECT ");
        List<String> columns = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            columns.add(scope.dialect().toText(scope.quote(groups.get(g))) + " AS " + group(g));
        }
        for (int v = 0; v < values.size(); v++) {
            columns.add(values.get(v) + " AS " + value(v));
        }
        sql.sql(String.join(", ", columns) + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + scope.complete(complete))
                .append(selection)
                .sql("), \"means$\" AS (SELECT ");
        List<String> means = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            means.add(group(g));
        }
        means.add("count(*) AS \"n$\"");
        for (int v = 0; v < values.size(); v++) {
            means.add("avg(" + value(v) + ") AS " + mean(v));
            means.add("min(" + value(v) + ") AS \"lo$" + v + "\"");
            means.add("max(" + value(v) + ") AS \"hi$" + v + "\"");
        }
        String groupBy = groups.isEmpty() ? "" : " GROUP BY " + range(groups.size(), g -> group(g));
        sql.sql(String.join(", ", means) + " FROM \"rows$\"" + groupBy + ") SELECT ");
        List<String> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            out.add("m." + group(g));
        }
        out.add("min(m.\"n$\")");
        for (int v = 0; v < values.size(); v++) {
            String deviation = "(r." + value(v) + " - m." + mean(v) + ")";
            out.add("min(m." + mean(v) + ")");
            out.add("min(m.\"lo$" + v + "\")");
            out.add("min(m.\"hi$" + v + "\")");
            out.add("sum(" + deviation + ")");
            out.add("sum(" + deviation + " * " + deviation + ")");
        }
        String join = groups.isEmpty()
                ? "TRUE"
                : range(groups.size(), g -> "r." + group(g) + " = m." + group(g))
                        .replace(", ", " AND ");
        sql.sql(String.join(", ", out) + " FROM \"rows$\" r JOIN \"means$\" m ON " + join
                + (groups.isEmpty() ? "" : " GROUP BY " + range(groups.size(), g -> "m." + group(g))));

        List<MomentsGroup> answer = new ArrayList<>();
        long total = 0;
        try (PreparedStatement statement = sql.build().prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                MomentsGroup.Builder row = MomentsGroup.newBuilder();
                int column = 1;
                for (int g = 0; g < groups.size(); g++) {
                    row.addLevels(rows.getString(column++));
                }
                long n = rows.getLong(column++);
                row.setN(n);
                for (int v = 0; v < values.size(); v++) {
                    double centre = rows.getDouble(column++);
                    double min = rows.getDouble(column++);
                    double max = rows.getDouble(column++);
                    double sum = rows.getDouble(column++);
                    double squares = rows.getDouble(column++);
                    boolean extremes = guard.policy().releaseExtremes();
                    row.addMoments(VariableMoments.newBuilder()
                            .setMean(centre + sum / n)
                            .setM2(Math.max(0, squares - sum * sum / n))
                            .setMin(extremes ? min : Double.NaN)
                            .setMax(extremes ? max : Double.NaN));
                }
                total += n;
                answer.add(row.build());
            }
        }
        String names = QueryScope.names(complete);
        guard.checkRows(total, names).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        answer.sort(Comparator.comparing(g -> String.join("\u0000", g.getLevelsList())));
        for (MomentsGroup row : answer) {
            guard.checkRows(row.getN(), names).ifPresent(v -> {
                throw RefusalException.caller(v.rule(), v.message());
            });
        }
        checkDifferences(connection, scope, groups, complete, selection, described);
        return PrimitiveResult.newBuilder()
                .setRowsUsed(total)
                .setMoments(MomentsResult.newBuilder().addAllGroups(answer))
                .build();
    }

    /**
     * Differencing of the rows behind every figure: each group's rows and all of them (the manager
     * adds the groups up into totals, as a t-test or an ANOVA does), for each variable whose values the
     * moments describe, against each other and earlier answers. A clash refuses the answer: dropping a
     * group would change the analysis.
     */
    private void checkDifferences(
            Connection connection,
            QueryScope scope,
            List<Cde> groups,
            List<Cde> complete,
            BoundSql selection,
            Set<Cde> described)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        BoundSql.Builder sql =
                BoundSql.builder().sql("SELECT " + scope.dialect().quote(StoreCatalog.ROW_ID));
        for (Cde group : groups) {
            sql.sql(", " + scope.dialect().toText(scope.quote(group)));
        }
        sql.sql(" FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + scope.complete(complete))
                .append(selection);
        RoaringBitmap all = new RoaringBitmap();
        Map<List<String>, RoaringBitmap> byGroup =
                new TreeMap<>(Comparator.comparing(levels -> String.join("\u0000", levels)));
        RowIds.read(connection, sql.build(), (id, row) -> {
            all.add(id);
            if (!groups.isEmpty()) {
                List<String> levels = new ArrayList<>();
                for (int g = 0; g < groups.size(); g++) {
                    levels.add(row.getString(g + 2));
                }
                byGroup.computeIfAbsent(levels, k -> new RoaringBitmap()).add(id);
            }
        });
        List<FigureRows> sets = new ArrayList<>();
        for (Cde cde : described) {
            sets.add(FigureRows.values(cde.code(), all));
            byGroup.values().forEach(rows -> sets.add(FigureRows.values(cde.code(), rows)));
        }
        if (!guard.checkFigureRows(scope.model().id(), sets).isEmpty()) {
            PrivacyViolation violation = guard.figureDifferencing();
            throw RefusalException.caller(violation.rule(), violation.message());
        }
    }

    /** Every variable the query names, for the audit log. */
    @Override
    public void variables(MomentsQuery query, Set<String> names) {
        names.addAll(query.getNumericalList());
        query.getDifferencesList().forEach(d -> {
            names.add(d.getMinuend());
            names.add(d.getSubtrahend());
        });
        names.addAll(query.getGroupByList());
        names.addAll(query.getCompleteInList());
    }

    /** {@code AND "x" IN (?, ?)} for each selection of levels; the levels must be known ones of a grouping variable. */
    private static BoundSql selection(QueryScope scope, List<LevelSelection> selections, List<Cde> groups) {
        BoundSql.Builder sql = BoundSql.builder();
        for (LevelSelection selection : selections) {
            Cde cde = scope.nominal(selection.getVariable(), "a variable of selected levels");
            if (!groups.contains(cde)) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "Levels of '" + cde.code() + "' are selected, but moments "
                                + "are not grouped by it; group by it too");
            }
            if (selection.getLevelsCount() == 0) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY, "The selection of levels of '" + cde.code() + "' is empty");
            }
            sql.sql(" AND " + scope.quote(cde) + " IN (");
            for (int i = 0; i < selection.getLevelsCount(); i++) {
                sql.sql(i == 0 ? "" : ", ").known(scope.dialect(), LevelIndicator.level(cde, selection.getLevels(i)));
            }
            sql.sql(")");
        }
        return sql.build();
    }

    /** "gender = F, agegroup = 50-59y", for messages. */
    private static String levels(List<Cde> groups, List<String> levels) {
        if (groups.isEmpty()) {
            return "any levels";
        }
        List<String> parts = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            parts.add(groups.get(g).code() + " = " + levels.get(g));
        }
        return String.join(", ", parts);
    }

    private static String range(int count, IntFunction<String> name) {
        return IntStream.range(0, count).mapToObj(name).collect(Collectors.joining(", "));
    }

    private static String group(int index) {
        return "\"g$" + index + "\"";
    }

    private static String value(int index) {
        return "\"x$" + index + "\"";
    }

    private static String mean(int index) {
        return "\"m$" + index + "\"";
    }
}
