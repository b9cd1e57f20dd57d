package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mipfed.core.model.DataModel;

/**
 * Attaches data models to sources read in place ({@link AttachedSource}), validates them, and keeps
 * that validation current: a cheap fingerprint (rows and a checksum of their values) is compared
 * before analyses (at most once per {@link #minInterval}) and on the node's schedule; a changed
 * source is validated again, an unreachable one marks its datasets unavailable with the reason,
 * and listeners (the node's session) hear of every change of the datasets at once.
 *
 * <p>Every read of a source runs in a read-only transaction ({@link DataStore#readOnly}).
 */
public final class AttachedSources {
    private final DataStore store;
    private final Clock clock;
    private final Duration minInterval;
    private final Map<String, Instant> lastChecked = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public AttachedSources(DataStore store) {
        this(store, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    public AttachedSources(DataStore store, Clock clock, Duration minInterval) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.minInterval = requireNonNull(minInterval, "minInterval is null");
    }

    /** Called after any change of an attached model's datasets or availability. */
    public void onChange(Runnable listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /**
     * Attaches a data model to a source: checks that the source can be read and has the columns the
     * mapping needs, validates every row, and records the model, the source and its datasets (all or
     * nothing).
     *
     * @throws StoreException saying what is wrong and what to do; nothing is recorded then
     */
    public Validation attach(DataModel model, AttachedSource source) {
        requireNonNull(model, "model is null");
        requireNonNull(source, "source is null");
        if (source.dialect() != store.dialect()) {
            throw new StoreException(
                    source.kind() == AttachedSource.Kind.TABLE
                            ? "A table or view can be attached only on a node whose store is PostgreSQL (the table must"
                                    + " be in that database); this node's store is " + store.location()
                            : "Parquet and CSV files can be attached only on a node whose store is DuckDB; this node's"
                                    + " store is " + store.location() + " (load the files into a table of that"
                                    + " database and attach the table instead)");
        }
        if (!source.dataModel().equals(model.id())) {
            throw new IllegalArgumentException("source of " + source.dataModel() + " given for " + model.id());
        }
        Validation validation;
        AttachedSource typed;
        try {
            typed = source.withNumericColumns(readOnly(connection -> checkColumns(connection, model, source)));
            validation = readOnly(connection -> validate(connection, model, typed));
        } catch (StoreException e) {
            if (e.getCause() == null) {
                throw e;
            }
            throw new StoreException("Cannot attach: " + unreachable(source, e), e);
        }
        if (!validation.status().available()) {
            throw new StoreException("Cannot attach " + source.describe() + ": "
                    + validation.status().reason());
        }
        store.inTransaction(connection -> {
            store.catalog().registerAttached(connection, model, typed, validation.status());
            store.catalog().updateAttached(connection, model, validation.status(), validation.datasets());
            return null;
        });
        lastChecked.put(model.id(), clock.instant());
        fire();
        return validation;
    }

    /** Detaches a data model: its datasets are withdrawn; the source is not touched. */
    public boolean detach(String dataModel) {
        boolean detached = store.inTransaction(connection -> store.catalog().detach(connection, dataModel));
        lastChecked.remove(dataModel);
        if (detached) {
            fire();
        }
        return detached;
    }

    /**
     * Before an analysis: validates the model's source again if its fingerprint changed (checked at most
     * once per {@link #minInterval}). Returns the model as it stands afterwards.
     */
    public StoredDataModel beforeQuery(StoredDataModel stored) {
        if (!stored.attached()) {
            return stored;
        }
        Instant now = clock.instant();
        Instant last = lastChecked.get(stored.id());
        if (last != null && Duration.between(last, now).compareTo(minInterval) < 0) {
            return stored;
        }
        return refresh(stored);
    }

    /** After a read of the source failed during an analysis: finds out whether it is still there. */
    public StoredDataModel afterFailure(StoredDataModel stored) {
        return stored.attached() ? refresh(stored) : stored;
    }

    /** The scheduled check of every attached source. */
    public void refreshAll() {
        for (StoredDataModel stored : store.dataModels()) {
            if (stored.attached()) {
                refresh(stored);
            }
        }
    }

    private StoredDataModel refresh(StoredDataModel stored) {
        lastChecked.put(stored.id(), clock.instant());
        AttachedSource source = stored.source();
        AttachmentStatus previous = stored.status();
        Validation validation;
        try {
            validation = readOnly(connection -> {
                String fingerprint = fingerprint(connection, source);
                if (previous != null
                        && previous.available()
                        && previous.fingerprint().equals(fingerprint)) {
                    return null;
                }
                return validate(connection, stored.model(), source);
            });
        } catch (StoreException e) {
            validation =
                    new Validation(AttachmentStatus.unavailable(clock.instant(), unreachable(source, e)), Map.of());
        }
        if (validation == null) {
            return stored;
        }
        Validation found = validation;
        if (previous != null
                && !previous.available()
                && !found.status().available()
                && previous.reason().equals(found.status().reason())) {
            return stored;
        }
        store.inTransaction(connection -> {
            store.catalog().updateAttached(connection, stored.model(), found.status(), found.datasets());
            return null;
        });
        fire();
        return store.dataModel(stored.id()).orElse(stored);
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }

    private <T> T readOnly(SqlWork<T> work) {
        return store.readOnly(work);
    }

    private static String unreachable(AttachedSource source, StoreException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        return "cannot read " + source.describe() + ": " + message
                + " (restore the source or grant the node's role SELECT on it; mipfed data detach withdraws it)";
    }

    private static String fingerprint(Connection connection, AttachedSource source) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(source.fingerprintSql())) {
            rows.next();
            return rows.getLong(1) + ":" + rows.getString(2);
        }
    }

