package org.mipfed.node.importer;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.text.EditDistance;
import org.mipfed.node.importer.CellRule.CellException;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.ImportRecord;
import org.mipfed.node.store.RowWriter;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.node.store.StoreException;
import org.mipfed.node.store.StoredDataset;

/**
 * Loads CSV files into a node's store, as mipdb does: the data model is registered first, then
 * every cell of the file is checked against its CDE while the rows stream into the data table in
 * one transaction. A file is loaded whole or not at all, and the same file (by SHA-256) only once.
 * A file with rows of a dataset already in the store is refused unless its {@link ImportMode} says
 * to append them or to replace that dataset's rows: the same data under another file name must not
 * double a dataset silently.
 */
public final class DataImporter {
    private static final long PROGRESS_NANOS = 500_000_000L;
    private static final int PROGRESS_CHECK_ROWS = 1024;

    private final DataStore store;

    public DataImporter(DataStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /**
     * Registers a data model and creates its table if it is new.
     *
     * @return true if it was new
     * @throws ImportException if the store holds another data model with the same code and version
     */
    public boolean registerDataModel(DataModel model) {
        requireNonNull(model, "model is null");
        synchronized (store) {
            try {
                return store.inTransaction(connection -> store.catalog().register(connection, model));
            } catch (StoreException e) {
                throw new ImportException(null, 0, null, e.getMessage());
            }
        }
    }

    /** {@link #importCsv(DataModel, Path, ImportMode, ProgressListener)} of new datasets only. */
    public ImportResult importCsv(DataModel model, Path csv, ProgressListener listener) {
        return importCsv(model, csv, ImportMode.NEW, listener);
    }

    /**
     * Imports one CSV file under {@code model}, registering the model first if needed. What happens
     * to a dataset already in the store is {@code mode}'s choice.
     *
     * @throws ImportException if any cell breaks a rule, the file was imported before (unless it
     *     replaces), a dataset of it is in the store already (mode {@link ImportMode#NEW}), or it
     *     cannot be read; nothing of the file is then in the store, and nothing of it was removed
     */
    public ImportResult importCsv(DataModel model, Path csv, ImportMode mode, ProgressListener listener) {
        requireNonNull(model, "model is null");
        requireNonNull(csv, "csv is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(listener, "listener is null");
        String name =
                csv.getFileName() == null ? csv.toString() : csv.getFileName().toString();
        long started = System.nanoTime();
        // Imports are rare and must not interleave (row ids, duplicate checks): one at a time per store.
        synchronized (store) {
            try {
                return store.inTransaction(connection -> load(connection, model, csv, name, mode, listener, started));
            } catch (StoreException e) {
                throw new ImportException(
                        name,
                        "Cannot import " + name + " into " + model.id() + ": " + e.getMessage() + ". Nothing of " + name
                                + " was imported",
                        e);
            }
        }
    }

    private ImportResult load(
            Connection connection,
            DataModel model,
            Path csv,
            String name,
            ImportMode mode,
            ProgressListener listener,
            long started)
            throws SQLException {
        StoreCatalog catalog = store.catalog();
        try {
            catalog.register(connection, model);
        } catch (StoreException e) {
            throw new ImportException(name, 0, null, "Cannot import " + name + ": " + e.getMessage());
        }
        if (mode != ImportMode.REPLACE) {
            refuseKnownFile(connection, model, csv, name);
        }
        Map<String, StoredDataset> existing = new HashMap<>();
        catalog.datasets(connection, model).forEach(d -> existing.put(d.code(), d));
        MessageDigest sha256 = sha256();
        try (InputStream raw = Files.newInputStream(csv);
                CountingInputStream counted =
                        new CountingInputStream(new DigestInputStream(new BufferedInputStream(raw, 1 << 16), sha256));
                // Bytes that are not UTF-8 become U+FFFD, which the cell rules report with the cell's line and column.
                Reader text = new InputStreamReader(
                        counted,
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPLACE)
                                .onUnmappableCharacter(CodingErrorAction.REPLACE))) {
            CsvReader reader = new CsvReader(text);
            if (!reader.next()) {
                throw new ImportException(
                        name,
                        1,
                        null,
                        name + " is empty; it needs a header row naming its columns " + "(variables of " + model.id()
                                + ", 'dataset' among them)");
            }
            CellRule[] rules = header(reader, model, name);
            List<String> columns = new ArrayList<>();
            columns.add(StoreCatalog.ROW_ID);
            for (CellRule rule : rules) {
                columns.add(rule.column());
            }
            int datasetCell = columns.indexOf(DataModel.DATASET) - 1;
            Map<String, Long> rowsByDataset = new LinkedHashMap<>();
            long firstRowId = catalog.nextRowId(connection, model);
            long rowId = firstRowId;
            long rows = 0;
            long lastProgress = System.nanoTime();
            try (RowWriter writer = store.rowWriter(connection, model, columns)) {
                while (reader.next()) {
                    if (reader.size() != rules.length) {
                        throw new ImportException(
                                name,
                                reader.line(),
                                null,
                                name + " line " + reader.line() + ": the row has " + reader.size()
                                        + " cells but the header has " + rules.length + " columns"
                                        + nothingImported(name));
                    }
                    writer.setLong(0, rowId++);
                    String dataset = null;
                    for (int cell = 0; cell < rules.length; cell++) {
                        try {
                            String value = rules[cell].load(reader, cell, writer, cell + 1);
                            if (cell == datasetCell) {
                                dataset = value;
                            }
                        } catch (CellException e) {
                            throw new ImportException(
                                    name,
                                    reader.line(),
                                    rules[cell].column(),
                                    name + " line " + reader.line() + ", column '" + rules[cell].column() + "': "
                                            + e.getMessage() + nothingImported(name));
                        }
                    }
                    writer.endRow();
                    if (mode == ImportMode.NEW
                            && !rowsByDataset.containsKey(dataset)
                            && existing.containsKey(dataset)) {
                        throw new ImportException(
                                name,
                                reader.line(),
                                DataModel.DATASET,
                                alreadyInStore(name, reader.line(), model, existing.get(dataset)));
                    }
                    rowsByDataset.merge(dataset, 1L, Long::sum);
                    rows++;
                    if (rows % PROGRESS_CHECK_ROWS == 0 && System.nanoTime() - lastProgress >= PROGRESS_NANOS) {
                        listener.progress(rows, counted.count());
                        lastProgress = System.nanoTime();
                    }
                }
            }
            // Checked again on the bytes actually loaded, in case the file changed since the check above.
            String digest = HexFormat.of().formatHex(sha256.digest());
            long replaced = 0;
            if (mode == ImportMode.REPLACE) {
                // The old rows are those below the first new row id; until the commit, readers see them and not the new
                // ones.
                List<String> replacedDatasets = rowsByDataset.keySet().stream()
                        .filter(existing::containsKey)
                        .toList();
                replaced = catalog.deleteRows(connection, model, replacedDatasets, firstRowId);
                catalog.forgetImport(connection, model.id(), digest);
            } else {
                refuseEarlierImport(connection, model, name, digest);
            }
            Instant now = Instant.now();
            catalog.recordImport(connection, new ImportRecord(model.id(), name, digest, counted.count(), rows, now));
            Map<String, Long> totals = catalog.refreshDatasets(connection, model, rowsByDataset.keySet(), name, now);
            listener.progress(rows, counted.count());
            return new ImportResult(
                    model.id(),
                    name,
                    digest,
                    rows,
                    counted.count(),
                    rowsByDataset,
                    totals,
                    replaced,
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (CsvFormatException e) {
            throw new ImportException(
                    name, e.line(), null, name + " line " + e.line() + ": " + e.getMessage() + nothingImported(name));
        } catch (NoSuchFileException e) {
            throw new ImportException(name, "Cannot import " + csv + ": there is no such file", e);
        } catch (IOException e) {
            throw new ImportException(name, "Cannot read " + csv + ": " + e.getMessage() + nothingImported(name), e);
        }
    }

    /**
     * Refuses at once a file imported before, without reading it twice in the usual case: only a
     * file with the size of an earlier import is hashed before loading.
     */
    private void refuseKnownFile(Connection connection, DataModel model, Path csv, String name) throws SQLException {
        try {
            if (store.catalog().importedFileOfSize(connection, model.id(), Files.size(csv))) {
                MessageDigest sha256 = sha256();
                try (InputStream in = new DigestInputStream(Files.newInputStream(csv), sha256)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                refuseEarlierImport(connection, model, name, HexFormat.of().formatHex(sha256.digest()));
            }
        } catch (NoSuchFileException e) {
            throw new ImportException(name, "Cannot import " + csv + ": there is no such file", e);
        } catch (IOException e) {
            throw new ImportException(name, "Cannot read " + csv + ": " + e.getMessage() + nothingImported(name), e);
        }
    }

    private void refuseEarlierImport(Connection connection, DataModel model, String name, String digest)
            throws SQLException {
        Optional<ImportRecord> earlier = store.catalog().findImport(connection, model.id(), digest);
        if (earlier.isPresent()) {
            throw new ImportException(
                    name,
                    0,
                    null,
                    name + " was already imported into " + model.id() + " on "
                            + earlier.get().importedAt() + " (as '"
                            + earlier.get().source() + "', " + earlier.get().rows()
                            + " rows, same SHA-256 " + digest.substring(0, 12) + "…), so it was not imported again; "
                            + "to load it anew in place of its datasets' rows (say, after they were replaced by another file), import it with --replace");
        }
    }

    /** Why a file was refused for a dataset already in the store, and the two ways on. */
    private static String alreadyInStore(String name, long line, DataModel model, StoredDataset dataset) {
        return name + " line " + line + ": the dataset '" + dataset.code() + "' is already in this node's store ("
                + dataset.rows()
                + " rows of " + model.id()
                + (dataset.source() == null ? "" : ", last imported from " + dataset.source())
                + "), so " + name
                + " was not imported: importing it would add its rows to the dataset's. To replace the dataset's rows "
                + "by the file's, import it again with --replace; to add them, with --append. Nothing of " + name
                + " was imported";
    }

    private static CellRule[] header(CsvReader reader, DataModel model, String name) {
        CellRule[] rules = new CellRule[reader.size()];
        Map<String, Integer> seen = new HashMap<>();
        for (int cell = 0; cell < rules.length; cell++) {
            String column = reader.text(cell);
            long line = reader.line();
            if (column.indexOf(CellRule.REPLACEMENT) >= 0) {
                throw new ImportException(
                        name,
                        line,
                        null,
                        name + " line " + line + ": the header is not valid UTF-8 text; "
                                + "save the file with the UTF-8 encoding" + nothingImported(name));
            }
            if (column.isEmpty()) {
                throw new ImportException(
                        name,
                        line,
                        null,
                        name + " line " + line + ": column " + (cell + 1)
                                + " has no name; every column must be named after a variable of " + model.id()
                                + nothingImported(name));
            }
            Cde cde = model.cde(column);
            if (cde == null) {
                throw new ImportException(
                        name,
                        line,
                        column,
                        name + " line " + line + ": the column '" + CellRule.shorten(column)
                                + "' is not a variable of " + model.id() + "; did you mean '" + closest(column, model)
                                + "'? Rename or remove the column" + nothingImported(name));
            }
            Integer previous = seen.putIfAbsent(column, cell + 1);
            if (previous != null) {
                throw new ImportException(
                        name,
                        line,
                        column,
                        name + " line " + line + ": the column '" + column + "' appears twice (columns " + previous
                                + " and " + (cell + 1) + "); remove one of them" + nothingImported(name));
            }
            rules[cell] = new CellRule(cde, model.id());
        }
        if (!seen.containsKey(DataModel.DATASET)) {
            throw new ImportException(
                    name,
                    reader.line(),
                    DataModel.DATASET,
                    name + " line " + reader.line()
                            + ": there is no 'dataset' column; every row must say which dataset it belongs to"
                            + nothingImported(name));
        }
        return rules;
    }

    private static String nothingImported(String name) {
        return ". Nothing of " + name + " was imported; correct the file and import it again";
    }

    /** The CDE code nearest to an unknown column name, by edit distance ignoring case. */
    static String closest(String column, DataModel model) {
        String target = column.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String code : model.cdes().keySet()) {
            int distance = EditDistance.between(target, code.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = code;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
