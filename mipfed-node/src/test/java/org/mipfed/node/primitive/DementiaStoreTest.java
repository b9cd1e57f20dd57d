package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.TestStore;

/**
 * The fixture the primitive tests share: a store of the given kind holding every dementia CSV,
 * executors with the default policy and with a one-row policy, and the rows for reference figures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DementiaStoreTest {
    static final DataModel DEMENTIA = TestStore.dementia();
    static final List<String> DATASETS = List.of("edsd0", "ppmi0", "desd-synthdata0", "edsd1", "ppmi1");

    Path directory;
    TestStore testStore;
    DataStore store;
    AuditLog audit;
    Path auditFile;
    /** The default policy: at least 10 rows. */
    PrimitiveExecutor guarded;
    /** A policy of one row, to check figures on small selections. */
    PrimitiveExecutor open;

    DementiaRows rows;

    abstract StoreKind kind();

    @BeforeAll
    void importDementia(@TempDir Path classDirectory) {
        directory = classDirectory;
        testStore = TestStore.open(kind(), directory);
        store = testStore.store();
        DataImporter importer = new DataImporter(store);
        for (String file : TestStore.dementiaFiles()) {
            importer.importCsv(DEMENTIA, TestStore.dementiaCsv(file, directory), ProgressListener.NONE);
        }
        auditFile = directory.resolve("audit.log");
        audit = new AuditLog(auditFile);
        // The default policy without its history of selections: these tests share one executor, and what
        // one answers must not make another's refusal depend on the order they run in (TestPrivacyGuard
        // and the attack tests check the history).
        guarded = new PrimitiveExecutor(
                store, PrivacyPolicy.DEFAULT.withoutHistory().withRefusalBudget(0), audit);
        open = new PrimitiveExecutor(store, PrivacyPolicy.minRowsOnly(1), audit);
        rows = new DementiaRows();
    }

    @AfterAll
    void closeStore() {
        audit.close();
        testStore.close();
        // Every refusal these tests produced says nothing about the rows (issue 13): no count below the minimum.
        List<Number> allowed = new java.util.ArrayList<>(
                PrivacyRefusals.policyValues(guarded.guard().policy()));
        allowed.addAll(PrivacyRefusals.policyValues(open.guard().policy()));
        assertThat(PrivacyRefusals.auditedCountsBelow(
                        auditFile, guarded.guard().policy().minRows(), allowed, PrimitiveExecutor.REQUEST_ONLY))
                .as("refusals stating a count below min_rows")
                .isEmpty();
    }
}
