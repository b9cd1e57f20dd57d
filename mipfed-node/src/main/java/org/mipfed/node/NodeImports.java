package org.mipfed.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.DataModelException;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ImportException;
import org.mipfed.node.importer.ImportMode;
import org.mipfed.node.importer.ImportResult;
import org.mipfed.node.store.DataStore;

/**
 * Imports a data model's CSV files into a node's store, file by file (each all or nothing),
 * reporting as JSON events: {@code progress}, {@code imported}, {@code error}. The same code serves
 * an import into a stopped node (from the CLI) and into a running one (over its control socket).
 */
public final class NodeImports {
    private NodeImports() {}

    /** {@link #run(DataStore, Path, List, ImportMode, BiConsumer)} of new datasets only. */
    public static boolean run(
            DataStore store, Path dataModelFile, List<Path> files, BiConsumer<String, ObjectNode> events) {
        return run(store, dataModelFile, files, ImportMode.NEW, events);
    }

    /**
     * Returns true when every file was imported. Stops at the first file that fails. {@code mode} says what
     * happens to a dataset already in the store (refused by default).
     */
    public static boolean run(
            DataStore store,
            Path dataModelFile,
            List<Path> files,
            ImportMode mode,
            BiConsumer<String, ObjectNode> events) {
        DataModel model;
        try {
            model = DataModel.parse(Files.readString(dataModelFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            events.accept(
                    "error",
                    Json.mapper()
                            .createObjectNode()
                            .put("message", "Cannot read the data model " + dataModelFile + ": " + e.getMessage()));
            return false;
        } catch (DataModelException e) {
            events.accept(
                    "error",
                    Json.mapper()
                            .createObjectNode()
                            .put("message", dataModelFile.getFileName() + ": " + e.getMessage()));
            return false;
        }
        DataImporter importer = new DataImporter(store);
        for (Path file : files) {
            try {
                ImportResult result = importer.importCsv(
                        model,
                        file,
                        mode,
                        (rows, bytes) -> events.accept(
                                "progress",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("file", file.getFileName().toString())
                                        .put("rows", rows)
                                        .put("bytes", bytes)));
                ObjectNode done = Json.mapper()
                        .createObjectNode()
                        .put("file", file.getFileName().toString())
                        .put("rows", result.rows())
                        .put("data_model", model.id())
                        .put("mode", mode.wireName())
                        .put("replaced_rows", result.replacedRows());
                result.rowsByDataset().forEach(done.putObject("datasets")::put);
                events.accept("imported", done);
            } catch (ImportException e) {
                events.accept(
                        "error",
                        Json.mapper()
                                .createObjectNode()
                                .put("file", file.getFileName().toString())
                                .put("message", e.getMessage()));
                return false;
            }
        }
        return true;
    }
}
