package org.mipfed.manager.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.mipfed.core.audit.ChainLines;
import org.mipfed.core.audit.HashChainedLog;
import org.mipfed.core.json.Json;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.replication.MemberFile;
import org.mipfed.manager.state.ManagerPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's audit trail: who ran which analysis on which datasets, and every administrative action, one
 * hash-chained line each ({@link HashChainedLog}, bound to the federation's id):
 * {@code {"seq","time","manager","local_seq","user","action","outcome","details":{…},"prev","hash"}}. A line is
 * durable (in this manager's journal, {@code <data dir>/audit.journal}) before the action's answer leaves the manager;
 * the federation's one chain ({@code <data dir>/audit.log} on every manager) receives it through the managers' log.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

    /** Actions, named {@code <thing>.<verb>}. */
    public static final String ANALYSIS_RUN = "analysis.run";

    public static final String EXPERIMENT_SUBMIT = "experiment.submit";
    public static final String EXPERIMENT_DELETE = "experiment.delete";
    public static final String EXPERIMENT_RENAME = "experiment.rename";
    public static final String EXPERIMENT_CANCEL = "experiment.cancel";
    public static final String NODE_LABEL = "node.label";
    public static final String NODE_START = "node.start";
    public static final String NODE_STOP = "node.stop";
    public static final String NODE_REMOVE = "node.remove";
    public static final String JOIN_TOKEN_SHOW = "join_token.show";
    public static final String JOIN_TOKEN_ROTATE = "join_token.rotate";
    public static final String USER_CREATE = "user.create";
    public static final String USER_CHANGE = "user.change";
    public static final String USER_DELETE = "user.delete";
    public static final String TOKEN_CREATE = "token.create";
    public static final String TOKEN_REVOKE = "token.revoke";
    public static final String CA_ROTATE = "ca.rotate";
    public static final String CA_ROTATE_FINISH = "ca.rotate_finish";
    public static final String BACKUP = "backup";
    public static final String MANAGER_DEMOTE = "manager.demote";
    public static final String MANAGER_REMOVE = "manager.remove";
    /** Sign-in attempts of a user name from an address (or of every name from an address) must wait. */
    public static final String SIGN_IN_LOCKOUT = "sign_in.lockout";
    /** A node announced a dataset another node owns; the manager refused the claim (user {@code node:<id>}). */
    public static final String DATASET_CONFLICT = "dataset.conflict";

    public static final String DATASET_MOVE = "dataset.move";

    /** The action was done. */
    public static final String OK = "ok";
    /** The action was refused or failed; the details say why. */
    public static final String REFUSED = "refused";

    /** The fields {@code GET /admin/audit} shows of each line, in this order. */
    private static final String[] SHOWN = {"seq", "time", "manager", "user", "action", "outcome", "details", "hash"};
    /** How long a read of the trail waits for this manager's newest lines to reach the federation's chain. */
    private static final long READ_PATIENCE_MILLIS = 2_000;

    /** The file lines are appended to: the chain itself (alone), or this manager's journal (replicated). */
    private final HashChainedLog log;
    /** Null for a trail written straight into its file. */
    private final ManagerReplication replication;

    private final AuditShipper shipper;

    /**
     * Opens a trail written straight into {@code file}, the chain of federation {@code federationId}, continuing it: for
     * tools working on a stopped manager's data directory (a running manager's chain is written by the managers' log,
     * {@link #replicated}).
     */
    public AuditTrail(Path file, String federationId) {
        this.log = HashChainedLog.open(
                requireNonNull(file, "file is null"), requireNonNull(federationId, "federationId is null"));
        this.replication = null;
        this.shipper = null;
        log.recoveryNotes().forEach(note -> LOG.warn("audit trail {}: {}", file, note));
    }

    private AuditTrail(HashChainedLog journal, ManagerReplication replication) {
        this.log = journal;
        this.replication = replication;
        this.shipper = new AuditShipper(journal.file(), replication);
    }

    /**
     * The trail of a running manager: each line is appended to its journal ({@code D/audit.journal}, durable before
     * {@link #record} returns) and shipped by a writer thread into the federation's one chain through the managers'
     * log, which every manager writes into its {@code D/audit.log}.
     */
    public static AuditTrail replicated(ManagerPaths paths, String federationId, ManagerReplication replication) {
        requireNonNull(replication, "replication is null");
        HashChainedLog journal = openJournal(paths, federationId);
        journal.recoveryNotes().forEach(note -> LOG.warn("audit journal {}: {}", journal.file(), note));
        return new AuditTrail(journal, replication);
    }

    private static HashChainedLog openJournal(ManagerPaths paths, String federationId) {
        return HashChainedLog.open(
                paths.auditJournal(), "journal of " + requireNonNull(federationId, "federationId is null"));
    }

    /**
     * Records an action in the journal of a manager's data directory from another process (a backup): the running
     * manager ships it into the federation's chain, or it does at its next start.
     */
    public static void recordInJournal(
            ManagerPaths paths, String federationId, String user, String action, String outcome, ObjectNode details) {
        String manager = MemberFile.find(paths.raftDir()).map(MemberFile::id).orElse("manager");
        try (HashChainedLog journal = openJournal(paths, federationId)) {
            journal.append(Instant.now(), line(manager, user, action, outcome, details));
        }
    }

    /**
     * Waits (at most {@code millis}) until the chain in a manager's data directory holds the last line of its journal
     * (a running manager ships it within moments); returns whether it does. For a backup taken while the manager runs.
     */
    public static boolean awaitJournalInChain(ManagerPaths paths, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            try {
                JsonNode last = lastLine(paths.auditJournal());
                if (last == null) {
                    return true;
                }
                String manager = last.path("manager").asText("");
                long seq = last.path("seq").asLong();
                Path chain = paths.auditLog();
                long size = ChainLines.size(chain);
                for (byte[] bytes : ChainLines.read(chain, Math.max(0, size - TAIL_BYTES), TAIL_BYTES)
                        .lines()) {
                    JsonNode line = ChainLines.parse(bytes).json();
                    if (line != null
                            && manager.equals(line.path("manager").asText())
                            && line.path("local_seq").asLong() >= seq) {
                        return true;
                    }
                }
            } catch (java.io.IOException e) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
    }

    /** How far from the end {@link #awaitJournalInChain} looks for the journal's last line. */
    private static final int TAIL_BYTES = 256 * 1024;

    private static JsonNode lastLine(Path file) throws java.io.IOException {
        long size = ChainLines.size(file);
        List<byte[]> lines = ChainLines.read(file, Math.max(0, size - TAIL_BYTES), TAIL_BYTES)
                .lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonNode line = ChainLines.parse(lines.get(i)).json();
            if (line != null && line.path("seq").canConvertToLong()) {
                return line;
            }
        }
        return null;
    }

    /** The federation's chain as this manager holds it ({@code D/audit.log}). */
    public Path file() {
        return replication != null ? replication.auditChainFile() : log.file();
    }

    /** Tells {@code observer} how long each append took and whether it failed (the metrics). */
    public void observeAppends(HashChainedLog.AppendObserver observer) {
        log.observeAppends(observer);
    }

    /**
     * Records an action and returns once it is on disk. Safe from any thread.
     *
     * @param user who acted (a user name, or {@code cli:<os user>} for commands run on the manager's machine)
     * @throws java.io.UncheckedIOException if the trail cannot be written
     */
    public void record(String user, String action, String outcome, ObjectNode details) {
        log.append(Instant.now(), line(replication == null ? null : replication.id(), user, action, outcome, details));
        if (shipper != null) {
            shipper.wake();
        }
    }

    private static ObjectNode line(String manager, String user, String action, String outcome, ObjectNode details) {
        ObjectNode line = Json.mapper().createObjectNode();
        if (manager != null) {
            line.put("manager", manager);
        }
        line.put("user", requireNonNull(user, "user is null"))
                .put("action", requireNonNull(action, "action is null"))
                .put("outcome", requireNonNull(outcome, "outcome is null"));
        line.set("details", details == null ? Json.mapper().createObjectNode() : details);
        return line;
    }

    /**
     * The newest {@code limit} lines of the federation's chain, newest first:
     * {@code [{"seq","time","manager","user","action","outcome","details","hash"}]}. A running manager first gives its
     * own newest lines a moment to reach the chain; those that could not (no majority of the managers) come first,
     * with {@code "pending": true}, their journal's {@code local_seq} and no chain {@code seq} or {@code hash}.
     */
    public ArrayNode newest(int limit) {
        ArrayNode out = Json.mapper().createArrayNode();
        if (replication == null) {
            log.newest(limit).forEach(line -> shown(out, line));
            return out;
        }
        List<JsonNode> pending = List.of();
        if (!shipper.awaitShipped(log.head().seq(), READ_PATIENCE_MILLIS)) {
            pending = shipper.pending(limit);
        }
        for (int i = pending.size() - 1; i >= 0 && out.size() < limit; i--) {
            JsonNode line = pending.get(i);
            ObjectNode item = out.addObject();
            for (String field : new String[] {"time", "manager", "user", "action", "outcome", "details"}) {
                if (line.has(field)) {
                    item.set(field, line.get(field));
                }
            }
            item.put("local_seq", line.path("seq").asLong()).put("pending", true);
        }
        if (out.size() < limit) {
            replication.auditNewest(limit - out.size()).forEach(line -> shown(out, line));
        }
        return out;
    }

    private static void shown(ArrayNode out, JsonNode line) {
        ObjectNode item = out.addObject();
        for (String field : SHOWN) {
            if (line.has(field)) {
                item.set(field, line.get(field));
            }
        }
    }

    @Override
    public void close() {
        if (shipper != null) {
            shipper.close();
        }
        log.close();
    }
}
