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
 * These paths are open to anyone (see {@code Access}); the data behind them is not.
 */
public final class Portal {
    public static final String PATH = "/portal/";

    private Portal() {}

    /** Serves the portal's files and the WebJars. */
    public static void configure(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/portal";
            files.directory = "/portal";
            files.location = Location.CLASSPATH;
            // revalidated on every load, so a new manager version's portal is used at once
            files.headers = Map.of("Cache-Control", "no-cache");
        });
        config.staticFiles.enableWebjars();
    }

    /** {@code GET /} leads to the portal. */
    public static void routes(Javalin app) {
        app.get("/", Portal::redirect);
    }

    private static void redirect(Context ctx) {
        ctx.redirect(PATH);
    }
}
