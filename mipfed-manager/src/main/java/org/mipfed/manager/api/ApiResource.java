package org.mipfed.manager.api;

import io.javalin.Javalin;

/**
 * The routes of one resource of the REST API (analyses, experiments, the catalogue, an area of administration),
 * registered by {@link RestApi}. A resource gets what it needs through its constructor; who may call a route is
 * decided before by {@link Access}, and its failures are mapped to problem documents by {@link RestApi}.
 */
interface ApiResource {
    void routes(Javalin app);
}
