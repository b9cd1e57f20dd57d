package org.mipfed.manager.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.mipfed.core.problem.ProblemDocument;
import org.mipfed.core.problem.ProblemType;

/**
 * Answers what Jetty refuses before the REST API sees it (an undecodable URL, oversized headers or body) with an
 * RFC 9457 problem like every other error, instead of Jetty's HTML page, with the {@link SecurityHeaders} too.
 */
final class ProblemErrorHandler extends ErrorHandler {
    /** Jetty's reasons are short English phrases; anything else is not echoed. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 ,.:'()-]{1,120}");

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
        // the scheme is not known here; HSTS comes with every answer that reaches a handler over HTTPS
        SecurityHeaders.apply(fields, false);
        return ByteBuffer.wrap(problem(status, reason, null));
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        baseRequest.setHandled(true);
        SecurityHeaders.apply(request, response);
        Object message = request.getAttribute("jakarta.servlet.error.message");
        byte[] body =
                problem(response.getStatus(), message == null ? null : message.toString(), request.getRequestURI());
        response.setContentType("application/problem+json");
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }

    /**
     * A problem document for {@code status}, with Jetty's {@code reason} appended when it is a plain short phrase about
     * the request (a 4xx); a 5xx's reason may name an exception and stays in the log.
     */
    static byte[] problem(int status, String reason, String instance) {
        ProblemType type = ProblemType.forStatus(status);
        boolean echoed = reason != null
                && status < 500
                && PLAIN.matcher(reason).matches()
                && !reason.equalsIgnoreCase(type.title());
        return document(status, detail(type) + (echoed ? " (" + reason + ")" : ""), instance);
    }

    /**
     * A problem document for {@code status} with the manager's own {@code detail}: the type that status stands for,
     * sent with the status the answer really has.
     */
    static byte[] document(int status, String detail, String instance) {
        return ProblemDocument.of(ProblemType.forStatus(status), status, detail, instance, Map.of())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String detail(ProblemType type) {
        return switch (type) {
            case INVALID_REQUEST ->
                "The manager could not read this request: check the URL's encoding, the headers and the body";
            case REQUEST_TOO_LARGE -> "The request body is larger than the manager accepts; send a smaller request";
            case URI_TOO_LONG -> "The URL is longer than the manager accepts; send the data in the body instead";
            case HEADERS_TOO_LARGE -> "The request's headers are larger than the manager accepts";
            default -> "The manager could not handle this request";
        };
    }
}
