package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.node.NodeAttachments;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodeImports;
import org.mipfed.node.NodePaths;
import org.mipfed.node.control.ControlClient;
import org.mipfed.node.importer.ImportMode;
import org.mipfed.node.store.AttachedSource;
import org.mipfed.node.store.AttachedSources;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mipfed data import}: load MIP CSV files into the node's store, validated, each file all or nothing;
 * {@code mipfed data attach/detach/ls}: read a data model in place from a table, a view or files.
 */
@Command(
        name = "data",
        description = "Manage the node's local data.",
        subcommands = {
            DataCommand.Import.class,
            DataCommand.Attach.class,
            DataCommand.Detach.class,
            DataCommand.Ls.class
        })
final class DataCommand {
    @Command(
            name = "attach",
            mixinStandardHelpOptions = true,
            description = "Read a data model's rows in place, never copied: a table or view of the node's PostgreSQL"
                    + " database (--table), or Parquet or CSV files on a DuckDB node (--parquet, --csv). Every row is"
                    + " checked against the data model; rows breaking a rule are left out of every analysis and"
                    + " counted (mipfed data ls). Works while the node runs.")
    static final class Attach implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(names = "--data-model", required = true, description = "The data model's CDEsMetadata.json.")
        Path dataModel;

        @Option(names = "--table", description = "SCHEMA.NAME of a table or view the node's role may SELECT from.")
        String table;

        @Option(names = "--parquet", description = "A Parquet file or glob, e.g. '/data/export/*.parquet' (quote it).")
        String parquet;

        @Option(names = "--csv", description = "A CSV file or glob with a header row (quote a glob).")
        String csv;

        @Option(
                names = "--columns",
                paramLabel = "mapping.json",
                description =
                        "Maps data-model codes to the source's columns and the source's codes to the levels:"
                                + " {\"columns\": {\"code\": \"column\"}, \"codes\": {\"code\": {\"source code\": \"level\"}}}.")
        Path mapping;

        @Option(
                names = "--row-key",
                paramLabel = "COLUMN",
                description = "A unique integer column (0 to 4294967295): the rows' identity for the privacy guard's"
                        + " history and the folds. Without it a row's identity is a hash of its values: identical rows"
                        + " share one, and a changed row is a new row.")
        String rowKey;

        @Option(
                names = "--dataset-column",
                paramLabel = "COLUMN",
                description = "The source column naming each row's dataset (default: the mapping's, else 'dataset').")
        String datasetColumn;

        @Override
        public Integer call() throws IOException {
            int given = (table == null ? 0 : 1) + (parquet == null ? 0 : 1) + (csv == null ? 0 : 1);
            if (given != 1) {
                throw Problem.badRequest("Give exactly one source: --table SCHEMA.NAME, --parquet 'PATH/*.parquet' or"
                        + " --csv 'PATH/*.csv'");
            }
            readable(dataModel, "the data model");
            if (mapping != null) {
                readable(mapping, "the mapping");
            }
            AttachedSource.Kind kind = table != null
                    ? AttachedSource.Kind.TABLE
                    : parquet != null ? AttachedSource.Kind.PARQUET : AttachedSource.Kind.CSV;
            String source = table != null ? table : parquet != null ? absolute(parquet) : absolute(csv);
            NodeAttachments.Request request =
                    new NodeAttachments.Request(dataModel, kind, source, mapping, rowKey, datasetColumn);
            JsonNode attached = run(
                    dataDir,
                    request.toJson(),
                    "attached",
                    (store, sources) -> NodeAttachments.attach(store, sources, request));
            print(attached);
            return 0;
        }

