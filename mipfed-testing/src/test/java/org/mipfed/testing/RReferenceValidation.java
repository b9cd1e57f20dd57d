package org.mipfed.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.RReference;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * mipfed's own algorithms (glm, kaplan_meier) against the reference results R wrote
 * (mipfed-algorithms/src/test/resources/r), on a real federation: a manager and nodes as processes on
 * loopback over mutual TLS, the dementia data dealt as in {@link Exareme2Validation} and a privacy
 * minimum of one row. Subclasses choose the number of nodes and which use PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RReferenceValidation {
    private Path dir;
    private LocalFederation federation;
    private final List<String> pgUrls = new ArrayList<>();

    abstract int nodes();

    abstract boolean postgres(int i);

    @BeforeAll
    void startFederation() throws IOException {
        dir = Files.createTempDirectory(Path.of("target"), getClass().getSimpleName() + "-");
        Path dementia = LocalFederation.extractData("dementia_v_0_1", dir.resolve("dementia"));
        List<List<Path>> files = new ArrayList<>();
        for (int i = 0; i < nodes(); i++) {
            files.add(new ArrayList<>());
        }
        int next = 0;
        for (String prefix : List.of("edsd", "ppmi", "desd-synthdata")) {
            files.get(0).add(dementia.resolve(prefix + "0.csv"));
            for (int k = 1; k <= 9; k++) {
                files.get(next++ % nodes()).add(dementia.resolve(prefix + k + ".csv"));
            }
        }
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        String[] aliases = new String[nodes()];
        for (int i = 0; i < nodes(); i++) {
            aliases[i] = "node" + i;
            String store = null;
            if (postgres(i)) {
                store = TestPostgres.freshSchemaUrl("rreference_" + nodes() + "_" + i);
                pgUrls.add(store);
            }
            // numbers against R: the nodes apply only a minimum of one row, as in Exareme2's validation deployment
            federation.addNode(aliases[i], store, PrivacyPolicy.minRowsOnly(1), List.of(new LocalFederation.DataImport(dementia.resolve("CDEsMetadata.json"),
                    files.get(i))));
        }
        federation.start("all");
        // Generous: on a loaded machine the PostgreSQL imports alone can take a minute.
        federation.awaitReady(Duration.ofSeconds(180), aliases);
    }

    @AfterAll
    void stopFederation() {
        if (federation != null) {
            federation.close();
        }
        pgUrls.forEach(TestPostgres::dropSchemaOf);
    }

    @TestFactory
    Stream<DynamicTest> glm() {
        return cases("glm");
    }

    @TestFactory
    Stream<DynamicTest> kaplanMeier() {
        return cases("kaplan_meier");
    }

    private Stream<DynamicTest> cases(String algorithm) {
        return RReference.load(algorithm).stream().map(c -> DynamicTest.dynamicTest(algorithm + " " + c, () -> {
            JsonNode actual = federation.admin().post("/algorithms/" + algorithm, c.body());
            ExpectedResults.assertMatchesReference(c.name(), c.expected(), actual, ExpectedResults.DEFAULT);
        }));
    }
}
