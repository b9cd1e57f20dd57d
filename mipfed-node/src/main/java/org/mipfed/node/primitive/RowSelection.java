package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.store.StoreCatalog;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads which rows a request selects (its datasets and filter, before any variable's missing values)
 * and has the privacy guard check them against differencing before any primitive runs.
 */
final class RowSelection {
    private RowSelection() {}

    /**
     * @param perDataset whether the primitive answers per dataset (describe): then each dataset's
     *     selection is checked as well, since each dataset's figures could be differenced on their own
     * @param filter a fingerprint of the filter, fold and pairing that chose the rows (0: none)
     * @return the datasets whose figures must be withheld (per dataset only): their own selections
     *     broke a differencing rule, though all of them together did not
     * @throws RefusalException ({@value PrivacyGuard#DIFFERENCING}) when the whole selection breaks one
     */
    static Checked check(
            Connection connection,
            QueryScope scope,
            PrivacyGuard guard,
            boolean perDataset,
            long filter,
            String requester)
            throws SQLException {
        String dataset = scope.dialect().quote(DataModel.DATASET);
        Map<String, RoaringBitmap> selected = new LinkedHashMap<>();
        RoaringBitmap union = new RoaringBitmap();
        BoundSql ids = BoundSql.builder()
                .sql("SELECT " + scope.dialect().quote(StoreCatalog.ROW_ID) + ", " + dataset + " FROM " + scope.table()
                        + " WHERE ")
                .append(scope.where())
                .build();
        try (PreparedStatement statement = ids.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long id = rows.getLong(1);
                if (id < 0 || id > 0xFFFF_FFFFL) {
                    throw new IllegalStateException(
                            "row id " + id + " is outside the 32-bit range the differencing history keeps");
                }
                union.add((int) id);
                if (perDataset) {
                    selected.computeIfAbsent(rows.getString(2), k -> new RoaringBitmap())
                            .add((int) id);
                }
            }
        }
        Map<String, Long> all = new LinkedHashMap<>();
        if (scope.filtered()) {
            BoundSql count = BoundSql.builder()
                    .sql("SELECT " + dataset + ", count(*) FROM " + scope.table() + " WHERE ")
                    .append(scope.datasetsOnly())
                    .sql(" GROUP BY " + dataset)
                    .build();
            try (PreparedStatement statement = count.prepare(connection);
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    all.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        long total = scope.filtered()
                ? all.values().stream().mapToLong(Long::longValue).sum()
                : union.getLongCardinality();
        String model = scope.model().id();
        long fingerprint = scope.filtered() ? filter : 0;
        PrivacyGuard.SelectionVerdict verdict = guard.checkSelection(model, union, total, fingerprint, requester);
        if (verdict.violation() != null) {
            refuse(verdict.violation());
        }
        Set<String> withheld = new TreeSet<>();
        if (perDataset && selected.size() > 1) {
            for (Map.Entry<String, RoaringBitmap> entry : selected.entrySet()) {
                long rows = scope.filtered()
                        ? all.getOrDefault(entry.getKey(), 0L)
                        : entry.getValue().getLongCardinality();
                if (guard.checkSelection(model, entry.getValue(), rows, fingerprint, requester)
                                .violation()
                        != null) {
                    withheld.add(entry.getKey());
                }
            }
        }
        return new Checked(withheld, verdict.probe());
    }

    /**
     * @param withheld the datasets whose figures must be withheld (per dataset only)
     * @param repeated whether the rows were answered before through another filter (counted by the refusal budget)
     */
    record Checked(Set<String> withheld, boolean repeated) {}

    private static void refuse(org.mipfed.node.privacy.PrivacyViolation violation) {
        throw RefusalException.caller(violation.rule(), violation.message());
    }
}
