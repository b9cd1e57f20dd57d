package org.mipfed.manager.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.mipfed.core.problem.Problem;

/**
 * What a request accepts, from its {@code flags}: by default every requested dataset is needed; with
 * {@code allow_partial} the analysis completes with the nodes it has, as long as there are at least
 * {@code min_nodes}. {@code timeout} (seconds) bounds the whole analysis. With {@code smpc} (secure
 * aggregation) the manager learns only the sum over nodes of each aggregate ({@link SecureAggregation}).
 */
record RunOptions(boolean allowPartial, int minNodes, Duration timeout, boolean smpc) {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /**
     * The shortest deadline a request may set: one no node can meet (a round trip over mutual TLS) would end every
     * analysis in a timeout that the caller, not a node, caused.
     */
    private static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

    static RunOptions of(ObjectNode flags) {
        boolean partial = false;
        boolean secure = false;
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
            secure = smpc.booleanValue();
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
            if (!t.isNumber() || !(t.asDouble() >= MIN_TIMEOUT.toSeconds()) || t.asDouble() > MAX_TIMEOUT.toSeconds()) {
                throw Problem.badRequest("flags.timeout is the analysis' deadline in seconds: a number of at least "
                        + MIN_TIMEOUT.toSeconds() + " and at most " + MAX_TIMEOUT.toSeconds());
            }
            timeout = Duration.ofMillis((long) (t.asDouble() * 1000));
        }
        return new RunOptions(partial, minNodes, timeout, secure);
    }
}
