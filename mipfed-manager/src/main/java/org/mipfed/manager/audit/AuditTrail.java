package org.mipfed.manager.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import org.mipfed.core.audit.HashChainedLog;
import org.mipfed.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's audit trail ({@code <data dir>/audit.log}): who ran which analysis on which datasets, and every
 * administrative action, one hash-chained line each ({@link HashChainedLog}, bound to the federation's id):
 * {@code {"seq","time","user","action","outcome","details":{…},"prev","hash"}}. A line is durable before the
 * action's answer leaves the manager.
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

    private final HashChainedLog log;

    /** Opens the trail of federation {@code federationId}, continuing its chain. */
    public AuditTrail(Path file, String federationId) {
        this.log = HashChainedLog.open(
                requireNonNull(file, "file is null"), requireNonNull(federationId, "federationId is null"));
        log.recoveryNotes().forEach(note -> LOG.warn("audit trail {}: {}", file, note));
    }

    public Path file() {
        return log.file();
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
        ObjectNode line = Json.mapper()
                .createObjectNode()
                .put("user", requireNonNull(user, "user is null"))
                .put("action", requireNonNull(action, "action is null"))
                .put("outcome", requireNonNull(outcome, "outcome is null"));
        line.set("details", details == null ? Json.mapper().createObjectNode() : details);
        log.append(Instant.now(), line);
    }

    /** The newest {@code limit} lines, newest first: {@code [{"seq","time","user","action","outcome","details","hash"}]}. */
    public ArrayNode newest(int limit) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (JsonNode line : log.newest(limit)) {
            ObjectNode item = out.addObject();
            for (String field : new String[] {"seq", "time", "user", "action", "outcome", "details", "hash"}) {
                if (line.has(field)) {
                    item.set(field, line.get(field));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        log.close();
    }
}
