package org.mipfed.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.manager.FederationInit;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * The federation the tests of replicated managers run with real processes over mutual TLS on loopback: three hospital
 * nodes ({@code chuv} and {@code epfl} on DuckDB, {@code uoa} on PostgreSQL, each with three dementia datasets) that
 * joined a first manager, then two more managers added with the real {@code mipfed manager join} and the manager
 * token. One per test class: starting it takes most of a minute on a loaded machine.
 */
final class ThreeManagerFederation implements AutoCloseable {
    /** The nodes' aliases. */
    static final String[] NODES = {"chuv", "epfl", "uoa"};

    private final LocalFederation federation;
    private final String postgresUrl;

    private ThreeManagerFederation(LocalFederation federation, String postgresUrl) {
        this.federation = federation;
        this.postgresUrl = postgresUrl;
    }

    /**
     * Starts the federation in {@code dir}: the first manager and the three nodes, ready, then two more managers
     * (indexes 1 and 2). {@code schema} names the PostgreSQL schema of {@code uoa}'s store (made fresh, dropped at
     * {@link #close}): prefix it with the test's name.
     */
    static ThreeManagerFederation start(Path dir, String schema) {
        String postgresUrl = TestPostgres.freshSchemaUrl(schema);
        LocalFederation federation = null;
        try {
            Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
            federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
            String[][] hospitals = {
                {"chuv", "edsd", null}, {"epfl", "ppmi", null}, {"uoa", "desd-synthdata", postgresUrl}
            };
            for (String[] h : hospitals) {
                List<Path> csvs = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    csvs.add(data.resolve(h[1] + i + ".csv"));
                }
                federation.addNode(
                        h[0],
                        h[2],
                        PrivacyPolicy.DEFAULT.withMinRows(10),
                        List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs)));
            }
            federation.start("all");
            federation.awaitReady(Duration.ofSeconds(120), NODES);
            for (int expected = 1; expected <= 2; expected++) {
                int added = federation.addManager();
                if (added != expected) {
                    throw new IllegalStateException("the joined manager got index " + added + ", not " + expected);
                }
            }
            return new ThreeManagerFederation(federation, postgresUrl);
        } catch (RuntimeException | Error e) {
            if (federation != null) {
                try {
                    federation.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            TestPostgres.dropSchemaOf(postgresUrl);
            throw e;
        }
    }

    /** The processes: managers 0 to 2 (0 the first), the nodes by alias. */
    LocalFederation federation() {
        return federation;
    }

    /** Waits until every manager that runs lists the three nodes as ready (each node holds a session to each). */
    void awaitNodesReadyOnEveryManager(Duration timeout) {
        for (int i = 0; i < federation.managerCount(); i++) {
            Process p = federation.managerProcess(i);
            if (p != null && p.isAlive()) {
                TestNodesWithTwoManagers.awaitReadyOn(federation.admin(i), timeout, NODES);
            }
        }
    }

    /** The index of the manager that says it is the leader. */
    int leader() {
        for (int i = 0; i < federation.managerCount(); i++) {
            for (JsonNode m : federation.admin(i).get("/admin/managers")) {
                if (m.path("self").asBoolean() && m.path("role").asText().equals("leader")) {
                    return i;
                }
            }
        }
        throw new AssertionError("no manager says it is the leader");
    }

    /**
     * The distinct {@code applied_index/digest} pairs every manager lists for every manager ({@code GET
     * /admin/managers} through each one): one pair, with a digest, when they all converged.
     */
    Set<String> digests() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < federation.managerCount(); i++) {
            for (JsonNode m : federation.admin(i).get("/admin/managers")) {
                seen.add(m.path("applied_index").asText() + "/"
                        + m.path("digest").asText());
            }
        }
        return seen;
    }

    /** Whether every manager lists the same applied index and digest for every manager. */
    boolean sameDigest() {
        Set<String> seen = digests();
        return seen.size() == 1 && !seen.iterator().next().endsWith("/null");
    }

    /** A request to manager {@code manager}'s REST API with its own admin token, ending after {@code deadline}. */
    HttpRequest.Builder request(int manager, String path, Duration deadline) {
        String token = FederationInit.adminToken(federation.managerPaths(manager));
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + federation.managerHttpPort(manager) + path))
                .timeout(deadline)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
    }

    @Override
    public void close() {
        try {
            federation.close();
        } finally {
            TestPostgres.dropSchemaOf(postgresUrl);
        }
    }
}
