package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;

/**
 * The store's layout: a catalog of data models, datasets and imported files, and one data table
 * per data model ({@code data_<code>_<version>}) with a {@code _row_id} column and one column per
 * CDE. Every method runs on a connection the caller got from the store, so it joins the caller's
 * transaction. Timestamps are ISO-8601 UTC text, which both stores sort and read the same way.
 */
public final class StoreCatalog {
    /** The data tables' row number, unique within a table; folds will hash it. */
    public static final String ROW_ID = "_row_id";

    static final String DATA_MODELS = "mipfed_data_models";
    static final String DATASETS = "mipfed_datasets";
    static final String IMPORTS = "mipfed_imports";
    static final String ATTACHMENTS = "mipfed_attachments";
    private static final int MAX_IDENTIFIER = 63;
    /** Compiled once: every primitive names its data table. */
    private static final Pattern NOT_IN_TABLE_NAME = Pattern.compile("[^A-Za-z0-9]");

    private final SqlDialect dialect;

    public StoreCatalog(SqlDialect dialect) {
        this.dialect = requireNonNull(dialect, "dialect is null");
    }

    /** The data table of a data model, e.g. {@code data_dementia_0_1}. */
    public static String dataTable(DataModel model) {
        return "data_" + model.code() + "_"
                + NOT_IN_TABLE_NAME.matcher(model.version()).replaceAll("_");
    }

    /**
     * What a primitive reads a data model's rows from: its data table, or for an attached model the
     * source's valid rows as a derived table (in parentheses; the caller gives it an alias).
     */
    public static String rows(StoredDataModel stored, SqlDialect dialect) {
        return stored.attached() ? stored.source().rowsSql(stored.model()) : dialect.quote(dataTable(stored.model()));
    }

    void createIfAbsent(Connection connection) throws SQLException {
        String text = dialect.textType();
        try (Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS " + q(DATA_MODELS) + " (" + q("code") + " " + text + " NOT NULL, "
                            + q("version") + " " + text + " NOT NULL, " + q("cdes_json") + " " + text + " NOT NULL, "
                            + "PRIMARY KEY (" + q("code") + ", " + q("version") + "))");
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS " + q(DATASETS) + " (" + q("data_model") + " " + text + " NOT NULL, "
                            + q("code") + " " + text + " NOT NULL, " + q("label") + " " + text + ", " + q("rows")
                            + " BIGINT NOT NULL, "
                            + q("source") + " " + text + ", " + q("imported_at") + " " + text + ", "
                            + "PRIMARY KEY (" + q("data_model") + ", " + q("code") + "))");
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS " + q(IMPORTS) + " (" + q("data_model") + " " + text + " NOT NULL, "
                            + q("source") + " " + text + " NOT NULL, " + q("sha256") + " " + text + " NOT NULL, "
                            + q("bytes") + " BIGINT NOT NULL, " + q("rows") + " BIGINT NOT NULL, " + q("imported_at")
                            + " " + text + " NOT NULL, "
                            + "PRIMARY KEY (" + q("data_model") + ", " + q("sha256") + "))");
            statement.execute("CREATE TABLE IF NOT EXISTS " + q(ATTACHMENTS) + " (" + q("data_model") + " " + text
                    + " NOT NULL PRIMARY KEY, " + q("source_json") + " " + text + " NOT NULL, " + q("status_json")
                    + " " + text + " NOT NULL)");
        }
    }

