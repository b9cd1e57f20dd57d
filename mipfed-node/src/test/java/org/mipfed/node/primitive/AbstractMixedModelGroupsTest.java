package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * What a node releases for {@code linear_mixed_model} with a random slope per dataset: each dataset's
 * {@code cross_products} over the design, asked alone (the query names that dataset). On designed rows of one node:
 * edsd0 40 rows, edsd1 30 rows, edsd2 6 rows. The rows behind each figure are the dataset's complete rows; the node's
 * rules on a selection apply to each dataset as to any other selection, so a small dataset, alone or as the difference
 * of two answers, is refused naming the rule.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractMixedModelGroupsTest {
    private static final DataModel DEMENTIA = TestStore.dementia();

    private TestStore testStore;
    private AuditLog audit;

    abstract StoreKind kind();

    @BeforeAll
    void importRows(@TempDir Path directory) throws Exception {
        testStore = TestStore.open(kind(), directory);
        List<String> lines = new ArrayList<>();
        lines.add("subjectcode,dataset,lefthippocampus,leftamygdala");
        int[] sizes = {40, 30, 6};
        int row = 0;
        for (int d = 0; d < sizes.length; d++) {
            for (int i = 0; i < sizes[d]; i++) {
                double x = 2 + (row % 17) / 10.0;
                double y = 0.5 + 0.2 * x + d * 0.05 + (row % 5) / 100.0;
                lines.add(String.join(
                        ",",
                        "S" + row,
                        "edsd" + d,
                        String.format(Locale.ROOT, "%.3f", x),
                        String.format(Locale.ROOT, "%.4f", y)));
                row++;
            }
        }
        Path csv = Files.write(directory.resolve("designed.csv"), lines);
        new DataImporter(testStore.store()).importCsv(DEMENTIA, csv, ProgressListener.NONE);
        audit = new AuditLog(directory.resolve("audit.log"));
    }

    @AfterAll
    void close() {
        audit.close();
        testStore.close();
    }

    private PrimitiveExecutor node() {
        return new PrimitiveExecutor(testStore.store(), PrivacyPolicy.DEFAULT, audit);
    }

    /** The design of y = leftamygdala on z = lefthippocampus, over the given datasets' rows. */
    private static PrimitiveQuery design(List<String> datasets) {
        List<DesignColumn> columns = List.of(
                DesignColumn.newBuilder().setVariable("lefthippocampus").build(),
                DesignColumn.newBuilder().setVariable("leftamygdala").build());
        return PrimitiveQueries.crossProducts(datasets, null, columns);
    }

    @Test
    void aDatasetOfSixRowsAskedAloneIsRefusedNamingTheRule() {
        assertThatThrownBy(() -> node().execute(design(List.of("edsd2")), "t"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isIn(PrivacyGuard.MIN_ROWS, PrivacyGuard.DIFFERENCING);
                    assertThat(e.getMessage()).doesNotContain(" 6 ");
                });
    }

    @Test
    void aLargeDatasetAskedAloneAfterItsNodesDatasetsTogetherIsRefusedWhenTheRestIsSmall() {
        // edsd0 and edsd2 together, then edsd0 alone: the two answers' difference would be edsd2's six rows.
        PrimitiveExecutor node = node();
        assertThat(node.execute(design(List.of("edsd0", "edsd2")), "t")
                        .getCrossProducts()
                        .getN())
                .isEqualTo(46);
        assertThatThrownBy(() -> node.execute(design(List.of("edsd0")), "t"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING);
                    assertThat(e.getMessage()).doesNotContain("46").doesNotContain("40");
                });
    }

    @Test
    void largeEnoughDatasetsAreAnsweredAloneAndTogetherAndTheirFiguresAddUp() {
        PrimitiveExecutor node = node();
        CrossProductsResult both =
                node.execute(design(List.of("edsd0", "edsd1")), "t").getCrossProducts();
        CrossProductsResult first = node.execute(design(List.of("edsd0")), "t").getCrossProducts();
        CrossProductsResult second = node.execute(design(List.of("edsd1")), "t").getCrossProducts();
        assertThat(first.getN()).isEqualTo(40);
        assertThat(second.getN()).isEqualTo(30);
        assertThat(both.getN()).isEqualTo(70);
        // Σ z·y over both datasets is the sum of each dataset's: the per-group Z_kᵀW_k the model is fitted from.
        PrimitiveQueries.close(rawSum(both, 0, 1), rawSum(first, 0, 1) + rawSum(second, 0, 1));
        PrimitiveQueries.close(rawSum(both, 0, 0), rawSum(first, 0, 0) + rawSum(second, 0, 0));
    }

    private static double rawSum(CrossProductsResult r, int i, int j) {
        int p = r.getMeansCount();
        return r.getComoments(i * p + j) + r.getN() * r.getMeans(i) * r.getMeans(j);
    }
}
