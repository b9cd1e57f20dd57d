package org.mipfed.manager.experiments;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;

/** Experiments as one JSON file each under {@code D/experiments}, written atomically. */
public final class ExperimentStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f\\-]{36}");
    private final Path dir;

    public ExperimentStore(Path dir) {
        this.dir = requireNonNull(dir, "dir is null");
        try {
            Files.createDirectories(dir);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    public void save(Experiment experiment) {
        try {
            Pem.writeAtomically(dir.resolve(experiment.id() + ".json"), Json.mapper().writeValueAsBytes(experiment), false);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot save experiment " + experiment.id() + ": " + e.getMessage(), e);
        }
    }

    public Optional<Experiment> get(String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path file = dir.resolve(id + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(file.toFile(), Experiment.class));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read experiment " + id + ": " + e.getMessage(), e);
        }
    }

    /** Removes an experiment; returns false when there was none. */
    public boolean delete(String id) {
        if (!ID.matcher(id).matches()) {
            return false;
        }
        try {
            return Files.deleteIfExists(dir.resolve(id + ".json"));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot delete experiment " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Marks every experiment left pending or running by a previous manager process as interrupted:
     * after a crash nothing is lost and nothing stays "running" for ever. Returns how many.
     */
    public int interruptUnfinished(String reason) {
        int count = 0;
        for (Experiment e : list()) {
            if (e.unfinished()) {
                save(e.interrupted(reason));
                count++;
            }
        }
        return count;
    }

    /** Experiments, newest first. */
    public List<Experiment> list() {
        List<Experiment> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                get(f.getFileName().toString().replace(".json", "")).ifPresent(out::add);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot list experiments in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(Experiment::created).reversed());
        return out;
    }
}
