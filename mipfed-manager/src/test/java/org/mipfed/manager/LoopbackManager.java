package org.mipfed.manager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.mipfed.manager.state.ManagerPaths;

/** A real manager (its own federation, CA and REST API) on free loopback ports, and an HTTP client for its API. */
public final class LoopbackManager implements AutoCloseable {
    private final ManagerPaths paths;
    private final ManagerServer server;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoopbackManager(ManagerPaths paths) {
        this.paths = paths;
        this.token = FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1").adminToken();
        this.server = ManagerServer.start(paths, 0, 0);
    }

    public static LoopbackManager start(Path dataDir) {
        return new LoopbackManager(new ManagerPaths(dataDir));
    }

    public ManagerPaths paths() {
        return paths;
    }

    public ManagerServer server() {
        return server;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    /** A request with the admin token. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token);
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    @Override
    public void close() {
        server.close();
    }
}
