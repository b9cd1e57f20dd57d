package org.mipfed.manager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.model.DataModel;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodeAgent;
import org.mipfed.node.NodePaths;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.join.NodeJoiner;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;

/**
 * A real manager (its own federation, CA and REST API) on free loopback ports, and an HTTP client for its API; with
 * {@link #withNode}, also a real node joined over mutual TLS, serving dementia data from its DuckDB file.
 */
public final class LoopbackManager implements AutoCloseable {
    private final ManagerPaths paths;
    private final ManagerServer server;
    private final String token;
    private final String workerToken;
    private final List<NodeAgent> nodes = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoopbackManager(ManagerPaths paths) {
        this.paths = paths;
        FederationInit.Created created = FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        this.token = created.adminToken();
        this.workerToken = created.workerToken();
        this.server = ManagerServer.start(paths, 0, 0);
    }

    public static LoopbackManager start(Path dataDir) {
        return new LoopbackManager(new ManagerPaths(dataDir));
    }

    /**
     * Joins a node, imports the dementia CSVs {@code files} into its store, runs it, starts it under {@code alias},
     * and waits until the manager lists its datasets.
     */
    public NodePaths withNode(Path dataDir, String alias, String... files) {
        NodePaths node = new NodePaths(dataDir);
        NodeJoiner.join(node, workerToken, "localhost:" + server.grpcPort(), null, 1);
        DataModel dementia = DataModel.parse(resource("CDEsMetadata.json"));
        try (DataStore store = DataStores.open(null, node.dataDir())) {
            DataImporter importer = new DataImporter(store);
            for (String name : files) {
                Path csv = dataDir.resolve(name);
                Files.writeString(csv, resource(name), StandardCharsets.UTF_8);
                importer.importCsv(dementia, csv, ProgressListener.NONE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NodeAgent agent = NodeAgent.start(node);
        nodes.add(agent);
        String id = agent.config().nodeId();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!get("/datasets").body().contains("\"" + files[0].replace(".csv", "") + "\"")) {
            post("/admin/nodes/" + id + "/labels", "{\"add\": {\"name\": \"" + alias + "\"}}");
            post("/admin/start", "{\"nodes\": [\"" + id + "\"]}");
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the node " + alias + " did not come up: "
                        + get("/healthcheck").body());
            }
            sleep(200);
        }
        return node;
    }

    private static String resource(String name) {
        try (InputStream in = LoopbackManager.class.getResourceAsStream("/org/mipfed/data/dementia_v_0_1/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no dementia resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
        return HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> post(String path, String json) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    @Override
    public void close() {
        nodes.forEach(NodeAgent::close);
        server.close();
    }
}
