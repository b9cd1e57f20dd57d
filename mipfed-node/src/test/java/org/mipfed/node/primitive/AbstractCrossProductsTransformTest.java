package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.data.Offset.offset;
import static org.mipfed.node.primitive.FilterTrees.rule;
import static org.mipfed.node.primitive.PrimitiveQueries.close;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code cross_products} with per-row transformations and {@code complete_in}, checked against
 * figures computed here from the CSV rows, the same on every kind of store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCrossProductsTransformTest {
    private static final DataModel DEMENTIA = TestStore.dementia();
    /** desd-synthdata1 has non-positive rightcaudate volumes; ppmi0 white-matter volumes above 300. */
    private static final List<String> FILES = List.of("edsd0.csv", "edsd1.csv", "ppmi0.csv", "desd-synthdata1.csv");

    private static final List<String> DATASETS = List.of("edsd0", "edsd1", "ppmi0");

    private TestStore testStore;
    private AuditLog audit;
    private PrimitiveExecutor executor;
    private DementiaRows rows;

    abstract StoreKind kind();

    @BeforeAll
    void importSomeDementia(@TempDir Path directory) {
        testStore = TestStore.open(kind(), directory);
        DataImporter importer = new DataImporter(testStore.store());
        for (String file : FILES) {
            importer.importCsv(DEMENTIA, TestStore.dementiaCsv(file, directory), ProgressListener.NONE);
        }
        audit = new AuditLog(directory.resolve("audit.log"));
        executor = new PrimitiveExecutor(testStore.store(), PrivacyPolicy.DEFAULT.withRefusalBudget(0), audit);
        rows = new DementiaRows();
    }

    @AfterAll
    void closeStore() {
        audit.close();
        testStore.close();
        // Every refusal these tests produced says nothing about the rows (issue 13): no count below the minimum.
        PrivacyPolicy policy = executor.guard().policy();
        assertThat(PrivacyRefusals.auditedCountsBelow(
                        audit.file(),
                        policy.minRows(),
                        PrivacyRefusals.policyValues(policy),
                        PrimitiveExecutor.REQUEST_ONLY))
                .as("refusals stating a count below min_rows")
                .isEmpty();
    }

    @Test
    void transformsEachRowAndKeepsOnlyRowsCompleteInCompleteIn() {
        List<DesignColumn> columns = List.of(
                column("leftamygdala", "log"),
                column("subjectageyears", "exp"),
                column("rightthalamusproper", ""),
                column("leftamygdala", ""));
        CrossProductsResult cross = executor.execute(
                        query(DATASETS, null, columns, List.of("minimentalstate", "gender")), "t")
                .getCrossProducts();
        List<String> used =
                List.of("leftamygdala", "subjectageyears", "rightthalamusproper", "minimentalstate", "gender");
        List<Map<String, String>> selected = rows.select(DATASETS, r -> DementiaRows.complete(r, used));
        int n = selected.size();
        assertThat(cross.getN())
                .isEqualTo(n)
                .isLessThan(rows.select(DATASETS, r -> DementiaRows.complete(r, used.subList(0, 3)))
                        .size())
                .isGreaterThan(20);
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            Map<String, String> row = selected.get(i);
            x[i] = new double[] {
                Math.log(DementiaRows.number(row, "leftamygdala")),
                Math.exp(DementiaRows.number(row, "subjectageyears")),
                DementiaRows.number(row, "rightthalamusproper"),
                DementiaRows.number(row, "leftamygdala")
            };
        }
        int p = columns.size();
        double[] means = new double[p];
        for (int j = 0; j < p; j++) {
            for (double[] row : x) {
                means[j] += row[j] / n;
            }
            close(cross.getMeans(j), means[j]);
        }
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double sum = 0;
                for (double[] row : x) {
                    sum += (row[a] - means[a]) * (row[b] - means[b]);
                }
                assertThat(cross.getComoments(a * p + b))
                        .as("comoment %d %d", a, b)
                        .isCloseTo(sum, offset(1e-9 * Math.max(1, Math.abs(sum))));
            }
        }
    }

    @Test
    void refusesTheLogOfNonPositiveValuesInExareme2sWords() {
        assertThat(rows.select(
                        List.of("desd-synthdata1"),
                        r -> r.containsKey("rightcaudate") && DementiaRows.number(r, "rightcaudate") <= 0))
                .isNotEmpty();
        assertThatThrownBy(() -> executor.execute(
                        query(List.of("desd-synthdata1"), null, List.of(column("rightcaudate", "log")), List.of()),
                        "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageStartingWith(CrossProductsPrimitive.LOG_NON_POSITIVE)
                .hasMessageContaining("'rightcaudate'")
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).isEqualTo(CrossProductsPrimitive.TRANSFORM);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                });
        // The same variable where it is positive is fine.
        Filter positive = rule("rightcaudate", "greater", 0);
        PrimitiveResult result = executor.execute(
                query(List.of("desd-synthdata1"), positive, List.of(column("rightcaudate", "log")), List.of()), "t");
        double[] logs = rows
                .select(
                        List.of("desd-synthdata1"),
                        r -> r.containsKey("rightcaudate") && DementiaRows.number(r, "rightcaudate") > 0)
                .stream()
                .mapToDouble(r -> Math.log(DementiaRows.number(r, "rightcaudate")))
                .toArray();
        assertThat(result.getCrossProducts().getN()).isEqualTo(logs.length);
        close(result.getCrossProducts().getMeans(0), DementiaRows.mean(logs));
    }

    @Test
    void refusesAnExponentialThatWouldOverflow() {
        assertThatThrownBy(() -> executor.execute(
                        query(List.of("ppmi0"), null, List.of(column("leftcerebralwhitematter", "exp")), List.of()),
                        "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("'leftcerebralwhitematter'")
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo(CrossProductsPrimitive.TRANSFORM));
    }

    @Test
    void noRowsLeftIsRefusedAsFewAreUnderDifferencingProtection() {
        // Were none answered and a few refused, "this patient and x > t" would be refused exactly when the patient's x
        // is above t.
        PrimitiveQuery none = query(
                List.of("desd-synthdata1"),
                rule("subjectageyears", "greater", 200),
                List.of(column("rightcaudate", "log")),
                List.of());
        PrimitiveQuery few = query(
                List.of("desd-synthdata1"),
                rule("rightcaudate", "less_or_equal", 0),
                List.of(column("rightcaudate", "log")),
                List.of());
        RefusalException noneRefused = catchThrowableOfType(RefusalException.class, () -> executor.execute(none, "t"));
        RefusalException fewRefused = catchThrowableOfType(RefusalException.class, () -> executor.execute(few, "t"));
        assertThat(noneRefused.rule()).isEqualTo(fewRefused.rule()).isEqualTo(PrivacyGuard.DIFFERENCING);
        assertThat(noneRefused.getMessage()).isEqualTo(fewRefused.getMessage());
        PrimitiveResult result = new PrimitiveExecutor(testStore.store(), PrivacyPolicy.DEFAULT.withoutHistory(), audit)
                .execute(none, "t");
        assertThat(result.getCrossProducts())
                .isEqualTo(CrossProductsResult.newBuilder().setN(0).build());
    }

    @Test
    void fewRowsAreRefusedByThePrivacyGuardBeforeTheTransformIsLookedAt() {
        Filter few = rule("rightcaudate", "less_or_equal", 0);
        long count = rows.select(
                        List.of("desd-synthdata1"),
                        r -> r.containsKey("rightcaudate") && DementiaRows.number(r, "rightcaudate") <= 0)
                .size();
        assertThat(count).isBetween(1L, 9L);
        PrimitiveExecutor withoutHistory =
                new PrimitiveExecutor(testStore.store(), PrivacyPolicy.DEFAULT.withoutHistory(), audit);
        assertThatThrownBy(() -> withoutHistory.execute(
                        query(List.of("desd-synthdata1"), few, List.of(column("rightcaudate", "log")), List.of()), "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_rows"));
    }

    @Test
    void refusesUnknownTransformsAndTransformedIndicators() {
        assertRule(
                query(DATASETS, null, List.of(column("leftamygdala", "sqrt")), List.of()),
                RefusalException.INVALID_QUERY);
        assertRule(
                query(
                        DATASETS,
                        null,
                        List.of(DesignColumn.newBuilder()
                                .setVariable("gender")
                                .setLevel("F")
                                .setTransform("log")
                                .build()),
                        List.of()),
                RefusalException.INVALID_QUERY);
        assertRule(
                query(DATASETS, null, List.of(column("leftamygdala", "")), List.of("nosuchvariable")),
                RefusalException.UNKNOWN_VARIABLE);
    }

    @Test
    void refusesLevelsThatLeaveOutTooFewRowsAloneOrAgainstAnotherVariable() {
        // ppmi0 has one row of agegroup -50y among those with an amygdala volume; each indicated level has enough rows
        // and enough without, but the rows at none of them are n minus their ones.
        List<Map<String, String>> complete =
                rows.select(List.of("ppmi0"), r -> DementiaRows.complete(r, List.of("leftamygdala", "agegroup")));
        assertThat(complete.stream()
                        .filter(r -> r.get("agegroup").equals("-50y"))
                        .count())
                .isEqualTo(1);
        List<DesignColumn> columns = new ArrayList<>();
        for (String level : List.of("+80y", "50-59y", "60-69y", "70-79y")) {
            columns.add(DesignColumn.newBuilder()
                    .setVariable("agegroup")
                    .setLevel(level)
                    .build());
        }
        columns.add(column("leftamygdala", ""));
        assertThatThrownBy(() -> executor.execute(query(List.of("ppmi0"), null, columns, List.of()), "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("among the counts of agegroup")
                .hasMessageNotContaining("+80y")
                .hasMessageNotContaining("1 rows")
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_cell_count"));
        // Leaving out a level that has enough rows is fine.
        PrimitiveResult fine = executor.execute(
                query(List.of("ppmi0"), null, List.of(columns.get(1), columns.get(2), columns.get(4)), List.of()), "t");
        assertThat(fine.getCrossProducts().getN()).isEqualTo(complete.size());
        // Against another variable: of ppmi0's 46 rows with agegroup and gender, 20 are F, of whom 19 are in the three
        // indicated age groups; every cell of each indicator against F has 3 rows or more, but F at none of them has 1.
        List<DesignColumn> crossed = List.of(
                columns.get(1),
                columns.get(2),
                columns.get(3),
                DesignColumn.newBuilder().setVariable("gender").setLevel("F").build());
        List<Map<String, String>> both =
                rows.select(List.of("ppmi0"), r -> DementiaRows.complete(r, List.of("agegroup", "gender")));
        assertThat(both.stream()
                        .filter(r -> r.get("gender").equals("F")
                                && !List.of("50-59y", "60-69y", "70-79y").contains(r.get("agegroup")))
                        .count())
                .isEqualTo(1);
        assertThatThrownBy(() -> executor.execute(query(List.of("ppmi0"), null, crossed, List.of()), "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("among the counts of agegroup, gender")
                .hasMessageNotContaining("1 rows")
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_cell_count"));
    }

    @Test
    void everyEnumeratedLevelIsAnsweredAbsentOnesAsZeroColumnsAndTheRestExactly() {
        // A linear regression asks in one round for every level the data model enumerates (issue 21). edsd1's rows
        // with an amygdala volume are CN or Other: AD and MCI are zero columns, which say what `levels` says (no
        // selected row is at them), a count of 0, which min_cell_count releases.
        PrimitiveExecutor executor = withoutHistory();
        List<DesignColumn> every = new ArrayList<>();
        for (String level : List.of("AD", "CN", "MCI", "Other")) {
            every.add(level("alzheimerbroadcategory", level));
        }
        every.add(column("leftamygdala", ""));
        CrossProductsResult full = executor.execute(query(List.of("edsd1"), null, every, List.of()), "t")
                .getCrossProducts();
        long n = rows.select(
                        List.of("edsd1"),
                        r -> DementiaRows.complete(r, List.of("leftamygdala", "alzheimerbroadcategory")))
                .size();
        assertThat(full.getN()).isEqualTo(n).isEqualTo(37);
        int p = every.size();
        for (int absent : new int[] {0, 2}) {
            assertThat(full.getMeans(absent)).isZero();
            for (int j = 0; j < p; j++) {
                assertThat(full.getComoments(absent * p + j)).isZero();
            }
        }
        // The columns the manager keeps (Other, leftamygdala; CN the reference) are exactly the two-round design's.
        CrossProductsResult kept = executor.execute(
                        query(List.of("edsd1"), null, List.of(every.get(3), every.get(4)), List.of()), "t")
                .getCrossProducts();
        assertThat(kept.getMeansList()).containsExactly(full.getMeans(3), full.getMeans(4));
        assertThat(kept.getComomentsList())
                .containsExactly(
                        full.getComoments(3 * p + 3),
                        full.getComoments(3 * p + 4),
                        full.getComoments(4 * p + 3),
                        full.getComoments(4 * p + 4));
    }

    @Test
    void everyEnumeratedLevelStillRefusesALevelOfOneOrTwoRows() {
        PrimitiveExecutor executor = withoutHistory();
        List<DesignColumn> every = new ArrayList<>();
        for (String level : List.of("+80y", "-50y", "50-59y", "60-69y", "70-79y")) {
            every.add(level("agegroup", level));
        }
        every.add(column("leftamygdala", ""));
        // edsd0: 50-59y has 1 row, +80y 2 (the reference, +80y, is indicated too); -50y none.
        assertThatThrownBy(() -> executor.execute(query(List.of("edsd0"), null, every, List.of()), "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("among the counts of agegroup")
                .hasMessageNotContaining("+80y")
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_cell_count"));
        // desd-synthdata1's CN rows: +80y has 2 rows, the other levels 3 or more (-50y none).
        Filter cn = rule("alzheimerbroadcategory", "equal", "CN");
        Map<String, Long> counts = new TreeMap<>();
        rows.select(
                        List.of("desd-synthdata1"),
                        r -> DementiaRows.complete(r, List.of("leftamygdala", "agegroup", "alzheimerbroadcategory"))
                                && r.get("alzheimerbroadcategory").equals("CN"))
                .forEach(r -> counts.merge(r.get("agegroup"), 1L, Long::sum));
        assertThat(counts)
                .containsExactlyInAnyOrderEntriesOf(Map.of("+80y", 2L, "50-59y", 3L, "60-69y", 17L, "70-79y", 18L));
        assertThatThrownBy(() -> executor.execute(query(List.of("desd-synthdata1"), cn, every, List.of()), "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageNotContaining("2 rows")
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_cell_count"));
    }

    @Test
    void maxParameterRatioCountsOnlyColumnsWithRows() {
        // edsd0: 15 rows with an amygdala volume, all AD; 0.33 × 15 = 4.95 parameters at most.
        PrimitiveExecutor executor = withoutHistory();
        List<DesignColumn> every = new ArrayList<>();
        for (String level : List.of("AD", "ALS", "BD", "CJD", "CN", "FTD", "HD", "LBD", "MCI", "MS", "PD")) {
            every.add(level("neurodegenerativescategories", level));
        }
        for (String level : List.of("AD", "CN", "MCI", "Other")) {
            every.add(level("alzheimerbroadcategory", level));
        }
        every.add(level("gender", "F"));
        every.add(level("gender", "M"));
        every.add(column("leftamygdala", ""));
        // 18 columns, of which 5 have rows: AD twice (each a full coding, one with the intercept: no parameter),
        // F and M (a full coding: one parameter) and the amygdala.
        assertThat(CrossProductsPrimitive.parameters(
                        every,
                        15,
                        new double[every.size()],
                        onesOf(every.size(), Map.of(0, 15.0, 11, 15.0, 15, 8.0, 16, 7.0))))
                .isEqualTo(2);
        CrossProductsResult answered = executor.execute(query(List.of("edsd0"), null, every, List.of()), "t")
                .getCrossProducts();
        assertThat(answered.getN()).isEqualTo(15);
        // Columns with rows still count: five numerical columns on 15 rows are refused.
        List<DesignColumn> five = List.of(
                column("leftamygdala", ""),
                column("rightamygdala", ""),
                column("lefthippocampus", ""),
                column("righthippocampus", ""),
                column("leftcaudate", ""));
        assertThat(rows.select(
                                List.of("edsd0"),
                                r -> DementiaRows.complete(
                                        r,
                                        five.stream()
                                                .map(DesignColumn::getVariable)
                                                .toList()))
                        .size())
                .isEqualTo(15);
        assertRule(executor, query(List.of("edsd0"), null, five, List.of()), "max_parameter_ratio");
    }

    /** Per column, the deviations' sum that makes its ones (with a zero shift) the given count. */
    private static double[] onesOf(int columns, Map<Integer, Double> ones) {
        double[] sums = new double[columns];
        ones.forEach((column, count) -> sums[column] = count);
        return sums;
    }

    private PrimitiveExecutor withoutHistory() {
        return new PrimitiveExecutor(testStore.store(), PrivacyPolicy.DEFAULT.withoutHistory(), audit);
    }

    private static DesignColumn level(String variable, String level) {
        return DesignColumn.newBuilder().setVariable(variable).setLevel(level).build();
    }

    @Test
    void theAuditNamesTheCompleteInVariables() {
        assertThat(PrimitiveExecutor.variables(query(
                        DATASETS, null, List.of(column("leftamygdala", "log")), List.of("gender", "leftamygdala"))))
                .containsExactly("leftamygdala", "gender");
    }

    private void assertRule(PrimitiveQuery query, String rule) {
        assertRule(executor, query, rule);
    }

    private static void assertRule(PrimitiveExecutor executor, PrimitiveQuery query, String rule) {
        assertThatThrownBy(() -> executor.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> assertThat(((RefusalException) e).rule())
                        .as(e.getMessage())
                        .isEqualTo(rule));
    }

    private static DesignColumn column(String variable, String transform) {
        return DesignColumn.newBuilder()
                .setVariable(variable)
                .setTransform(transform)
                .build();
    }

    private static PrimitiveQuery query(
            List<String> datasets, Filter filter, List<DesignColumn> columns, List<String> completeIn) {
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setCrossProducts(
                        CrossProductsQuery.newBuilder().addAllColumns(columns).addAllCompleteIn(completeIn));
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }
}
