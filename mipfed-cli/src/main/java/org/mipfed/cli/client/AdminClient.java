package org.mipfed.cli.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;

/**
 * The CLI's way to the running manager: its REST API on this machine (loopback, unless the manager listens on one
 * other address only), with the admin token from D. When the manager serves HTTPS (the default on any address but
 * loopback), the CLI trusts exactly the certificate it serves (D/tls/http-serving.crt), whatever names it holds.
 */
public final class AdminClient {
    private final HttpClient http;
    private final String base;
    private final String token;

    public AdminClient(String base, String token) {
        this(
                base,
                token,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    private AdminClient(String base, String token, HttpClient http) {
        this.base = requireNonNull(base, "base is null");
        this.token = requireNonNull(token, "token is null");
        this.http = requireNonNull(http, "http is null");
    }

    public static AdminClient forManager(ManagerPaths paths) {
        FederationConfig config = FederationInit.config(paths);
        if (Files.isRegularFile(paths.httpServingCertificate())) {
            X509Certificate pinned = Pem.readCertificate(paths.httpServingCertificate());
            HttpClient https = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .sslContext(PinnedCertificate.sslContext(pinned))
                    .build();
            return new AdminClient(
                    "https://" + localHost(config.httpHost()) + ":" + config.httpPort(),
                    FederationInit.adminToken(paths),
                    https);
        }
        return new AdminClient(
                "http://" + localHost(config.httpHost()) + ":" + config.httpPort(), FederationInit.adminToken(paths));
    }

    /**
     * Where on this machine the manager listening on {@code httpHost} answers: 127.0.0.1 when it listens on every
     * interface or on loopback, else the one address it listens on (a name is resolved when connecting).
     */
    static String localHost(String httpHost) {
        String host = httpHost.strip();
        if (host.isEmpty()
                || host.equals("0.0.0.0")
                || host.equals("::")
                || host.equals("[::]")
                || host.equalsIgnoreCase("localhost")
                || host.startsWith("127.")) {
            return "127.0.0.1";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public JsonNode post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(
                    request.header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofMinutes(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank()
                    ? Json.mapper().createObjectNode()
                    : Json.mapper().readTree(response.body());
            if (response.statusCode() >= 400) {
                ProblemType type = ProblemType.fromCode(body.path("code").asText())
                        .orElse(ProblemType.forStatus(response.statusCode()));
                Map<String, String> fields = new LinkedHashMap<>();
                for (String field : new String[] {"node", "rule"}) {
                    if (body.hasNonNull(field)) {
                        fields.put(field, body.get(field).asText());
                    }
                }
                throw new Problem(type, body.path("detail").asText(response.body()), fields, null);
            }
            return body;
        } catch (ConnectException e) {
            throw new Problem(
                    ProblemType.MANAGER_UNAVAILABLE,
                    "The manager is not answering at " + base
                            + ". Start it with: mipfed manager start --data-dir <dir>");
        } catch (IOException e) {
            throw new Problem(
                    ProblemType.MANAGER_UNAVAILABLE, "Cannot talk to the manager at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(ProblemType.INTERRUPTED, "Interrupted while waiting for the manager");
        }
    }
}
