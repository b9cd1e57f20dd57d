package org.mipfed.core.problem;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure a person can act on, carried up to the API as an RFC 9457 problem document. Its {@link ProblemType} fixes
 * the code, status and title; the detail says what happened here and what to do; {@link #extensions()} carry the
 * facts a client may branch on (a refusal's {@code rule} and {@code node}, ...).
 */
public class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final transient Map<String, String> extensions;

    public Problem(ProblemType type, String detail) {
        this(type, detail, Map.of(), null);
    }

    public Problem(ProblemType type, String detail, Throwable cause) {
        this(type, detail, Map.of(), cause);
    }

    public Problem(ProblemType type, String detail, Map<String, String> extensions, Throwable cause) {
        super(requireNonNull(detail, "detail is null"), cause);
        this.type = requireNonNull(type, "type is null");
        this.extensions =
                Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(extensions, "extensions is null")));
    }

    public static Problem badRequest(String detail) {
        return new Problem(ProblemType.INVALID_REQUEST, detail);
    }

    /** Too few rows are left to compute the answer (after the filters, in a group): Exareme2's "insufficient data". */
    public static Problem notEnoughData(String detail) {
        return new Problem(ProblemType.NOT_ENOUGH_DATA, detail);
    }

    public static Problem notFound(String detail) {
        return new Problem(ProblemType.NOT_FOUND, detail);
    }

    public static Problem conflict(String detail) {
        return new Problem(ProblemType.CONFLICT, detail);
    }

    /** A node's refusal: the node and its rule travel as fields, so a client never has to parse the text. */
    public static Problem refusedByNode(String node, String rule, String detail) {
        return new Problem(ProblemType.REFUSED_BY_NODE, detail, Map.of("node", node, "rule", rule), null);
    }

    /** The same problem with another detail, e.g. prefixed with where it happened. */
    public Problem withDetail(String detail) {
        return new Problem(type, detail, extensions, getCause());
    }

    public ProblemType type() {
        return type;
    }

    public int status() {
        return type.status();
    }

    public String title() {
        return type.title();
    }

    public String code() {
        return type.code();
    }

    public String detail() {
        return getMessage();
    }

    /** Facts beyond the detail (string-valued, written as top-level members of the problem document). */
    public Map<String, String> extensions() {
        return extensions;
    }
}
