package org.mipfed.node.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.mipfed.core.json.Json;

/**
 * The node's own record of every request it answered or refused ({@code N/audit.log}): one JSON
 * object per line, appended and flushed at once so a crash loses at most the line being written.
 * Only names and counts are written, never data values.
 */
public final class AuditLog implements AutoCloseable {
    private final Path file;
    private final Writer writer;

    /** Opens the log for appending, creating it (and its directory) if needed. */
    public AuditLog(Path file) {
        this.file = requireNonNull(file, "file is null");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot open the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends one line; safe to call from any thread. */
    public void record(AuditEntry entry) {
        String line = toJson(entry);
        synchronized (this) {
            try {
                writer.write(line);
                writer.write('\n');
                writer.flush();
            }
            catch (IOException e) {
                // An unwritable audit log must stop answers, not be skipped silently.
                throw new UncheckedIOException("Cannot write the audit log " + file + ": " + e.getMessage(), e);
            }
        }
    }

    static String toJson(AuditEntry entry) {
        ObjectNode line = Json.mapper().createObjectNode()
                .put("time", entry.time().toString())
                .put("request_id", entry.requestId())
                .put("requester", entry.requester())
                .put("primitive", entry.primitive())
                .put("data_model", entry.dataModel());
        array(line.putArray("datasets"), entry.datasets());
        array(line.putArray("variables"), entry.variables());
        array(line.putArray("filter_variables"), entry.filterVariables());
        line.put("rows_used", entry.rowsUsed()).put("outcome", entry.outcome());
        if (entry.rule() != null) {
            line.put("rule", entry.rule());
        }
        line.put("millis", entry.millis());
        try {
            return Json.mapper().writeValueAsString(line);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree could not be written", e);
        }
    }

    private static void array(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot close the audit log " + file + ": " + e.getMessage(), e);
        }
    }
}
