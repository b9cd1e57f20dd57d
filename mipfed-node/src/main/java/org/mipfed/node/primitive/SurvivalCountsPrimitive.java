package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.FigureRows;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.SurvivalCountsQuery;
import org.mipfed.proto.v1.SurvivalCountsResult;
import org.mipfed.proto.v1.SurvivalGroupCounts;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code survival_counts}: per time bin (and group), how many rows had the event and how many were
 * censored, in one grouped statement. Times are moved up to the end of their bin
 * ({@code k = ceil(t / w)}), so nothing finer than a bin leaves the node; a count between 1 and the
 * node's minimum makes the node refuse (without naming the bin), since a survival curve cannot be built from
 * withheld counts and a wider bin answers the same question.
 */
final class SurvivalCountsPrimitive implements Primitive<SurvivalCountsQuery> {
    private static final String GROUP = "\"group$\"";
    private static final String BIN = "\"bin$\"";
    private static final String EVENT = "\"event$\"";
    private static final String SCOPE = "\"survival$\"";
    /** A bin width too small for the times on the node. */
    static final String BIN_WIDTH = TimeBins.BIN_WIDTH;

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.SURVIVAL_COUNTS;
    }

    @Override
    public SurvivalCountsQuery query(PrimitiveQuery query) {
        return query.getSurvivalCounts();
    }

    @Override
    public void variables(SurvivalCountsQuery query, Set<String> names) {
        names.add(query.getTime());
        names.add(query.getEvent());
        if (!query.getGroupBy().isEmpty()) {
            names.add(query.getGroupBy());
        }
        names.addAll(query.getCompleteInList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, SurvivalCountsQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        double width = TimeBins.width("survival_counts", query.getTime(), query.getEvent(), query.getBinWidth());
        Cde time = scope.numerical(query.getTime(), "the time variable of survival_counts");
        Cde event = scope.nominal(query.getEvent(), "the event variable of survival_counts");
        LevelIndicator.level(event, query.getEventLevel());
        Cde group = query.getGroupBy().isEmpty()
                ? null
                : scope.nominal(query.getGroupBy(), "the grouping variable of survival_counts");
        Set<Cde> used = new LinkedHashSet<>(List.of(time, event));
        if (group != null) {
            used.add(group);
        }
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        String where = scope.complete(complete);
        long n = LevelsPrimitive.count(connection, scope, where);
        guard.checkRows(n, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        SurvivalCountsResult.Builder result = SurvivalCountsResult.newBuilder().setN(n);
        if (n > 0) {
            counts(
                    connection,
                    scope,
                    time,
                    event,
                    query.getEventLevel(),
                    group,
                    width,
                    where,
                    query.getMergeSparseBins(),
                    result);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(n)
                .setSurvivalCounts(result)
                .build();
    }

    private void counts(
            Connection connection,
            QueryScope scope,
            Cde time,
            Cde event,
            String eventLevel,
            Cde group,
            double width,
            String where,
            boolean merge,
            SurvivalCountsResult.Builder result)
            throws SQLException {
        SqlDialect dialect = scope.dialect();
        BoundSql sql = BoundSql.builder()
                .sql("WITH " + SCOPE + " AS (SELECT "
                        + (group == null ? dialect.toText("''") : dialect.toText(scope.quote(group))) + " AS " + GROUP
                        + ", ceil(" + dialect.toDouble(scope.quote(time)) + " / ")
                .parameter(width)
                .sql(") AS " + BIN + ", CASE WHEN " + dialect.toText(scope.quote(event)) + " = ")
                .parameter(eventLevel)
                .sql(" THEN 1 ELSE 0 END AS " + EVENT + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + where + ") SELECT " + GROUP + ", " + BIN + ", sum(" + EVENT + "), count(*) FROM " + SCOPE
                        + " GROUP BY " + GROUP + ", " + BIN + " ORDER BY " + GROUP + ", " + BIN)
                .build();
        Map<String, SurvivalGroupCounts.Builder> byGroup = new LinkedHashMap<>();
        if (group == null) {
            byGroup.put("", SurvivalGroupCounts.newBuilder().setLevel(""));
        } else {
            group.enumerations()
                    .keySet()
                    .forEach(level ->
                            byGroup.put(level, SurvivalGroupCounts.newBuilder().setLevel(level)));
        }
        // per group, bin -> {events, censored}, in ascending bins (the statement orders them)
        Map<String, TreeMap<Long, long[]>> raw = new LinkedHashMap<>();
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String level = rows.getString(1);
                if (!byGroup.containsKey(level)) {
                    // A stored value outside the data model's levels: the importer refuses those, so none is counted.
                    continue;
                }
                long bin = TimeBins.number(rows.getDouble(2), time);
                long events = rows.getLong(3);
                raw.computeIfAbsent(level, k -> new TreeMap<>())
                        .put(bin, new long[] {events, rows.getLong(4) - events});
            }
        }
        // per group, the bins as released: each raw bin's number -> the number of the bin it is released in
        Map<String, TreeMap<Long, Long>> releasedIn = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Long, long[]>> g : raw.entrySet()) {
            TreeMap<Long, long[]> bins = merge ? merged(scope.guard(), g.getValue()) : g.getValue();
            SurvivalGroupCounts.Builder counts = byGroup.get(g.getKey());
            TreeMap<Long, Long> map = new TreeMap<>();
            for (Map.Entry<Long, long[]> bin : bins.entrySet()) {
                TimeBins.check(scope.guard(), bin.getValue()[0], time);
                TimeBins.check(scope.guard(), bin.getValue()[1], time);
                counts.addBins(bin.getKey()).addEvents(bin.getValue()[0]).addCensored(bin.getValue()[1]);
                map.put(bin.getKey(), bin.getKey());
            }
            releasedIn.put(g.getKey(), map);
        }
        byGroup.values().stream().filter(counts -> counts.getBinsCount() > 0).forEach(result::addGroups);
        checkDifferences(connection, scope, time, event, eventLevel, group, width, where, releasedIn);
    }

    /**
     * One group's bins with each bin whose events or censored rows number between one and the minimum joined to
     * the bins after it, until the joined counts are each none or at least the minimum; the joined bin keeps the
     * number of its last bin (its times move up to that bin's end). A remainder too small at the end joins the last
     * bin released before it. Bins that stand alone are unchanged. If the group as a whole is below the minimum,
     * its one joined bin still fails {@link TimeBins#check} and the answer is refused.
     */
    static TreeMap<Long, long[]> merged(PrivacyGuard guard, TreeMap<Long, long[]> bins) {
        TreeMap<Long, long[]> out = new TreeMap<>();
        long events = 0;
        long censored = 0;
        for (Map.Entry<Long, long[]> bin : bins.entrySet()) {
            events += bin.getValue()[0];
            censored += bin.getValue()[1];
            if (releasable(guard, events) && releasable(guard, censored)) {
                out.put(bin.getKey(), new long[] {events, censored});
                events = 0;
                censored = 0;
            }
        }
        if (events > 0 || censored > 0) {
            long last = bins.lastKey();
            Map.Entry<Long, long[]> before = out.pollLastEntry();
            if (before != null) {
                events += before.getValue()[0];
                censored += before.getValue()[1];
            }
            out.put(last, new long[] {events, censored});
        }
        return out;
    }

    private static boolean releasable(PrivacyGuard guard, long count) {
        return count == 0 || guard.releasable(count, count);
    }

    /**
     * Differencing of the rows behind every count: per group and bin as released (joined bins as one) the rows with
     * the event and those censored, each group's rows, and what the manager adds up from them (each bin's events and
     * censored rows over all groups, all rows), against each other and earlier answers; so a curve
     * with groups and one without, over rows that differ by a few, are not both answered. A clash
     * refuses the answer: a curve cannot be drawn from withheld counts.
     */
    private void checkDifferences(
            Connection connection,
            QueryScope scope,
            Cde time,
            Cde event,
            String eventLevel,
            Cde group,
            double width,
            String where,
            Map<String, TreeMap<Long, Long>> releasedIn)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        SqlDialect dialect = scope.dialect();
        BoundSql sql = BoundSql.builder()
                .sql("SELECT " + dialect.quote(StoreCatalog.ROW_ID) + ", "
                        + (group == null ? dialect.toText("''") : dialect.toText(scope.quote(group))) + ", ceil("
                        + dialect.toDouble(scope.quote(time)) + " / ")
                .parameter(width)
                .sql("), CASE WHEN " + dialect.toText(scope.quote(event)) + " = ")
                .parameter(eventLevel)
                .sql(" THEN 1 ELSE 0 END FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + where)
                .build();
        RoaringBitmap all = new RoaringBitmap();
        Map<String, RoaringBitmap> groups = new TreeMap<>();
        Map<String, RoaringBitmap> cells = new TreeMap<>();
        Map<String, RoaringBitmap> bins = new TreeMap<>();
        RowIds.read(connection, sql, (id, row) -> {
            String level = row.getString(2);
            // the bin the row's count was released in (a joined bin's last number when sparse bins were joined)
            TreeMap<Long, Long> released = releasedIn.get(level);
            Long in = released == null ? null : released.ceilingKey((long) row.getDouble(3));
            String bin = in == null ? Double.toString(row.getDouble(3)) : Long.toString(in);
            String outcome = row.getInt(4) == 1 ? "event" : "censored";
            all.add(id);
            groups.computeIfAbsent(level, k -> new RoaringBitmap()).add(id);
            cells.computeIfAbsent(level + "\u0000" + bin + "\u0000" + outcome, k -> new RoaringBitmap())
                    .add(id);
            bins.computeIfAbsent(bin + "\u0000" + outcome, k -> new RoaringBitmap())
                    .add(id);
        });
        List<FigureRows> sets = new ArrayList<>();
        String t = time.code();
        sets.add(FigureRows.values(t, all));
        sets.add(FigureRows.values(event.code(), all));
        if (group != null) {
            sets.add(FigureRows.values(group.code(), all));
        }
        groups.values().forEach(rows -> sets.add(FigureRows.values(t, rows)));
        bins.values().forEach(rows -> sets.add(FigureRows.values(t, rows)));
        cells.values().forEach(rows -> sets.add(FigureRows.values(t, rows)));
        if (!guard.checkFigureRows(scope.model().id(), sets).isEmpty()) {
            PrivacyViolation violation = guard.figureDifferencing();
            throw RefusalException.caller(violation.rule(), violation.message());
        }
    }
}
