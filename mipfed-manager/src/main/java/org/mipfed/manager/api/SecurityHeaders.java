package org.mipfed.manager.api;

import io.javalin.http.Context;

/**
 * Headers that make browsers treat every response of the manager cautiously: only the manager's own scripts,
 * styles and images run; no framing, no MIME sniffing, no referrer; HTTPS remembered once it is used.
 */
final class SecurityHeaders {
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";
    /** One year; sent only over HTTPS, as RFC 6797 requires. */
    static final String STRICT_TRANSPORT_SECURITY = "max-age=31536000";

    private SecurityHeaders() {
    }

    static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        if ("https".equals(ctx.scheme())) {
            ctx.header("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
        }
        if (ctx.path().startsWith("/auth/")) {
            ctx.header("Cache-Control", "no-store");
        }
    }
}
