package org.mipfed.manager.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;

/**
 * Headers that make browsers treat every response of the manager cautiously: only the manager's own scripts,
 * styles and images run; no framing, no MIME sniffing, no referrer; HTTPS remembered once it is used; and no copy
 * of an API answer kept in any cache ({@code Cache-Control: no-store}; the portal's static files may be cached and
 * are revalidated). Set on every response, the server's own error answers included ({@link RequestLimits},
 * {@link ProblemErrorHandler}).
 */
final class SecurityHeaders {
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";
    /** One year; sent only over HTTPS, as RFC 6797 requires. */
    static final String STRICT_TRANSPORT_SECURITY = "max-age=31536000";

    private static final Map<String, String> ALWAYS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "X-Frame-Options", "DENY");

    private SecurityHeaders() {}

    static void apply(HttpServletRequest request, HttpServletResponse response) {
        ALWAYS.forEach(response::setHeader);
        if (request.isSecure()) {
            response.setHeader("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
        }
        if (!staticAsset(RequestLimits.path(request))) {
            response.setHeader("Cache-Control", "no-store");
        }
    }

    /** For answers Jetty writes before any handler runs (a malformed request, too long a URL or headers). */
    static void apply(HttpFields.Mutable fields, boolean secure) {
        ALWAYS.forEach(fields::put);
        if (secure) {
            fields.put("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
        }
        fields.put("Cache-Control", "no-store");
    }

    /** The portal's files and the WebJars: the same for everyone, cacheable (the portal revalidates each load). */
    static boolean staticAsset(String path) {
        return path.equals("/portal") || path.startsWith("/portal/") || path.startsWith("/webjars/");
    }
}
