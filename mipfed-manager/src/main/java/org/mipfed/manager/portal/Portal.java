package org.mipfed.manager.portal;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The Federation Web Portal: static files (HTML, ES modules, CSS) from the class path under
 * {@code /portal/}, its chart library from the WebJars under {@code /webjars/}, and {@code /}
 * sending a browser there. The portal calls the REST API on the same origin; it has no build step.
 */
public final class Portal {
    public static final String PATH = "/portal/";
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private Portal() {
    }

    /** Serves the portal's files and the WebJars. */
    public static void configure(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/portal";
            files.directory = "/portal";
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", "no-cache", "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options", "nosniff", "Referrer-Policy", "same-origin");
        });
        config.staticFiles.enableWebjars();
    }

    /** {@code GET /} leads to the portal. */
    public static void routes(Javalin app) {
        app.get("/", Portal::redirect);
    }

    /** The portal's files, the WebJars and the redirect are public: the data behind them is not. */
    public static boolean isPublic(Context ctx) {
        String path = ctx.path();
        return path.equals("/") || path.startsWith(PATH) || path.startsWith("/webjars/");
    }

    private static void redirect(Context ctx) {
        ctx.redirect(PATH);
    }
}