    /**
     * Refuses a source that lacks a column the mapping (or the data model's codes) needs, naming what it
     * has; returns its columns of a numeric type.
     */
    private static Map<String, String> checkColumns(Connection connection, DataModel model, AttachedSource source)
            throws SQLException {
        Set<String> present = new TreeSet<>();
        Map<String, String> numeric = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(source.probeSql())) {
            ResultSetMetaData meta = rows.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                present.add(meta.getColumnLabel(i));
                switch (meta.getColumnType(i)) {
                    case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT ->
                        numeric.put(meta.getColumnLabel(i), AttachedSource.INTEGER);
                    case Types.REAL, Types.FLOAT, Types.DOUBLE, Types.NUMERIC, Types.DECIMAL ->
                        numeric.put(meta.getColumnLabel(i), AttachedSource.NUMBER);
                    default -> {
                        // Text and anything else is read as text and parsed by the data model's rules.
                    }
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String column : source.sourceColumns(model)) {
            if (!present.contains(column)) {
                missing.add(column);
            }
        }
        if (!missing.isEmpty()) {
            throw new StoreException(source.describe() + " has no column " + shortList(missing) + " (it has "
                    + shortList(new ArrayList<>(present)) + "). Map each variable of " + model.id()
                    + " to a column in mapping.json (\"columns\": {\"code\": \"column\"}), or to null if the source"
                    + " does not have it");
        }
        return numeric;
    }

    /** Up to 12 names, then how many more: a message must stay readable for a wide source. */
    private static String shortList(List<String> names) {
        return names.size() <= 12
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 12)) + " and " + (names.size() - 12) + " more";
    }

    /** Counts the source's rows per rule broken and its valid rows per dataset. */
    private Validation validate(Connection connection, DataModel model, AttachedSource source) throws SQLException {
        String fingerprint = fingerprint(connection, source);
        List<String> rules = new ArrayList<>(source.rules(model).keySet());
        long total;
        long valid;
        Map<String, Long> excluded = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(source.ruleCountsSql(model))) {
            rows.next();
            total = rows.getLong(1);
            valid = rows.getLong(2);
            for (int i = 0; i < rules.size(); i++) {
                long broken = rows.getLong(3 + i);
                if (broken > 0) {
                    excluded.put(rules.get(i), broken);
                }
            }
        }
        Instant now = clock.instant();
        if (source.rowKey() != null) {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(source.duplicateKeysSql(model))) {
                rows.next();
                long duplicates = rows.getLong(1);
                if (duplicates > 0) {
                    return new Validation(
                            AttachmentStatus.unavailable(
                                    now,
                                    "the row key " + source.rowKey() + " of " + source.describe() + " is not unique ("
                                            + duplicates + " valid rows repeat a key); rows need a stable identity for"
                                            + " the privacy guard's history and the folds: fix the source or attach it"
                                            + " with another --row-key"),
                            Map.of());
                }
            }
        }
        Map<String, Long> datasets = new TreeMap<>();
        String dataset = store.dialect().quote(DataModel.DATASET);
        try (PreparedStatement select = connection.prepareStatement("SELECT " + dataset + ", count(*) FROM "
                        + source.rowsSql(model) + " " + store.dialect().quote("rows$") + " GROUP BY " + dataset);
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                datasets.put(rows.getString(1), rows.getLong(2));
            }
        }
        return new Validation(new AttachmentStatus(now, fingerprint, total, valid, excluded, null), datasets);
    }

    /** A validation's result: the status and the valid rows of each dataset. */
    public record Validation(AttachmentStatus status, Map<String, Long> datasets) {
        public Validation {
            requireNonNull(status, "status is null");
            datasets = Map.copyOf(datasets);
        }
    }
}