    /**
     * Registers a data model whose rows an attached source holds: the model and the source, no data
     * table. Refused if the model is already in the store (imported, or attached to another source).
     */
    public void registerAttached(Connection connection, DataModel model, AttachedSource source, AttachmentStatus status)
            throws SQLException {
        checkStorable(model, dataTable(model));
        if (storedJson(connection, model).isPresent()) {
            Optional<AttachedSource> attached = attachment(connection, model.id());
            throw new StoreException(
                    "The data model " + model.id() + " is already in this node's store"
                            + attached.map(a ->
                                            ", attached to " + a.describe() + "; detach it first (mipfed data detach)")
                                    .orElse(
                                            " with imported rows: a data model's rows come either from imports or from one"
                                                    + " attached source; attach it to a node without them, or give the model a new version"));
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + q(DATA_MODELS) + " (" + q("code")
                + ", " + q("version") + ", " + q("cdes_json") + ") VALUES (?, ?, ?)")) {
            insert.setString(1, model.code());
            insert.setString(2, model.version());
            insert.setString(3, model.json());
            insert.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + q(ATTACHMENTS) + " ("
                + q("data_model") + ", " + q("source_json") + ", " + q("status_json") + ") VALUES (?, ?, ?)")) {
            insert.setString(1, model.id());
            insert.setString(2, source.toJson());
            insert.setString(3, status.toJson().toString());
            insert.executeUpdate();
        }
    }

    /** The source a data model is attached to, if it is. */
    public Optional<AttachedSource> attachment(Connection connection, String dataModel) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + q("source_json") + " FROM " + q(ATTACHMENTS) + " WHERE " + q("data_model") + " = ?")) {
            select.setString(1, dataModel);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(AttachedSource.fromJson(rows.getString(1))) : Optional.empty();
            }
        }
    }

    /** Records a new validation of an attached source and replaces its datasets by those it found. */
    public void updateAttached(
            Connection connection, DataModel model, AttachmentStatus status, Map<String, Long> datasets)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + q(ATTACHMENTS) + " SET " + q("status_json") + " = ? WHERE " + q("data_model") + " = ?")) {
            update.setString(1, status.toJson().toString());
            update.setString(2, model.id());
            if (update.executeUpdate() == 0) {
                throw new StoreException("The data model " + model.id() + " is not attached to a source here");
            }
        }
        deleteDatasets(connection, model.id());
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + q(DATASETS) + " ("
                + q("data_model") + ", " + q("code") + ", " + q("label") + ", " + q("rows") + ", " + q("source") + ", "
                + q("imported_at") + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Long> dataset : datasets.entrySet()) {
                insert.setString(1, model.id());
                insert.setString(2, dataset.getKey());
                insert.setString(3, model.datasets().getOrDefault(dataset.getKey(), dataset.getKey()));
                insert.setLong(4, dataset.getValue());
                insert.setString(5, "attached");
                insert.setString(6, status.checkedAt().toString());
                insert.executeUpdate();
            }
        }
    }

    /**
     * Forgets an attached data model: its source, its datasets and the model itself (it has no data table).
     *
     * @return false if the model is not attached here
     */
    public boolean detach(Connection connection, String dataModel) throws SQLException {
        int removed;
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM " + q(ATTACHMENTS) + " WHERE " + q("data_model") + " = ?")) {
            delete.setString(1, dataModel);
            removed = delete.executeUpdate();
        }
        if (removed == 0) {
            return false;
        }
        deleteDatasets(connection, dataModel);
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM " + q(DATA_MODELS) + " WHERE " + q("code") + " || ':' || " + q("version") + " = ?")) {
            delete.setString(1, dataModel);
            delete.executeUpdate();
        }
        return true;
    }

    private void deleteDatasets(Connection connection, String dataModel) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM " + q(DATASETS) + " WHERE " + q("data_model") + " = ?")) {
            delete.setString(1, dataModel);
            delete.executeUpdate();
        }
    }

    /**
     * Registers a data model and creates its table, as mipdb's add-data-model does.
     *
     * @return true if it was new, false if the same model was already registered
     * @throws StoreException if a model with the same code and version but other CDEs is registered,
     *     or the model cannot be stored (its table name would clash or be too long)
     */
    public boolean register(Connection connection, DataModel model) throws SQLException {
        String table = dataTable(model);
        checkStorable(model, table);
        Optional<String> stored = storedJson(connection, model);
        if (stored.isPresent()) {
            if (!sameJson(stored.get(), model.json())) {
                throw new StoreException(
                        "The data model " + model.id() + " is already in the store with a different CDEsMetadata.json ("
                                + difference(DataModel.parse(stored.get()), model)
                                + "). A changed data model needs a new version: "
                                + "change 'version' in the file and import again");
            }
            return false;
        }
        for (StoredDataModel other : read(connection)) {
            if (dataTable(other.model()).equalsIgnoreCase(table)) {
                throw new StoreException("The data model " + model.id() + " would be stored in the table " + table
                        + ", which already holds " + other.id()
                        + "; give it a version that differs in more than punctuation");
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + q(DATA_MODELS) + " (" + q("code")
                + ", " + q("version") + ", " + q("cdes_json") + ") VALUES (?, ?, ?)")) {
            insert.setString(1, model.code());
            insert.setString(2, model.version());
            insert.setString(3, model.json());
            insert.executeUpdate();
        }
        StringBuilder create = new StringBuilder("CREATE TABLE ")
                .append(q(table))
                .append(" (")
                .append(q(ROW_ID))
                .append(" BIGINT NOT NULL");
        for (Cde cde : model.cdes().values()) {
            create.append(", ").append(q(cde.code())).append(' ').append(dialect.columnType(cde.sqlType()));
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(create.append(')').toString());
        }
        return true;
    }

    private static void checkStorable(DataModel model, String table) {
        if (table.length() > MAX_IDENTIFIER) {
            throw new StoreException(
                    "The data model " + model.id() + " has a code and version too long for a table name (" + table
                            + " has more than " + MAX_IDENTIFIER + " characters); shorten its code or version");
        }
        Map<String, String> seen = new HashMap<>();
        seen.put(ROW_ID, ROW_ID);
        for (String code : model.cdes().keySet()) {
            // DuckDB matches even quoted names without regard to case, so codes must differ by more than case.
            String previous = seen.putIfAbsent(code.toLowerCase(Locale.ROOT), code);
            if (previous != null) {
                throw new StoreException("The data model " + model.id() + " has the variables '" + previous + "' and '"
                        + code + "', which differ only in case (or clash with the store's own column " + ROW_ID
                        + "); rename one of them");
            }
        }
    }

    private Optional<String> storedJson(Connection connection, DataModel model) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + q("cdes_json") + " FROM "
                + q(DATA_MODELS) + " WHERE " + q("code") + " = ? AND " + q("version") + " = ?")) {
            select.setString(1, model.code());
            select.setString(2, model.version());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    /** Compares as JSON trees, so formatting and key order do not count as a change. */
    private static boolean sameJson(String a, String b) {
        try {
            return Json.mapper().readTree(a).equals(Json.mapper().readTree(b));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static String difference(DataModel stored, DataModel offered) {
        for (String code : offered.cdes().keySet()) {
            if (!stored.cdes().containsKey(code)) {
                return "the variable '" + code + "' is new";
            }
        }
        for (String code : stored.cdes().keySet()) {
            if (!offered.cdes().containsKey(code)) {
                return "the variable '" + code + "' is missing";
            }
            if (!stored.cde(code).equals(offered.cde(code))) {
                return "the variable '" + code + "' differs";
            }
        }
        return "labels or groups differ";
    }

    /** Every data model and its datasets, ordered by id and dataset code. */
    List<StoredDataModel> read(Connection connection) throws SQLException {
        Map<String, List<StoredDataset>> datasets = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT " + q("data_model") + ", " + q("code") + ", " + q("label") + ", "
                                + q("rows") + ", " + q("source") + ", " + q("imported_at") + " FROM " + q(DATASETS)
                                + " ORDER BY " + q("data_model") + ", " + q("code"))) {
            while (rows.next()) {
                String importedAt = rows.getString(6);
                datasets.computeIfAbsent(rows.getString(1), k -> new ArrayList<>())
                        .add(new StoredDataset(
                                rows.getString(2),
                                rows.getString(3),
                                rows.getLong(4),
                                rows.getString(5),
                                importedAt == null ? null : Instant.parse(importedAt)));
            }
        }
        Map<String, String[]> attached = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT " + q("data_model") + ", " + q("source_json") + ", "
                        + q("status_json") + " FROM " + q(ATTACHMENTS))) {
            while (rows.next()) {
                attached.put(rows.getString(1), new String[] {rows.getString(2), rows.getString(3)});
            }
        }
        List<StoredDataModel> models = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT " + q("cdes_json") + " FROM " + q(DATA_MODELS)
                        + " ORDER BY " + q("code") + ", " + q("version"))) {
            while (rows.next()) {
                DataModel model = DataModel.parse(rows.getString(1));
                String[] source = attached.get(model.id());
                models.add(new StoredDataModel(
                        model,
                        datasets.getOrDefault(model.id(), List.of()),
                        source == null ? null : AttachedSource.fromJson(source[0]),
                        source == null ? null : AttachmentStatus.fromJson(source[1])));
            }
        }
        return models;
    }

    /** The datasets of {@code model} in the store, seen from the caller's transaction. */
    public List<StoredDataset> datasets(Connection connection, DataModel model) throws SQLException {
        List<StoredDataset> out = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT " + q("code") + ", " + q("label") + ", "
                + q("rows") + ", " + q("source") + ", " + q("imported_at") + " FROM " + q(DATASETS) + " WHERE "
                + q("data_model") + " = ? ORDER BY " + q("code"))) {
            select.setString(1, model.id());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String importedAt = rows.getString(5);
                    out.add(new StoredDataset(
                            rows.getString(1),
                            rows.getString(2),
                            rows.getLong(3),
                            rows.getString(4),
                            importedAt == null ? null : Instant.parse(importedAt)));
                }
            }
        }
        return out;
    }

    /**
     * Deletes the rows of some datasets whose row id is below {@code belowRowId}: the rows they had
     * before an import that replaces them (the new rows, numbered from there on, stay).
     *
     * @return the rows deleted
     */
    public long deleteRows(Connection connection, DataModel model, Collection<String> datasets, long belowRowId)
            throws SQLException {
        long deleted = 0;
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + q(dataTable(model)) + " WHERE "
                + q(DataModel.DATASET) + " = ? AND " + q(ROW_ID) + " < ?")) {
            for (String dataset : datasets) {
                delete.setString(1, dataset);
                delete.setLong(2, belowRowId);
                deleted += delete.executeUpdate();
            }
        }
        return deleted;
    }

    /** Forgets that a file with this content was imported (it is being imported again, replacing). */
    public void forgetImport(Connection connection, String dataModel, String sha256) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM " + q(IMPORTS) + " WHERE " + q("data_model") + " = ? AND " + q("sha256") + " = ?")) {
            delete.setString(1, dataModel);
            delete.setString(2, sha256);
            delete.executeUpdate();
        }
    }

    /** The first row id free in the data table of {@code model}. */
    public long nextRowId(Connection connection, DataModel model) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT max(" + q(ROW_ID) + ") FROM " + q(dataTable(model)))) {
            rows.next();
            return rows.getLong(1) + 1;
        }
    }

    /** The earlier import of a file with this content into this data model, if any. */
    public Optional<ImportRecord> findImport(Connection connection, String dataModel, String sha256)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + q("source") + ", " + q("bytes") + ", " + q("rows") + ", " + q("imported_at") + " FROM "
                        + q(IMPORTS) + " WHERE " + q("data_model") + " = ? AND " + q("sha256") + " = ?")) {
            select.setString(1, dataModel);
            select.setString(2, sha256);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next()
                        ? Optional.of(new ImportRecord(
                                dataModel,
                                rows.getString(1),
                                sha256,
                                rows.getLong(2),
                                rows.getLong(3),
                                Instant.parse(rows.getString(4))))
                        : Optional.empty();
            }
        }
    }

    /** Whether a file of exactly this size was imported into this data model: only then is a re-import possible. */
    public boolean importedFileOfSize(Connection connection, String dataModel, long bytes) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM " + q(IMPORTS) + " WHERE "
                + q("data_model") + " = ? AND " + q("bytes") + " = ?")) {
            select.setString(1, dataModel);
            select.setLong(2, bytes);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1) > 0;
            }
        }
    }

    public void recordImport(Connection connection, ImportRecord record) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + q(IMPORTS) + " (" + q("data_model")
                + ", "
                + q("source") + ", " + q("sha256") + ", " + q("bytes") + ", " + q("rows") + ", " + q("imported_at")
                + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, record.dataModel());
            insert.setString(2, record.source());
            insert.setString(3, record.sha256());
            insert.setLong(4, record.bytes());
            insert.setLong(5, record.rows());
            insert.setString(6, record.importedAt().toString());
            insert.executeUpdate();
        }
    }

    /**
     * Recounts the rows of some datasets in the data table and records them as coming last from
     * {@code source}.
     *
     * @return the new row count of each dataset, in the order given
     */
    public Map<String, Long> refreshDatasets(
            Connection connection, DataModel model, Collection<String> datasets, String source, Instant at)
            throws SQLException {
        Map<String, Long> found = new HashMap<>();
        if (datasets.isEmpty()) {
            return Map.of();
        }
        String dataset = q(DataModel.DATASET);
        String sql = "SELECT " + dataset + ", count(*) FROM " + q(dataTable(model)) + " WHERE " + dataset + " IN ("
                + String.join(", ", datasets.stream().map(d -> "?").toList()) + ") GROUP BY " + dataset;
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            int i = 1;
            for (String code : datasets) {
                select.setString(i++, code);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String code : datasets) {
            counts.put(code, found.getOrDefault(code, 0L));
        }
        try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM " + q(DATASETS) + " WHERE " + q("data_model") + " = ? AND " + q("code") + " = ?");
                PreparedStatement insert =
                        connection.prepareStatement("INSERT INTO " + q(DATASETS) + " (" + q("data_model") + ", "
                                + q("code") + ", " + q("label") + ", " + q("rows") + ", " + q("source") + ", "
                                + q("imported_at")
                                + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Long> count : counts.entrySet()) {
                delete.setString(1, model.id());
                delete.setString(2, count.getKey());
                delete.executeUpdate();
                insert.setString(1, model.id());
                insert.setString(2, count.getKey());
                insert.setString(3, model.datasets().getOrDefault(count.getKey(), count.getKey()));
                insert.setLong(4, count.getValue());
                insert.setString(5, source);
                insert.setString(6, at.toString());
                insert.executeUpdate();
            }
        }
        return counts;
    }

    private String q(String identifier) {
        return dialect.quote(identifier);
    }
}
