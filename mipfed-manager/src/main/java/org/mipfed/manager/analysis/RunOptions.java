package org.mipfed.manager.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.mipfed.core.problem.Problem;

/**
 * What a request accepts, from its {@code flags}: by default every requested dataset is needed; with
 * {@code allow_partial} the analysis completes with the nodes it has, as long as there are at least
 * {@code min_nodes}. {@code timeout} (seconds) bounds the whole analysis. {@code smpc} (secure
 * aggregation) is refused until the manager runs its protocol: ignoring it would let a researcher
 * believe that no node's own aggregates reached the manager when they did.
 */
record RunOptions(boolean allowPartial, int minNodes, Duration timeout) {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    static RunOptions of(ObjectNode flags) {
        boolean partial = false;
        int minNodes = 1;
        Duration timeout = DEFAULT_TIMEOUT;
        JsonNode p = flags.get("allow_partial");
        if (p != null && !p.isNull()) {
            if (!p.isBoolean()) {
                throw Problem.badRequest("flags.allow_partial must be true or false");
            }
            partial = p.booleanValue();
        }
        JsonNode smpc = flags.get("smpc");
        if (smpc != null && !smpc.isNull()) {
            if (!smpc.isBoolean()) {
                throw Problem.badRequest("flags.smpc must be true or false");
            }
            if (smpc.booleanValue()) {
                throw Problem.badRequest("flags.smpc: secure aggregation is not available on this federation yet (the masking "
                        + "protocol exists in mipfed-core, org.mipfed.core.smpc, but nodes and manager do not run it); "
                        + "send the request without it, or with \"smpc\": false, to get results computed from each node's plain aggregates");
            }
        }
        JsonNode m = flags.get("min_nodes");
        if (m != null && !m.isNull()) {
            if (!m.canConvertToInt() || m.asInt() < 1) {
                throw Problem.badRequest("flags.min_nodes must be a whole number of at least 1");
            }
            minNodes = m.asInt();
        }
        JsonNode t = flags.get("timeout");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.asDouble() <= 0 || t.asDouble() > MAX_TIMEOUT.toSeconds()) {
                throw Problem.badRequest("flags.timeout is the analysis' deadline in seconds: a number above 0 and at most " + MAX_TIMEOUT.toSeconds());
            }
            timeout = Duration.ofMillis((long) (t.asDouble() * 1000));
        }
        return new RunOptions(partial, minNodes, timeout);
    }
}
