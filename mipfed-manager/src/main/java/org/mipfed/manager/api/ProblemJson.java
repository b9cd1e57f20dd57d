package org.mipfed.manager.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;

/** Writes RFC 9457 problem documents: the only way errors leave the REST API. */
final class ProblemJson {
    private ProblemJson() {
    }

    static void write(Context ctx, Problem problem) {
        write(ctx, problem.status(), problem.title(), problem.detail());
    }

    static void write(Context ctx, int status, String title, String detail) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        ctx.status(status).contentType("application/problem+json").result(body.toString());
    }
}
