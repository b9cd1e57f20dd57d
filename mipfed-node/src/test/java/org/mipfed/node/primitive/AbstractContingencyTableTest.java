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
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * What a node releases for {@code contingency_table}: the {@code cross_products} of the 0/1 indicators of every level
 * of two nominal variables, which hold the node's cross table (a cell is the co-moment of two indicators plus n times
 * the product of their means). On 60 designed rows of one dataset: AD rows 1..14 (7 F, 7 M), CN rows 15..44 (15 F, 15
 * M), MCI rows 45..59 (2 F, 13 M); row 0 has no gender. The rows behind each figure: a cell is the rows at both
 * levels, a margin the rows at one level, n the rows complete in both variables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractContingencyTableTest {
    private static final DataModel DEMENTIA = TestStore.dementia();
    private static final String DATASET = "edsd0";
    private static final List<String> GENDERS = List.of("M", "F");
    private static final List<String> CATEGORIES = List.of("AD", "CN", "Other", "MCI");

    private TestStore testStore;
    private AuditLog audit;

    abstract StoreKind kind();

    @BeforeAll
    void importRows(@TempDir Path directory) throws Exception {
        testStore = TestStore.open(kind(), directory);
        List<String> lines = new ArrayList<>();
        lines.add("subjectcode,dataset,gender,alzheimerbroadcategory,lefthippocampus");
        for (int i = 0; i < 60; i++) {
            String category = i < 15 ? "AD" : i < 45 ? "CN" : "MCI";
            String gender = i == 0 ? "" : i >= 45 ? (i == 46 || i == 48 ? "F" : "M") : i % 2 == 0 ? "F" : "M";
            lines.add(String.join(
                    ",", "S" + i, DATASET, gender, category, String.format(Locale.ROOT, "%.3f", 2 + i / 60.0)));
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

    private static PrimitiveQuery table(Filter filter) {
        List<DesignColumn> columns = new ArrayList<>();
        GENDERS.forEach(l -> columns.add(PrimitiveQueries.column("gender", l)));
        CATEGORIES.forEach(l -> columns.add(PrimitiveQueries.column("alzheimerbroadcategory", l)));
        return PrimitiveQueries.crossProducts(List.of(DATASET), filter, columns);
    }

    /** The cell of gender level g and category c, as the manager reads it from the cross-products. */
    private static long cell(CrossProductsResult result, int g, int c) {
        int p = GENDERS.size() + CATEGORIES.size();
        int k = GENDERS.size() + c;
        return Math.round(result.getComoments(g * p + k) + result.getN() * result.getMeans(g) * result.getMeans(k));
    }

    @Test
    void aTableWithACellOfTwoRowsIsRefusedNamingTheRuleAndTheVariablesOnly() {
        assertThatThrownBy(() -> node().execute(table(null), "t")).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.rule()).isEqualTo(PrivacyGuard.MIN_CELL_COUNT);
            assertThat(e.getMessage())
                    .contains("gender")
                    .contains("alzheimerbroadcategory")
                    .doesNotContain("MCI")
                    .doesNotContain(" 2 ");
        });
    }

    @Test
    void aTableOfLargeEnoughCellsIsAnsweredAndHoldsTheCounts() {
        CrossProductsResult result = node().execute(
                        table(FilterTrees.rule("alzheimerbroadcategory", "not_equal", "MCI")), "t")
                .getCrossProducts();
        assertThat(result.getN()).isEqualTo(44);
        assertThat(cell(result, 0, 0)).as("AD men").isEqualTo(7);
        assertThat(cell(result, 1, 0)).as("AD women").isEqualTo(7);
        assertThat(cell(result, 0, 1)).as("CN men").isEqualTo(15);
        assertThat(cell(result, 1, 1)).as("CN women").isEqualTo(15);
        assertThat(cell(result, 0, 3) + cell(result, 1, 3) + cell(result, 0, 2) + cell(result, 1, 2))
                .as("MCI and Other, filtered out or absent")
                .isZero();
    }

    @Test
    void twoTablesWhoseThresholdsAreOneRowApartAreNotBothAnswered() {
        // lefthippocampus is 2 + i / 60: below 2 + 39.5 / 60 are rows 0..39, below 2 + 40.5 / 60 also row 40 (CN, F).
        PrimitiveExecutor node = node();
        CrossProductsResult first = node.execute(table(FilterTrees.rule("lefthippocampus", "less", 2 + 39.5 / 60)), "t")
                .getCrossProducts();
        assertThat(first.getN()).isEqualTo(39);
        assertThatThrownBy(() -> node.execute(table(FilterTrees.rule("lefthippocampus", "less", 2 + 40.5 / 60)), "t"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING);
                    assertThat(e.getMessage()).doesNotContain("40").doesNotContain("39");
                });
    }
}
