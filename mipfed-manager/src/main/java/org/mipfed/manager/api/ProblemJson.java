package org.mipfed.manager.api;

import io.javalin.http.Context;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemDocument;

/**
 * Writes RFC 9457 problem documents ({@link ProblemDocument}: type, title, status, detail, instance, code and the
 * problem's fields): the only way errors leave the REST API's handlers.
 */
final class ProblemJson {
    private ProblemJson() {}

    static void write(Context ctx, Problem problem) {
        ctx.status(problem.status())
                .contentType("application/problem+json")
                .result(ProblemDocument.of(problem, ctx.path()).toString());
    }
}
