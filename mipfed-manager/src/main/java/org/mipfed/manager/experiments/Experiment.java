package org.mipfed.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * One analysis run, kept durably: what was asked, by whom, what came back, and who contributed.
 *
 * @param status {@code pending}, {@code running}, {@code success} or {@code error}
 * @param error the problem JSON when status is error
 */
public record Experiment(
        String id,
        String algorithm,
        String user,
        JsonNode request,
        String status,
        JsonNode result,
        JsonNode error,
        List<Contribution> contributions,
        Instant created,
        Instant finished) {
    /** What one node contributed. */
    public record Contribution(String node, List<String> datasets, long rows) {
    }
}
