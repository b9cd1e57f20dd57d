package org.mipfed.core.problem;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * The one shape a {@link Problem} takes in JSON (RFC 9457): {@code type} (the type's urn), {@code title},
 * {@code status}, {@code detail}, {@code instance} when known, {@code code}, then the problem's extensions as
 * members ({@code node}, {@code rule}, ...). The REST API's answers and the errors stored with experiments are
 * written by this class alone, so that a client reads every problem the same way and branches on {@code code}.
 */
public final class ProblemDocument {
    /** The standard members; an extension of the same name is not written (it could not be told apart). */
    private static final Set<String> MEMBERS = Set.of("type", "title", "status", "detail", "instance", "code");

    private ProblemDocument() {}

    /** {@code problem} as a document; {@code instance} (the request's path) may be null. */
    public static ObjectNode of(Problem problem, String instance) {
        requireNonNull(problem, "problem is null");
        return of(problem.type(), problem.status(), problem.detail(), instance, problem.extensions());
    }

    /**
     * A document of {@code type} sent with {@code status}: the type's own status, except for answers whose status
     * was fixed elsewhere (a web server's refusal of a status no type names).
     */
    public static ObjectNode of(
            ProblemType type, int status, String detail, String instance, Map<String, String> extensions) {
        requireNonNull(type, "type is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(extensions, "extensions is null");
        // a bare tree: problems sit below the JSON set-up (core.json reports its own failures as problems)
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", type.type().toString());
        body.put("title", type.title());
        body.put("status", status);
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        body.put("code", type.code());
        extensions.forEach((name, value) -> {
            if (!MEMBERS.contains(name)) {
                body.put(name, value);
            }
        });
        return body;
    }
}
