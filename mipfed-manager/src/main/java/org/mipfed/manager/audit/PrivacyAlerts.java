package org.mipfed.manager.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.TreeMap;
import java.util.function.Function;
import org.mipfed.core.json.Json;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.proto.v1.PrivacyAlert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The privacy alerts nodes raise (a requester spent a node's refusal budget on a dataset and is
 * locked out): each is written to the audit trail ({@value #ACTION}, as the node), counted in
 * {@code mipfed_alerts_total{kind="refusal_budget"}} and kept among the last {@value #KEPT} for
 * {@code GET /admin/alerts} and the portal's admin page. An alert names people and rules, never a
 * figure about the rows. Thread-safe.
 */
public final class PrivacyAlerts {
    private static final Logger LOG = LoggerFactory.getLogger(PrivacyAlerts.class);
    public static final String ACTION = "privacy.alert";
    public static final String KIND = "refusal_budget";
    static final int KEPT = 200;

    private final AuditTrail audit;
    private final Counter counter;
    private final Function<String, String> nodeNames;
    private final Deque<ObjectNode> recent = new ArrayDeque<>();

    /** @param nodeNames a node's name for people (its alias, else its id) */
    public PrivacyAlerts(AuditTrail audit, ManagerMetrics metrics, Function<String, String> nodeNames) {
        this.audit = requireNonNull(audit, "audit is null");
        this.counter = requireNonNull(metrics, "metrics is null").alerts(KIND);
        this.nodeNames = requireNonNull(nodeNames, "nodeNames is null");
    }

    /** An alert from node {@code nodeId}, as its session (mutual TLS) proves it. */
    public void raised(String nodeId, PrivacyAlert alert) {
        ObjectNode details = Json.mapper()
                .createObjectNode()
                .put("kind", KIND)
                .put("node", nodeNames.apply(nodeId))
                .put("node_id", nodeId)
                .put("requester", alert.getRequester())
                .put("data_model", alert.getDataModel())
                .put("dataset", alert.getDataset())
                .put("window_hours", alert.getWindowHours())
                .put(
                        "locked_until",
                        Instant.ofEpochMilli(alert.getLockedUntilUnixMillis()).toString())
                .put("time", Instant.ofEpochMilli(alert.getUnixMillis()).toString());
        ObjectNode rules = details.putObject("refusals_by_rule");
        new TreeMap<>(alert.getRefusalsByRuleMap()).forEach(rules::put);
        LOG.warn(
                "privacy alert from node {}: requester '{}' locked out of dataset {} until {} ({})",
                nodeNames.apply(nodeId),
                alert.getRequester(),
                alert.getDataset(),
                details.path("locked_until").asText(),
                alert.getRefusalsByRuleMap());
        try {
            audit.record("node:" + nodeNames.apply(nodeId), ACTION, AuditTrail.REFUSED, details);
        } catch (RuntimeException e) {
            LOG.error("cannot write the privacy alert to the audit trail", e);
        }
        counter.increment();
        synchronized (recent) {
            recent.addFirst(details);
            while (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
    }

    /** The newest alerts first, at most {@code limit}. */
    public ArrayNode newest(int limit) {
        ArrayNode out = Json.mapper().createArrayNode();
        synchronized (recent) {
            Iterator<ObjectNode> it = recent.iterator();
            for (int i = 0; i < limit && it.hasNext(); i++) {
                out.add(it.next().deepCopy());
            }
        }
        return out;
    }

    /** How many alerts were raised since the manager started. */
    public double count() {
        return counter.count();
    }
}
