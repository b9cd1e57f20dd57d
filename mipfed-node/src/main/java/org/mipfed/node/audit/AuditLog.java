package org.mipfed.node.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.mipfed.core.audit.HashChainedLog;
import org.mipfed.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own record of every request it answered or refused ({@code N/audit.log}): one JSON object per
 * line, hash-chained and checkpointed ({@link HashChainedLog}), so a changed, removed or cut-off line shows
 * under {@code mipfed audit verify}. A line is durable before the answer leaves the node. Only names and
 * counts are written, never data values.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    /** The identity of a log opened without one (tests, the benchmark's pooled store). */
    public static final String UNNAMED = "unnamed node";

    private final HashChainedLog log;

    /** Opens the log for appending, creating it (and its directory) if needed. */
    public AuditLog(Path file) {
        this(file, UNNAMED);
    }

    /**
     * Opens the log of node {@code nodeId}: its chain starts from a value bound to the id, so one node's log
     * cannot pass for another's.
     *
     * @throws java.io.UncheckedIOException if it cannot be opened or does not match its checkpoint (tampered)
     */
    public AuditLog(Path file, String nodeId) {
        this.log = HashChainedLog.open(requireNonNull(file, "file is null"), requireNonNull(nodeId, "nodeId is null"));
        log.recoveryNotes().forEach(note -> LOG.warn("audit log {}: {}", file, note));
    }

    public Path file() {
        return log.file();
    }

    /** Tells {@code observer} how long each append took and whether it failed (the metrics). */
    public void observeAppends(HashChainedLog.AppendObserver observer) {
        log.observeAppends(observer);
    }

    /**
     * Appends one line and returns once it is on disk; safe to call from any thread.
     *
     * @throws java.io.UncheckedIOException if it cannot: an unwritable audit log must stop answers, not be skipped
     */
    public void record(AuditEntry entry) {
        log.append(entry.time(), fields(entry));
    }

    static ObjectNode fields(AuditEntry entry) {
        ObjectNode line = Json.mapper()
                .createObjectNode()
                .put("request_id", entry.requestId())
                .put("manager", entry.manager())
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
        if (entry.message() != null) {
            line.put("message", entry.message());
        }
        line.put("millis", entry.millis());
        return line;
    }

    /**
     * Appends a privacy alert: {@code requester} spent the refusal budget on a dataset and is locked
     * out. Names and counts of refusals by rule only, never a figure about the rows.
     */
    public void recordAlert(
            Instant time,
            String requester,
            String dataModel,
            String dataset,
            java.util.Map<String, Integer> refusalsByRule,
            int windowHours,
            Instant lockedUntil) {
        ObjectNode line = Json.mapper()
                .createObjectNode()
                .put("event", "privacy_alert")
                .put("requester", requester)
                .put("data_model", dataModel)
                .put("dataset", dataset);
        ObjectNode rules = line.putObject("refusals_by_rule");
        refusalsByRule.forEach(rules::put);
        line.put("window_hours", windowHours).put("locked_until", lockedUntil.toString());
        log.append(time, line);
    }

    /** Appends the operator's lifting of {@code requester}'s lockouts ({@code mipfed node unlock}). */
    public void recordUnlock(Instant time, String requester) {
        log.append(
                time,
                Json.mapper()
                        .createObjectNode()
                        .put("event", "privacy_unlock")
                        .put("requester", requester)
                        .put("by", "operator"));
    }

    /**
     * Appends the cancel of an analysis by the manager: who cancelled it, which manager said so, and how many of its
     * primitives were running and were stopped.
     */
    public void recordCancel(Instant time, String analysisId, String requester, String manager, int interrupted) {
        log.append(
                time,
                Json.mapper()
                        .createObjectNode()
                        .put("event", "analysis_cancel")
                        .put("analysis_id", analysisId)
                        .put("requester", requester)
                        .put("manager", manager)
                        .put("interrupted", interrupted));
    }

    private static void array(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    @Override
    public void close() {
        log.close();
    }
}
