package org.mipfed.manager.experiments;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemDocument;
import org.mipfed.core.problem.ProblemType;

/**
 * One analysis run, kept durably: what was asked, by whom, what came back, and who contributed.
 *
 * @param status {@code pending}, {@code running}, {@code success}, {@code error}, {@code interrupted} or
 *     {@code cancelled}
 * @param error the problem JSON when the status is error, interrupted or cancelled
 * @param name what the researcher called it (null when unnamed)
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
        Instant started,
        Instant finished,
        String name) {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String INTERRUPTED = "interrupted";
    public static final String CANCELLED = "cancelled";
    /** The longest name an experiment may have. */
    public static final int MAX_NAME = 200;

    public Experiment {
        requireNonNull(id, "id is null");
        requireNonNull(status, "status is null");
        contributions = contributions == null ? List.of() : List.copyOf(contributions);
        name = name == null || name.isBlank() ? null : name.strip();
    }

    /** What one node contributed. */
    /** A node's part in an analysis; {@code rows} is null under secure aggregation, where no node's own count reaches the manager. */
    public record Contribution(String node, List<String> datasets, Long rows) {}

    public static Experiment pending(String id, String algorithm, String user, JsonNode request) {
        return pending(id, algorithm, user, request, null);
    }

    public static Experiment pending(String id, String algorithm, String user, JsonNode request, String name) {
        return new Experiment(
                id, algorithm, user, request, PENDING, null, null, List.of(), Instant.now(), null, null, name);
    }

    /** The same experiment under another name (null or blank: unnamed). */
    public Experiment named(String newName) {
        return new Experiment(
                id,
                algorithm,
                user,
                request,
                status,
                result,
                error,
                contributions,
                created,
                started,
                finished,
                newName);
    }

    /** Stopped at its user's (or an admin's) request before it finished. */
    public Experiment cancelled(String by) {
        return new Experiment(
                id,
                algorithm,
                user,
                request,
                CANCELLED,
                null,
                document(new Problem(ProblemType.INTERRUPTED, "Cancelled by " + by + " before it finished.")),
                contributions,
                created,
                started,
                Instant.now(),
                name);
    }

    public Experiment running() {
        return new Experiment(
                id, algorithm, user, request, RUNNING, null, null, List.of(), created, Instant.now(), null, name);
    }

    public Experiment succeeded(JsonNode newResult, List<Contribution> newContributions) {
        return new Experiment(
                id,
                algorithm,
                user,
                request,
                SUCCESS,
                newResult,
                null,
                newContributions,
                created,
                started,
                Instant.now(),
                name);
    }

    /** The analysis failed: its problem is kept as the API wrote it, with this experiment as its instance. */
    public Experiment failed(Problem problem) {
        return new Experiment(
                id,
                algorithm,
                user,
                request,
                ERROR,
                null,
                document(problem),
                contributions,
                created,
                started,
                Instant.now(),
                name);
    }

    /** The manager stopped while this experiment was pending or running. */
    public Experiment interrupted(String reason) {
        return new Experiment(
                id,
                algorithm,
                user,
                request,
                INTERRUPTED,
                null,
                document(new Problem(ProblemType.INTERRUPTED, reason)),
                contributions,
                created,
                started,
                Instant.now(),
                name);
    }

    private JsonNode document(Problem problem) {
        return ProblemDocument.of(problem, "/experiments/" + id);
    }

    public boolean unfinished() {
        return PENDING.equals(status) || RUNNING.equals(status);
    }
}
