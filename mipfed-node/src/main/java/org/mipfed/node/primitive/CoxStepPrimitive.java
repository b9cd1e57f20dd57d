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
import org.mipfed.proto.v1.CoxBin;
import org.mipfed.proto.v1.CoxStepQuery;
import org.mipfed.proto.v1.CoxStepResult;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code cox_step}: the sums of one Newton step of a Cox proportional-hazards model, per stratum and
 * time bin, at the coefficients the manager sends, in one grouped statement. Times are binned as
 * {@code survival_counts} bins them ({@code k = ceil(t / w)}), so nothing finer than a bin leaves the
 * node. Per bin: its events and censored rows, and Σ w, Σ w x, Σ w x xᵀ over its rows and over its
 * events (w = exp(x·β − offset)), and Σ x over its events; the manager adds the bins of a stratum from
 * the last down to get each risk set's sums, from which Breslow's or Efron's likelihood, score and
 * information follow.
 *
 * <p>What stands behind each figure, and what the node refuses:
 *
 * <ul>
 *   <li>a bin's events and its censored rows: each count between 1 and the node's minimum rows refuses the
 *       answer (as {@code survival_counts}), so each bin's rows at risk (this bin's rows and all later ones)
 *       are at least the minimum too;
 *   <li>a level indicator's sums are counts at β = 0 (Σ x over a bin's events is the bin's events at the level):
 *       per bin, its events and its censored rows are each checked as a table of level indicators
 *       ({@link LevelIndicator#checkCounts}, the node's minimum cell count), and so are all the rows;
 *   <li>the rows of each bin's events, each bin's censored rows, each stratum and all rows are recorded, for
 *       the time and every covariate, in the differencing history: two requests whose cells differ by a few
 *       rows (two bin widths, two filters) are not both answered. Successive Newton steps (other β, same
 *       rows) are the same sets and are answered.
 * </ul>
 */
final class CoxStepPrimitive implements Primitive<CoxStepQuery> {
    /** Covariates at most: the statement's sums grow as p², well below PostgreSQL's 1664 result columns. */
    static final int MAX_COLUMNS = 20;
    /** exp(x·β − offset) is bounded by e^700 either way, so neither store overflows on a diverging step. */
    private static final double MAX_ETA = 700;

    private static final String STRATUM = "\"stratum$\"";
    private static final String BIN = "\"bin$\"";
    private static final String EVENT = "\"event$\"";
    private static final String W = "\"w$\"";
    /** A bin width too small for the times on the node. */
    static final String BIN_WIDTH = TimeBins.BIN_WIDTH;

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.COX_STEP;
    }

    @Override
    public CoxStepQuery query(PrimitiveQuery query) {
        return query.getCoxStep();
    }

    @Override
    public void variables(CoxStepQuery query, Set<String> names) {
        names.add(query.getTime());
        names.add(query.getEvent());
        query.getColumnsList().forEach(column -> names.add(column.getVariable()));
        if (!query.getStrata().isEmpty()) {
            names.add(query.getStrata());
        }
        names.addAll(query.getCompleteInList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, CoxStepQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        double width = TimeBins.width("cox_step", query.getTime(), query.getEvent(), query.getBinWidth());
        int p = query.getColumnsCount();
        if (p == 0 || p > MAX_COLUMNS) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "cox_step takes 1 to " + MAX_COLUMNS + " covariate columns, not " + p);
        }
        if (query.getBetaCount() != 0 && query.getBetaCount() != p) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "cox_step got " + query.getBetaCount() + " coefficients for " + p + " covariate columns");
        }
        for (double b : query.getBetaList()) {
            if (!Double.isFinite(b)) {
                throw RefusalException.caller(RefusalException.INVALID_QUERY, "cox_step got a coefficient " + b);
            }
        }
        if (!Double.isFinite(query.getOffset())) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "cox_step got an offset " + query.getOffset());
        }
        Cde time = scope.numerical(query.getTime(), "the time variable of cox_step");
        Cde event = scope.nominal(query.getEvent(), "the event variable of cox_step");
        LevelIndicator.level(event, query.getEventLevel());
        Set<Cde> used = new LinkedHashSet<>(List.of(time, event));
        List<BoundSql> columns = new ArrayList<>();
        List<String> indicated = new ArrayList<>();
        Set<Cde> covariates = new LinkedHashSet<>();
        for (GlmColumn column : query.getColumnsList()) {
            columns.add(GlmStepPrimitive.expression(scope, column, covariates, "a covariate of cox_step"));
            indicated.add(column.getLevel().isEmpty() ? "" : column.getVariable());
        }
        if (covariates.contains(time) || covariates.contains(event)) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "The time and event variables of cox_step cannot be covariates");
        }
        used.addAll(covariates);
        Cde strata = query.getStrata().isEmpty() ? null : scope.nominal(query.getStrata(), "the strata of cox_step");
        if (strata != null) {
            used.add(strata);
        }
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        String where = scope.complete(complete);
        long n = LevelsPrimitive.count(connection, scope, where);
        guard.checkRows(n, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        CoxStepResult.Builder result = CoxStepResult.newBuilder().setN(n);
        if (n > 0) {
            guard.checkParameters(p, n).ifPresent(v -> {
                throw RefusalException.caller(v.rule(), v.message());
            });
            bins(connection, scope, query, time, event, strata, columns, indicated, where, n, result);
            List<Cde> described = new ArrayList<>(covariates);
            described.add(0, event);
            described.add(0, time);
            if (strata != null) {
                described.add(strata);
            }
            checkDifferences(connection, scope, query, time, event, strata, described, where);
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setCoxStep(result).build();
    }

    /** The grouped sums, each bin's counts checked as they are read. */
    private static void bins(
            Connection connection,
            QueryScope scope,
            CoxStepQuery query,
            Cde time,
            Cde event,
            Cde strata,
            List<BoundSql> columns,
            List<String> indicated,
            String where,
            long n,
            CoxStepResult.Builder result)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        SqlDialect dialect = scope.dialect();
        int p = columns.size();
        String fence = dialect.fence();
        BoundSql.Builder rows = BoundSql.builder()
                .sql("SELECT " + (strata == null ? dialect.toText("''") : dialect.toText(scope.quote(strata))) + " AS "
                        + STRATUM + ", ceil(" + dialect.toDouble(scope.quote(time)) + " / ")
                .parameter(query.getBinWidth())
                .sql(") AS " + BIN + ", CASE WHEN " + dialect.toText(scope.quote(event)) + " = ")
                .parameter(query.getEventLevel())
                .sql(" THEN 1 ELSE 0 END AS " + EVENT);
        for (int i = 0; i < p; i++) {
            rows.sql(", ").append(columns.get(i)).sql(" AS " + x(i));
        }
        rows.sql(" FROM " + scope.table() + " WHERE ").append(scope.where()).sql(" AND " + where + fence);
        BoundSql.Builder eta = BoundSql.builder().sql("SELECT *, ");
        if (query.getBetaCount() == 0) {
            eta.sql("CAST(0 AS " + dialect.doubleType() + ")");
        } else {
            for (int i = 0; i < p; i++) {
                eta.sql(i == 0 ? "" : " + ").parameter(query.getBeta(i)).sql(" * " + x(i));
            }
        }
        eta.sql(" - ")
                .parameter(query.getOffset())
                .sql(" AS \"eta$\" FROM (")
                .append(rows.build())
                .sql(") \"c1$\"" + fence);
        String weighted = "SELECT *, exp(CASE WHEN \"eta$\" > " + MAX_ETA + " THEN " + MAX_ETA + " WHEN \"eta$\" < -"
                + MAX_ETA + " THEN -" + MAX_ETA + " ELSE \"eta$\" END) AS " + W + " FROM (";
        List<String> sums = new ArrayList<>();
        sums.add("sum(" + EVENT + ")");
        sums.add("count(*)");
        for (String on : List.of("", EVENT + " * ")) {
            sums.add("sum(" + on + W + ")");
            for (int i = 0; i < p; i++) {
                sums.add("sum(" + on + W + " * " + x(i) + ")");
            }
            for (int i = 0; i < p; i++) {
                for (int j = i; j < p; j++) {
                    sums.add("sum(" + on + W + " * " + x(i) + " * " + x(j) + ")");
                }
            }
        }
        // Unweighted, for the level indicators' counts only (never released): over the events, over all the bin's rows.
        for (String on : List.of(EVENT + " * ", "")) {
            for (int i = 0; i < p; i++) {
                sums.add("sum(" + on + x(i) + ")");
            }
            for (int i = 0; i < p; i++) {
                for (int j = i + 1; j < p; j++) {
                    sums.add("sum(" + on + x(i) + " * " + x(j) + ")");
                }
            }
        }
        BoundSql sql = BoundSql.builder()
                .sql("SELECT " + STRATUM + ", " + BIN + ", " + String.join(", ", sums) + " FROM (" + weighted)
                .append(eta.build())
                .sql(") \"c2$\"" + fence + ") \"c3$\" GROUP BY " + STRATUM + ", " + BIN + " ORDER BY " + STRATUM + ", "
                        + BIN)
                .build();
        Map<String, List<CoxBin>> byStratum = new LinkedHashMap<>();
        if (strata == null) {
            byStratum.put("", new ArrayList<>());
        } else {
            strata.enumerations().keySet().forEach(level -> byStratum.put(level, new ArrayList<>()));
        }
        int triangle = p * (p + 1) / 2;
        int pairs = p * (p - 1) / 2;
        long[] allOnes = new long[p];
        long[][] allBoth = new long[p][p];
        boolean indicators = indicated.stream().anyMatch(v -> !v.isEmpty());
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet set = statement.executeQuery()) {
            while (set.next()) {
                List<CoxBin> bins = byStratum.get(set.getString(1));
                if (bins == null) {
                    // A stored value outside the data model's levels: the importer refuses those, so none is counted.
                    continue;
                }
                long bin = TimeBins.number(set.getDouble(2), time);
                int k = 3;
                long events = set.getLong(k++);
                long censored = set.getLong(k++) - events;
                TimeBins.check(guard, events, time);
                TimeBins.check(guard, censored, time);
                CoxBin.Builder out = CoxBin.newBuilder()
                        .setStratum(set.getString(1))
                        .setBin(bin)
                        .setEvents(events)
                        .setCensored(censored);
                out.setW(set.getDouble(k++));
                for (int i = 0; i < p; i++) {
                    out.addWx(set.getDouble(k++));
                }
                for (int i = 0; i < triangle; i++) {
                    out.addWxx(set.getDouble(k++));
                }
                out.setEventW(set.getDouble(k++));
                for (int i = 0; i < p; i++) {
                    out.addEventWx(set.getDouble(k++));
                }
                for (int i = 0; i < triangle; i++) {
                    out.addEventWxx(set.getDouble(k++));
                }
                long[] eventOnes = new long[p];
                long[][] eventBoth = new long[p][p];
                k = read(set, k, eventOnes, eventBoth);
                for (int i = 0; i < p; i++) {
                    out.addEventX(set.getDouble(k - p - pairs + i));
                }
                long[] rowOnes = new long[p];
                long[][] rowBoth = new long[p][p];
                k = read(set, k, rowOnes, rowBoth);
                if (indicators) {
                    long[] censoredOnes = new long[p];
                    long[][] censoredBoth = new long[p][p];
                    for (int i = 0; i < p; i++) {
                        censoredOnes[i] = rowOnes[i] - eventOnes[i];
                        allOnes[i] += rowOnes[i];
                        for (int j = 0; j < p; j++) {
                            censoredBoth[i][j] = rowBoth[i][j] - eventBoth[i][j];
                            allBoth[i][j] += rowBoth[i][j];
                        }
                    }
                    if (events > 0) {
                        LevelIndicator.checkCounts(guard, indicated, events, eventOnes, eventBoth);
                    }
                    if (censored > 0) {
                        LevelIndicator.checkCounts(guard, indicated, censored, censoredOnes, censoredBoth);
                    }
                }
                bins.add(out.build());
            }
        }
        if (indicators) {
            LevelIndicator.checkCounts(guard, indicated, n, allOnes, allBoth);
        }
        for (List<CoxBin> bins : byStratum.values()) {
            long atRisk = 0;
            for (int i = bins.size() - 1; i >= 0; i--) {
                atRisk += bins.get(i).getEvents() + bins.get(i).getCensored();
                TimeBins.check(guard, atRisk, time);
            }
            result.addAllBins(bins);
        }
    }

    /** Reads p unweighted sums and the p (p − 1) / 2 sums of pairs (rounded: they are counts where they are used). */
    private static int read(ResultSet set, int k, long[] ones, long[][] both) throws SQLException {
        int p = ones.length;
        for (int i = 0; i < p; i++) {
            ones[i] = Math.round(set.getDouble(k++));
        }
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                both[i][j] = Math.round(set.getDouble(k++));
                both[j][i] = both[i][j];
            }
        }
        return k;
    }

    /**
     * Differencing of the rows behind the figures: for the time, the event, every covariate and the strata, all
     * the rows; for the time and every covariate, each stratum's rows, each bin's events and censored rows per
     * stratum and over all strata (what the manager adds up), against each other and earlier answers.
     */
    private static void checkDifferences(
            Connection connection,
            QueryScope scope,
            CoxStepQuery query,
            Cde time,
            Cde event,
            Cde strata,
            List<Cde> described,
            String where)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        SqlDialect dialect = scope.dialect();
        BoundSql sql = BoundSql.builder()
                .sql("SELECT " + dialect.quote(StoreCatalog.ROW_ID) + ", "
                        + (strata == null ? dialect.toText("''") : dialect.toText(scope.quote(strata))) + ", ceil("
                        + dialect.toDouble(scope.quote(time)) + " / ")
                .parameter(query.getBinWidth())
                .sql("), CASE WHEN " + dialect.toText(scope.quote(event)) + " = ")
                .parameter(query.getEventLevel())
                .sql(" THEN 1 ELSE 0 END FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + where)
                .build();
        RoaringBitmap all = new RoaringBitmap();
        Map<String, RoaringBitmap> strataRows = new TreeMap<>();
        Map<String, RoaringBitmap> cells = new TreeMap<>();
        Map<String, RoaringBitmap> bins = new TreeMap<>();
        RowIds.read(connection, sql, (id, row) -> {
            String level = row.getString(2);
            String bin = Double.toString(row.getDouble(3));
            String outcome = row.getInt(4) == 1 ? "event" : "censored";
            all.add(id);
            strataRows.computeIfAbsent(level, k -> new RoaringBitmap()).add(id);
            cells.computeIfAbsent(level + "\u0000" + bin + "\u0000" + outcome, k -> new RoaringBitmap())
                    .add(id);
            bins.computeIfAbsent(bin + "\u0000" + outcome, k -> new RoaringBitmap())
                    .add(id);
        });
        List<FigureRows> sets = new ArrayList<>();
        for (Cde cde : described) {
            sets.add(FigureRows.values(cde.code(), all));
        }
        for (Cde cde : described) {
            if (cde.equals(strata) || cde.equals(event)) {
                continue;
            }
            String v = cde.code();
            if (strata != null) {
                strataRows.values().forEach(rows -> sets.add(FigureRows.values(v, rows)));
            }
            bins.values().forEach(rows -> sets.add(FigureRows.values(v, rows)));
            cells.values().forEach(rows -> sets.add(FigureRows.values(v, rows)));
        }
        if (!guard.checkFigureRows(scope.model().id(), sets).isEmpty()) {
            PrivacyViolation violation = guard.figureDifferencing();
            throw RefusalException.caller(violation.rule(), violation.message());
        }
    }

    private static String x(int column) {
        return "\"x$" + column + "\"";
    }
}
