package org.mipfed.manager.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.ManagerPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files a manager wrote before its state was replicated, kept as readable copies of the replicated state for
 * operators, backups and restores: {@code users.json} (0600, synced) and one {@code experiments/<id>.json} per
 * experiment. The log is what is durable; an experiment's copy is renamed into place but not synced on its own (a
 * restart replays the log after the latest snapshot and writes the copies again).
 */
final class ReadableCopies {
    private static final Logger LOG = LoggerFactory.getLogger(ReadableCopies.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f\\-]{36}");

    private final ManagerPaths paths;

    ReadableCopies(Path dataDir) {
        this.paths = new ManagerPaths(dataDir);
    }

    /** Writes what {@code command} changed from {@code before} to {@code after}. */
    void after(StateCommand command, ReplicatedState before, ReplicatedState after) {
        if (after.users() != null && after.users() != before.users()) {
            writeUsers(after);
        }
        if (command instanceof StateCommand.PutExperiments put) {
            writeChanged(put.runs(), before, after);
        } else if (command instanceof StateCommand.InterruptExperiments interrupt) {
            writeChanged(interrupt.runs(), before, after);
        } else if (command instanceof StateCommand.ImportExperiments imported) {
            // the importing manager has the files already; another one writes those it lacks
            imported.experiments().forEach(e -> {
                if (!Files.exists(experimentFile(e.id()))) {
                    writeExperiment(new ExperimentLog.Run(e, null));
                }
            });
        } else if (command instanceof StateCommand.RestoreState) {
            // a recovered survivor's whole state: every copy it lacks is written
            loaded(after);
        } else if (command instanceof StateCommand.RemoveExperiments removed) {
            for (String id : removed.ids()) {
                try {
                    Files.deleteIfExists(experimentFile(id));
                } catch (IOException e) {
                    LOG.warn("cannot remove the copy of experiment {}: {}", id, e.getMessage());
                }
            }
        }
    }

    /** The copies of the experiments of {@code runs} that the command changed (a record it skipped is not written). */
    private void writeChanged(java.util.List<ExperimentLog.Run> runs, ReplicatedState before, ReplicatedState after) {
        if (after.experiments() == null) {
            return;
        }
        for (ExperimentLog.Run run : runs) {
            String id = run.experiment().id();
            ExperimentLog.Run now = after.experiments().get(id);
            if (now != null
                    && (before.experiments() == null
                            || now != before.experiments().get(id))) {
                writeExperiment(now);
            }
        }
    }

    /** Brings the copies in line with a state loaded from a snapshot (a restart, or a snapshot from the leader). */
    void loaded(ReplicatedState state) {
        if (state.users() != null) {
            writeUsers(state);
        }
        if (state.experiments() == null) {
            return;
        }
        Set<String> onDisk = new HashSet<>();
        try {
            Files.createDirectories(paths.experiments());
            try (Stream<Path> files = Files.list(paths.experiments())) {
                files.map(p -> p.getFileName().toString())
                        .filter(name -> name.endsWith(".json"))
                        .map(name -> name.substring(0, name.length() - ".json".length()))
                        .filter(id -> ID.matcher(id).matches())
                        .forEach(onDisk::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + paths.experiments() + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, ExperimentLog.Run> entry : state.experiments().entrySet()) {
            if (!onDisk.remove(entry.getKey())) {
                writeExperiment(entry.getValue());
            }
        }
        // a file the state does not know (not imported yet) stays: a group of one imports it at its start
    }

    private void writeUsers(ReplicatedState state) {
        try {
            Pem.writeAtomically(paths.users(), Json.pretty().writeValueAsBytes(state.users()), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the users " + paths.users() + ": " + e.getMessage(), e);
        }
    }

    private Path experimentFile(String id) {
        return paths.experiments().resolve(id + ".json");
    }

    private void writeExperiment(ExperimentLog.Run run) {
        Path target = experimentFile(run.experiment().id());
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(
                    target.getParent(), "." + run.experiment().id() + ".json.", ".tmp");
            try {
                Files.write(temp, Json.mapper().writeValueAsBytes(run.experiment()));
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            // the replicated state has the record; only its readable copy is missing
            LOG.warn(
                    "cannot write the copy of experiment {} in {}: {}",
                    run.experiment().id(),
                    target,
                    e.getMessage());
        }
    }
}
