package org.mipfed.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * A real federation (manager and node processes on loopback, mutual TLS) holding the bundled data as
 * Exareme2's validation deployment deals it: every {@code <prefix>0.csv} on the first node, the other
 * files round-robin over all nodes; as there, the nodes apply a privacy minimum of one row and no other
 * rule ({@link PrivacyPolicy#minRowsOnly}), since the expected numbers include small groups.
 */
final class ValidationFederation implements AutoCloseable {
    private final LocalFederation federation;
    private final List<String> pgUrls;

    private ValidationFederation(LocalFederation federation, List<String> pgUrls) {
        this.federation = federation;
        this.pgUrls = pgUrls;
    }

    /**
     * @param name names the working directory (under target/) and the PostgreSQL schemas
     * @param postgres which nodes keep their data in PostgreSQL rather than DuckDB
     * @param data file prefixes to deal, by bundled data model directory (e.g. dementia_v_0_1)
     */
    static ValidationFederation start(String name, int nodes, IntPredicate postgres, Map<String, List<String>> data) {
        if (java.util.stream.IntStream.range(0, nodes).anyMatch(postgres)) {
            TestPostgres.assumeWanted();
        }
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("target"), name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<List<LocalFederation.DataImport>> imports = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            imports.add(new ArrayList<>());
        }
        data.forEach((model, prefixes) -> {
            Path extracted = LocalFederation.extractData(model, dir.resolve(model));
            List<List<Path>> files = deal(extracted, prefixes, nodes);
            for (int i = 0; i < nodes; i++) {
                imports.get(i)
                        .add(new LocalFederation.DataImport(extracted.resolve("CDEsMetadata.json"), files.get(i)));
            }
        });
        LocalFederation federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        List<String> pgUrls = new ArrayList<>();
        String[] aliases = new String[nodes];
        for (int i = 0; i < nodes; i++) {
            aliases[i] = "node" + i;
            String store = null;
            if (postgres.test(i)) {
                store = TestPostgres.freshSchemaUrl(name.toLowerCase(java.util.Locale.ROOT) + "_" + nodes + "_" + i);
                pgUrls.add(store);
            }
            federation.addNode(aliases[i], store, PrivacyPolicy.minRowsOnly(1), imports.get(i));
        }
        federation.start("all");
        // Generous: on a loaded machine (CI runners, shared hosts) the JVMs and the PostgreSQL imports take well over a
        // minute.
        federation.awaitReady(Duration.ofSeconds(180), aliases);
        return new ValidationFederation(federation, pgUrls);
    }

    /**
     * Every {@code <prefix>0.csv} goes to the first node, the others ({@code <prefix>1.csv} to {@code <prefix>9.csv},
     * those there are) round-robin over all nodes; a prefix that names a file ({@code <prefix>.csv}) deals that file.
     */
    private static List<List<Path>> deal(Path dir, List<String> prefixes, int nodes) {
        List<List<Path>> out = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            out.add(new ArrayList<>());
        }
        int next = 0;
        for (String prefix : prefixes) {
            if (Files.exists(dir.resolve(prefix + ".csv"))) {
                out.get(next++ % nodes).add(dir.resolve(prefix + ".csv"));
                continue;
            }
            out.get(0).add(dir.resolve(prefix + "0.csv"));
            for (int k = 1; k <= 9; k++) {
                if (Files.exists(dir.resolve(prefix + k + ".csv"))) {
                    out.get(next++ % nodes).add(dir.resolve(prefix + k + ".csv"));
                }
            }
        }
        return out;
    }

    LocalFederation federation() {
        return federation;
    }

    @Override
    public void close() {
        federation.close();
        pgUrls.forEach(TestPostgres::dropSchemaOf);
    }
}
