package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DuckDbStore;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;

/** The node's own faults are refusals too, marked as not the caller's error, and audited when the log allows. */
class TestPrimitiveExecutorFaults {
    @TempDir
    Path directory;

    @Test
    void aFailingStoreIsAnInternalRefusal() throws Exception {
        DataStore store = DuckDbStore.open(directory.resolve("store.duckdb"));
        new DataImporter(store)
                .importCsv(TestStore.dementia(), TestStore.dementiaCsv("edsd0.csv", directory), ProgressListener.NONE);
        try (AuditLog audit = new AuditLog(directory.resolve("audit.log"))) {
            PrimitiveExecutor executor = new PrimitiveExecutor(store, PrivacyPolicy.DEFAULT, audit);
            store.dataModels();
            store.withConnection(c -> c.createStatement().execute("DROP TABLE \"data_dementia_0_1\""));
            PrimitiveResponse response = executor.answer(request());
            assertThat(response.getRefusal().getRule()).isEqualTo("internal_error");
            assertThat(response.getRefusal().getCallerError()).isFalse();
            assertThat(response.getRefusal().getMessage())
                    .isEqualTo("The node could not compute describe (StoreException); its operator "
                            + "will find the details in the node's log");
            assertThat(Files.readAllLines(audit.file()))
                    .singleElement()
                    .asString()
                    .contains("\"outcome\":\"refused\"", "\"rule\":\"internal_error\"");
        } finally {
            store.close();
        }
    }

    @Test
    void anUnwritableAuditLogStopsAnswers() {
        try (DataStore store = DuckDbStore.inMemory()) {
            new DataImporter(store)
                    .importCsv(
                            TestStore.dementia(), TestStore.dementiaCsv("edsd0.csv", directory), ProgressListener.NONE);
            AuditLog audit = new AuditLog(directory.resolve("audit.log"));
            audit.close();
            PrimitiveResponse response = new PrimitiveExecutor(store, PrivacyPolicy.DEFAULT, audit).answer(request());
            assertThat(response.getRefusal().getRule()).isEqualTo("internal_error");
            assertThat(response.getRefusal().getMessage())
                    .isEqualTo("The node cannot write its audit log, so it answers nothing; its "
                            + "operator must fix the audit log");
        }
    }

    private static PrimitiveRequest request() {
        return PrimitiveRequest.newBuilder()
                .setRequestId("r")
                .setRequester("t")
                .setQuery(PrimitiveQueries.describe(List.of("edsd0"), null, List.of("leftamygdala"), List.of()))
                .build();
    }
}
