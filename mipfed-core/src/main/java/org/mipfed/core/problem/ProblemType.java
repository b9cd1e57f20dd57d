package org.mipfed.core.problem;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every kind of failure mipfed reports, once: a stable {@code code} clients branch on, the HTTP status it is sent
 * with, a title that never changes from one occurrence to the next, and the RFC 9457 {@code type} URI. What differs
 * between occurrences (which variable, which node, what to do) goes in the problem's detail and extension fields.
 *
 * <p>Adding a kind of failure means adding a constant here; nothing else maps statuses or titles.
 */
public enum ProblemType {
    // ---- the caller's request ----
    /** The request is malformed or names something that cannot be used (a variable, a parameter, a filter). */
    INVALID_REQUEST(400, "Invalid request"),
    /**
     * The request is well formed but names data this federation does not hold: a data model, dataset or variable
     * that is unknown (Exareme2's "bad user input").
     */
    UNKNOWN_DATA(400, "Unknown data"),
    /** Too few rows are left to compute the answer (none after the filters, fewer than the model's coefficients). */
    NOT_ENOUGH_DATA(400, "Not enough data"),
    /** Secure aggregation was asked for where it cannot work (the datasets are all on one node). */
    SECURE_AGGREGATION_NOT_POSSIBLE(400, "Secure aggregation not possible"),
    /** A node refused to answer; the problem carries the node and the node's rule ({@code min_rows}, ...). */
    REFUSED_BY_NODE(400, "Refused by a node"),
    /** Sign-in was attempted in a way the manager does not accept (expired, started elsewhere). */
    INVALID_SIGN_IN(400, "Invalid sign-in"),
    UNAUTHORIZED(401, "Unauthorized"),
    SIGN_IN_REFUSED(401, "Sign-in refused"),
    FORBIDDEN(403, "Forbidden"),
    WRONG_PASSWORD(403, "Wrong password"),
    ACCOUNT_DISABLED(403, "Account disabled"),
    JOIN_REFUSED(403, "Join refused"),
    MANAGER_NOT_TRUSTED(403, "Manager not trusted"),
    CANNOT_DECRYPT(403, "Cannot decrypt"),
    NOT_FOUND(404, "Not found"),
    /** The path exists but not with this HTTP method ({@code DELETE /datasets}). */
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    /** The request contradicts the federation's current state (already exists, last admin, rotation running). */
    CONFLICT(409, "Conflict with the current state"),
    ALREADY_JOINED(409, "Already joined"),
    REQUEST_TOO_LARGE(413, "Request too large"),
    URI_TOO_LONG(414, "URL too long"),
    /** A configuration file or value cannot be used; nothing was started. */
    INVALID_CONFIGURATION(422, "Invalid configuration"),
    /** The request is well formed but asks for what cannot be done (an alias taken, ...). */
    UNPROCESSABLE(422, "Cannot be done"),
    TOO_MANY_REQUESTS(429, "Too many requests"),
    HEADERS_TOO_LARGE(431, "Headers too large"),

    // ---- the system's own faults ----
    INTERNAL_ERROR(500, "Internal error"),
    CANNOT_READ_CONFIGURATION(500, "Cannot read the configuration"),
    IMPORT_FAILED(500, "Import failed"),
    /** A node failed while answering (not a refusal: an error on its side). */
    NODE_ERROR(502, "Node error"),
    /** A node's answer does not fit the request or the other nodes' answers. */
    INCONSISTENT_NODE_ANSWER(502, "Inconsistent node answer"),
    JOIN_FAILED(502, "Join failed"),
    IDENTITY_PROVIDER_ERROR(502, "Identity provider error"),
    /** A node stopped answering during the analysis (its session was lost and did not come back in time). */
    NODE_UNAVAILABLE(503, "Node unavailable"),
    /** Requested datasets are held by nodes that are not available now (stopped, or down before the analysis). */
    DATASET_UNAVAILABLE(503, "Dataset unavailable"),
    TOO_FEW_NODES(503, "Too few nodes"),
    MANAGER_UNAVAILABLE(503, "Manager unavailable"),
    INTERRUPTED(503, "Interrupted"),
    /** A node is connected but did not answer within the analysis' deadline. */
    TIMED_OUT(503, "Timed out");

    private static final String TYPE_PREFIX = "urn:mipfed:problem:";

    private final int status;
    private final String title;
    private final String code;

    ProblemType(int status, String title) {
        this.status = status;
        this.title = title;
        this.code = name().toLowerCase(Locale.ROOT);
    }

    /** The HTTP status this kind of failure is sent with. */
    public int status() {
        return status;
    }

    /** The short, fixed summary (RFC 9457 {@code title}). */
    public String title() {
        return title;
    }

    /** The stable machine-readable code, e.g. {@code refused_by_node}; clients branch on this, not on text. */
    public String code() {
        return code;
    }

    /** The RFC 9457 {@code type}: {@code urn:mipfed:problem:<code>}. */
    public URI type() {
        return URI.create(TYPE_PREFIX + code);
    }

    /** Whether the caller can fix it (4xx) rather than the system (5xx). */
    public boolean callersFault() {
        return status < 500;
    }

    /** The type with this {@code code}, e.g. as read back from a problem document. */
    public static Optional<ProblemType> fromCode(String code) {
        return Arrays.stream(values()).filter(t -> t.code.equals(code)).findFirst();
    }

    /** The most fitting type for a bare HTTP status, for answers from elsewhere that carry no code. */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 400 -> INVALID_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 409 -> CONFLICT;
            case 413 -> REQUEST_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 422 -> UNPROCESSABLE;
            case 429 -> TOO_MANY_REQUESTS;
            case 431 -> HEADERS_TOO_LARGE;
            case 502 -> NODE_ERROR;
            case 503 -> MANAGER_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }
}
