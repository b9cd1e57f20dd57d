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
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.QuantileCountsQuery;
import org.mipfed.proto.v1.QuantileCountsResult;

/**
 * What a node releases for {@code quantiles}: {@code quantile_counts}, on 60 designed rows of one dataset whose
 * lefthippocampus is 2 + i / 100 for row i, row 0 without a value (so 59 values, 2.01 to 2.59, one row each). The rows
 * behind each figure: n, min and max are all 59 rows S; a threshold t's count and largest value at or below it are the
 * rows S≤t (rows 1 to 100 (t − 2)), its smallest value above are the rows S>t. Under the default policy (minimum of
 * rows 10, minimum cell count 3, differencing on) a count or complement of 1 or 2 is refused, and two thresholds whose
 * S≤t differ by 1 or 2 rows (fewer than the minimum cell count: the rows between them are a histogram bin) are never
 * both answered, in one request or in two, nor one that close to an earlier figure's rows of the variable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractQuantileCountsTest {
    private static final DataModel DEMENTIA = TestStore.dementia();
    private static final String DATASET = "edsd0";

    private TestStore testStore;
    private AuditLog audit;

    abstract StoreKind kind();

    @BeforeAll
    void importRows(@TempDir Path directory) throws Exception {
        testStore = TestStore.open(kind(), directory);
        List<String> lines = new ArrayList<>();
        lines.add("subjectcode,dataset,gender,lefthippocampus");
        for (int i = 0; i < 60; i++) {
            String value = i == 0 ? "" : String.format(Locale.ROOT, "%.2f", 2 + i / 100.0);
            lines.add(String.join(",", "S" + i, DATASET, i % 2 == 0 ? "F" : "M", value));
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
        return node(PrivacyPolicy.DEFAULT);
    }

    private PrimitiveExecutor node(PrivacyPolicy policy) {
        return new PrimitiveExecutor(testStore.store(), policy, audit);
    }

    private static PrimitiveQuery counts(double... thresholds) {
        QuantileCountsQuery.Builder query = QuantileCountsQuery.newBuilder().setVariable("lefthippocampus");
        for (double t : thresholds) {
            query.addThresholds(t);
        }
        return PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addDatasets(DATASET)
                .setQuantileCounts(query)
                .build();
    }

    @Test
    void countsAndTheValuesBesideEachThresholdAreAnswered() {
        QuantileCountsResult result = node().execute(counts(2.205, 2.405), "t").getQuantileCounts();
        assertThat(result.getN()).isEqualTo(59);
        assertThat(result.getMin()).isEqualTo(2.01);
        assertThat(result.getMax()).isEqualTo(2.59);
        assertThat(result.getCounts(0).getAtOrBelow()).isEqualTo(20);
        assertThat(result.getCounts(0).getLargestAtOrBelow()).isEqualTo(2.20);
        assertThat(result.getCounts(0).getSmallestAbove()).isEqualTo(2.21);
        assertThat(result.getCounts(1).getAtOrBelow()).isEqualTo(40);
        assertThat(result.getCounts(1).getLargestAtOrBelow()).isEqualTo(2.40);
        assertThat(result.getCounts(1).getSmallestAbove()).isEqualTo(2.41);
    }

    @Test
    void aThresholdAtAValueCountsItsRowAtOrBelow() {
        QuantileCountsResult result = node().execute(counts(2.30), "t").getQuantileCounts();
        assertThat(result.getCounts(0).getAtOrBelow()).isEqualTo(30);
        assertThat(result.getCounts(0).getLargestAtOrBelow()).isEqualTo(2.30);
        assertThat(result.getCounts(0).getSmallestAbove()).isEqualTo(2.31);
    }

    @Test
    void aCountOrItsComplementBelowTheMinimumCellCountIsRefusedSayingNothingOfTheRows() {
        for (double t : new double[] {2.015, 2.025, 2.585}) {
            assertThatThrownBy(() -> node().execute(counts(t), "r" + t))
                    .as("threshold " + t)
                    .isInstanceOfSatisfying(RefusalException.class, e -> {
                        assertThat(e.rule()).isEqualTo(PrivacyGuard.MIN_CELL_COUNT);
                        assertThat(e.getMessage())
                                .contains("lefthippocampus")
                                .doesNotContain(" 1 ")
                                .doesNotContain(" 2 ")
                                .doesNotContain("58");
                    });
        }
    }

    @Test
    void twoThresholdsOneRowApartAreNotBothAnsweredInTwoRequests() {
        // S≤2.305 is rows 1..30; S≤2.315 adds row 31: the second count minus the first would be that row.
        PrimitiveExecutor node = node();
        assertThat(node.execute(counts(2.305), "t")
                        .getQuantileCounts()
                        .getCounts(0)
                        .getAtOrBelow())
                .isEqualTo(30);
        assertThatThrownBy(() -> node.execute(counts(2.315), "t")).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING);
            assertThat(e.getMessage()).doesNotContain("30").doesNotContain("31");
        });
        // Nor from the other side, nor two rows apart: S≤2.295 is 29 rows, S≤2.325 is 32 (each asked by another
        // requester: one requester's refusal budget would lock it out after three)
        assertThatThrownBy(() -> node.execute(counts(2.295), "u"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
        assertThatThrownBy(() -> node.execute(counts(2.325), "v"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
        // Three rows away (the minimum cell count: the rows between are a releasable bin) is answered, and the same
        // rows again.
        assertThat(node.execute(counts(2.335), "w")
                        .getQuantileCounts()
                        .getCounts(0)
                        .getAtOrBelow())
                .isEqualTo(33);
        assertThat(node.execute(counts(2.3051), "w")
                        .getQuantileCounts()
                        .getCounts(0)
                        .getAtOrBelow())
                .isEqualTo(30);
    }

    @Test
    void twoThresholdsOneRowApartAreNotBothAnsweredInOneRequest() {
        assertThatThrownBy(() -> node().execute(counts(2.105, 2.115), "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
    }

    @Test
    void aThresholdOneRowFromAnEarlierFilteredSelectionIsRefused() {
        // describe over rows 1..30 (a filter), then the count at or below 2.315 (rows 1..31): one row apart.
        PrimitiveExecutor node = node();
        node.execute(
                PrimitiveQueries.describe(
                        List.of(DATASET),
                        FilterTrees.rule("lefthippocampus", "less_or_equal", 2.305),
                        List.of("lefthippocampus"),
                        List.of()),
                "t");
        assertThatThrownBy(() -> node.execute(counts(2.315), "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
    }

    @Test
    void aNodeThatKeepsItsExtremesRefusesEveryCountBeforeReadingARow() {
        PrivacyPolicy policy = new PrivacyPolicy(
                PrivacyPolicy.DEFAULT_MIN_ROWS,
                PrivacyPolicy.DEFAULT_MIN_CELL_COUNT,
                PrivacyPolicy.DEFAULT_MAX_PARAMETER_RATIO,
                PrivacyPolicy.DEFAULT_MAX_LEVELS,
                null,
                false,
                PrivacyPolicy.DEFAULT_DIFFERENCING_HISTORY);
        assertThatThrownBy(() -> node(policy).execute(counts(2.405), "t"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isEqualTo(PrivacyGuard.RELEASE_EXTREMES);
                    assertThat(e.getMessage()).contains("lefthippocampus");
                });
    }

    @Test
    void badThresholdsAreTheCallersError() {
        assertThatThrownBy(() -> node().execute(counts(Double.NaN), "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(RefusalException.INVALID_QUERY));
        assertThatThrownBy(() -> node().execute(
                                PrimitiveQuery.newBuilder()
                                        .setDataModel("dementia:0.1")
                                        .addDatasets(DATASET)
                                        .setQuantileCounts(
                                                QuantileCountsQuery.newBuilder().setVariable("gender"))
                                        .build(),
                                "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(RefusalException.VARIABLE_TYPE));
    }
}
