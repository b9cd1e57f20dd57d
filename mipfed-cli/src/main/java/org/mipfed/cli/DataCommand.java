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
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodeImports;
import org.mipfed.node.NodePaths;
import org.mipfed.node.control.ControlClient;
import org.mipfed.node.importer.ImportMode;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mipfed data import}: load MIP CSV files into the node's store, validated, each file all or nothing. */
@Command(name = "data", description = "Manage the node's local data.", subcommands = DataCommand.Import.class)
final class DataCommand {
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