        /** A relative path or glob is the caller's: the node may run elsewhere. */
        private static String absolute(String pathOrGlob) {
            return pathOrGlob.startsWith("/") ? pathOrGlob : Path.of("").toAbsolutePath() + "/" + pathOrGlob;
        }
    }

    @Command(
            name = "detach",
            mixinStandardHelpOptions = true,
            description = "Stop reading a data model from its attached source: its datasets are withdrawn at once;"
                    + " the source is not touched.")
    static final class Detach implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Parameters(paramLabel = "CODE:VERSION", description = "The data model, e.g. dementia:0.1.")
        String dataModel;

        @Override
        public Integer call() throws IOException {
            ObjectNode request =
                    Json.mapper().createObjectNode().put("op", "detach").put("data_model", dataModel);
            JsonNode done = run(
                    dataDir,
                    request,
                    "detached",
                    (store, sources) -> Json.mapper()
                            .createObjectNode()
                            .put("data_model", dataModel)
                            .put("detached", sources.detach(dataModel)));
            if (!done.path("detached").asBoolean()) {
                throw Problem.badRequest("The data model " + dataModel + " is not attached to a source on this node"
                        + " (mipfed data ls lists what is)");
            }
            System.out.println(dataModel + ": detached; its datasets are withdrawn");
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List the node's data models: where their rows come from, their datasets, and for an attached"
                    + " source its last check (rows left out, by rule broken; unavailable and why).")
    static final class Ls implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            JsonNode list = run(dataDir, Json.mapper().createObjectNode().put("op", "ls"), "list", (store, sources) -> {
                sources.refreshAll();
                ObjectNode out = Json.mapper().createObjectNode();
                out.set("data_models", NodeAttachments.list(store));
                return out;
            });
            if (json) {
                System.out.println(
                        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(list));
                return 0;
            }
            for (JsonNode model : list.path("data_models")) {
                print(model);
            }
            return 0;
        }
    }

    private interface Direct {
        JsonNode run(DataStore store, AttachedSources sources);
    }

    /** Asks the running node over its control socket, or opens the store itself when no node runs there. */
    private static JsonNode run(Path dataDir, ObjectNode request, String answer, Direct direct) throws IOException {
        NodePaths paths = new NodePaths(DataDirs.node(dataDir));
        NodeConfig config = NodeConfig.load(paths);
        JsonNode[] result = {null};
        String[] error = {null};
        Optional<Boolean> viaNode = ControlClient.call(paths.controlSocket(), request, line -> {
            String kind = line.path("kind").asText();
            if (kind.equals(answer)) {
                result[0] = line;
            } else if (kind.equals("error")) {
                error[0] = line.path("message").asText();
            }
        });
        if (viaNode.isEmpty()) {
            try (DataStore store = DataStores.open(config.store(), paths.dataDir())) {
                return direct.run(store, new AttachedSources(store));
            } catch (StoreException e) {
                throw Problem.badRequest(String.valueOf(e.getMessage()));
            }
        }
        if (error[0] != null) {
            throw Problem.badRequest(error[0]);
        }
        if (result[0] == null) {
            throw new Problem(ProblemType.IMPORT_FAILED, "The node answered nothing; see its log");
        }
        return result[0];
    }

    private static void readable(Path file, String what) {
        if (!Files.isReadable(file)) {
            throw Problem.badRequest("Cannot read " + what + " " + file + ": no such file, or no permission");
        }
    }

    /** One data model as {@code mipfed data ls} shows it. */
    private static void print(JsonNode model) {
        StringBuilder datasets = new StringBuilder();
        model.path("datasets")
                .properties()
                .forEach(e -> datasets.append(datasets.length() == 0 ? "" : ", ")
                        .append(e.getKey())
                        .append(" (")
                        .append(e.getValue().asLong())
                        .append(")"));
        String from = model.path("rows_from").asText();
        System.out.println(model.path("data_model").asText() + ": "
                + (from.equals("imported")
                        ? "imported"
                        : "attached " + from + " " + model.path("source").asText())
                + "; datasets: " + (datasets.length() == 0 ? "none" : datasets));
        if (from.equals("imported")) {
            return;
        }
        if (!model.path("available").asBoolean(true)) {
            System.out.println(
                    "  UNAVAILABLE (checked " + model.path("checked_at").asText() + "): "
                            + model.path("reason").asText());
            return;
        }
        System.out.printf(
                "  checked %s: %,d rows in the source, %,d valid%s%n",
                model.path("checked_at").asText(),
                model.path("source_rows").asLong(),
                model.path("valid_rows").asLong(),
                model.path("row_key").isNull() ? " (no row key: rows known by a hash of their values)" : "");
        model.path("excluded_by_rule")
                .properties()
                .forEach(e -> System.out.printf(
                        "  left out: %,d rows, %s%n", e.getValue().asLong(), e.getKey()));
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description =
                    "Validate and load CSV files of a data model into the node's store (each file all or nothing). Works while the node runs.")
    static final class Import implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(names = "--data-model", required = true, description = "The data model's CDEsMetadata.json.")
        Path dataModel;

        @Parameters(
                arity = "1..*",
                paramLabel = "FILE.csv",
                description = "CSV files with a header of CDE codes and a 'dataset' column.")
        List<Path> files;

        @Option(
                names = "--replace",
                description =
                        "Replace the rows of each dataset of a file that is already in the store by the file's rows "
                                + "(in one transaction: the old rows stay until the new ones are all in, and stay if the import fails).")
        boolean replace;

        @Option(
                names = "--append",
                description = "Add the file's rows to the datasets already in the store. "
                        + "Without --replace or --append, a file with a dataset already in the store is refused.")
        boolean append;

        @Override
        public Integer call() throws IOException {
            if (replace && append) {
                throw Problem.badRequest(
                        "--replace and --append exclude each other: --replace swaps a dataset's rows for the file's, "
                                + "--append adds the file's rows to them; give one of them");
            }
            ImportMode mode = replace ? ImportMode.REPLACE : append ? ImportMode.APPEND : ImportMode.NEW;
            NodePaths paths = new NodePaths(DataDirs.node(dataDir));
            NodeConfig config = NodeConfig.load(paths);
            for (Path f : files) {
                if (!Files.isReadable(f)) {
                    throw Problem.badRequest("Cannot read " + f + ": no such file, or no permission");
                }
            }
            if (!Files.isReadable(dataModel)) {
                throw Problem.badRequest(
                        "Cannot read the data model " + dataModel + ": no such file, or no permission");
            }
            ObjectNode request = Json.mapper()
                    .createObjectNode()
                    .put("op", "import")
                    .put("data_model", dataModel.toAbsolutePath().toString())
                    .put("mode", mode.wireName());
            files.forEach(f -> request.withArray("files").add(f.toAbsolutePath().toString()));
            boolean[] failed = {false};
            Progress progress = new Progress();
            Optional<Boolean> viaNode = ControlClient.call(
                    paths.controlSocket(),
                    request,
                    line -> failed[0] |= progress.event(line.path("kind").asText(), line));
            if (viaNode.isEmpty()) {
                // No node running here: open the store ourselves.
                try (DataStore store = DataStores.open(config.store(), paths.dataDir())) {
                    NodeImports.run(
                            store, dataModel, files, mode, (kind, body) -> failed[0] |= progress.event(kind, body));
                } catch (Problem p) {
                    throw p;
                } catch (Exception e) {
                    throw new Problem(ProblemType.IMPORT_FAILED, String.valueOf(e.getMessage()), e);
                }
            }
            return failed[0] ? 2 : 0;
        }
    }

    /** Prints import events: a progress line per file, a summary per file, errors to stderr. */
    private static final class Progress {
        private long lastPrint;

        boolean event(String kind, JsonNode body) {
            switch (kind) {
                case "progress" -> {
                    long now = System.nanoTime();
                    if (now - lastPrint > 500_000_000L) {
                        lastPrint = now;
                        System.err.printf(
                                "%s: %,d rows, %.1f MB%n",
                                body.path("file").asText(),
                                body.path("rows").asLong(),
                                body.path("bytes").asLong() / 1e6);
                    }
                    return false;
                }
                case "imported" -> {
                    StringBuilder datasets = new StringBuilder();
                    body.path("datasets")
                            .properties()
                            .forEach(e -> datasets.append(datasets.length() == 0 ? "" : ", ")
                                    .append(e.getKey())
                                    .append(" (")
                                    .append(e.getValue().asLong())
                                    .append(")"));
                    long replaced = body.path("replaced_rows").asLong();
                    System.out.printf(
                            "%s: imported %,d rows into %s: %s%s%n",
                            body.path("file").asText(),
                            body.path("rows").asLong(),
                            body.path("data_model").asText(),
                            datasets,
                            replaced > 0 ? String.format(" (replacing %,d rows)", replaced) : "");
                    return false;
                }
                case "error" -> {
                    System.err.println("mipfed: import failed: "
                            + body.path("message").asText()
                            + (body.has("file")
                                    ? " — nothing of " + body.path("file").asText() + " was loaded"
                                    : ""));
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }
    }
}
