package org.mipfed.node.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One request as the audit log records it: who asked what, over which data, and what the node did.
 *
 * @param requester the user the manager says asked (the manager's word, not checked by the node)
 * @param rowsUsed rows the answer was computed over; -1 when refused before counting
 * @param outcome {@link #ANSWERED} or {@link #REFUSED}
 * @param rule the rule that caused a refusal, or null
 * @param manager who sent the request, as the session's TLS certificate proves it (its subject); empty when the
 *     request did not come over a session (tests, the benchmark)
 * @param message the refusal's text as the requester saw it, or null (it says nothing about the rows, see
 *     PrivacyRefusals; kept so that it can be checked)
 */
public record AuditEntry(
        Instant time,
        String requestId,
        String requester,
        String primitive,
        String dataModel,
        List<String> datasets,
        List<String> variables,
        List<String> filterVariables,
        long rowsUsed,
        String outcome,
        String rule,
        long millis,
        String manager,
        String message) {
    public static final String ANSWERED = "answered";
    public static final String REFUSED = "refused";

    public AuditEntry {
        requireNonNull(time, "time is null");
        requireNonNull(outcome, "outcome is null");
        manager = manager == null ? "" : manager;
        datasets = List.copyOf(datasets);
        variables = List.copyOf(variables);
        filterVariables = List.copyOf(filterVariables);
    }
}
