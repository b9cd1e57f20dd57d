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
import org.mipfed.proto.v1.CoxStepQuery;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.HistogramCounts;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.SurvivalCountsQuery;
import org.mipfed.proto.v1.VariableSummary;

/**
 * Differencing across the figures of one answer and against earlier answers ({@link PrivacyGuard#checkFigureRows}), on
 * 60 designed rows of one dataset: P (row 0) alone lacks righthippocampus and gender. Every test starts a node with the
 * default policy and an empty history, so the tests do not depend on each other's order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractFigureDifferencingTest {
    private static final DataModel DEMENTIA = TestStore.dementia();
    private static final String DATASET = "edsd0";

    private TestStore testStore;
    private AuditLog audit;

    abstract StoreKind kind();

    @BeforeAll
    void importRows(@TempDir Path directory) throws Exception {
        testStore = TestStore.open(kind(), directory);
        List<String> lines = new ArrayList<>();
        lines.add("subjectcode,dataset,gender,alzheimerbroadcategory,lefthippocampus,righthippocampus,subjectageyears");
        // AD: rows 0..14, P (no gender) + 7 F + 7 M; CN: rows 15..44, 15 F + 15 M; MCI: rows 45..59, 2 F (46, 48) + 13
        // M.
        // Ages 50 + i % 40.
        String[] categories = new String[60];
        for (int i = 0; i < 60; i++) {
            categories[i] = i < 15 ? "AD" : i < 45 ? "CN" : "MCI";
        }
        for (int i = 0; i < 60; i++) {
            String gender = i == 0 ? "" : i >= 45 ? (i == 46 || i == 48 ? "F" : "M") : i % 2 == 0 ? "F" : "M";
            lines.add(String.join(
                    ",",
                    "S" + i,
                    DATASET,
                    gender,
                    categories[i],
                    String.format(Locale.ROOT, "%.3f", 2 + i / 60.0),
                    i == 0 ? "" : String.format(Locale.ROOT, "%.3f", 3 + i / 60.0),
                    Integer.toString(50 + i % 40)));
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

    private PrimitiveExecutor node(PrivacyPolicy policy) {
        return new PrimitiveExecutor(testStore.store(), policy, audit);
    }

    private static PrimitiveQuery.Builder query() {
        return PrimitiveQuery.newBuilder().setDataModel("dementia:0.1").addDatasets(DATASET);
    }

    @Test
    void describeWithholdsTheCompleteRowSummariesOneRowShortOfTheVariablesOwn() {
        PrimitiveResult result = node(PrivacyPolicy.DEFAULT)
                .execute(
                        PrimitiveQueries.describe(
                                List.of(DATASET),
                                null,
                                List.of("lefthippocampus", "righthippocampus"),
                                List.of("alzheimerbroadcategory")),
                        "t");
        List<VariableSummary> variableBased = result.getDescribe().getVariableBasedList();
        List<VariableSummary> modelBased = result.getDescribe().getModelBasedList();
        assertThat(variableBased).noneMatch(VariableSummary::getSuppressed);
        assertThat(variableBased.get(0).getNumDtps()).isEqualTo(60);
        assertThat(modelBased)
                .extracting(VariableSummary::getVariable, VariableSummary::getSuppressed)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("lefthippocampus", true),
                        org.assertj.core.groups.Tuple.tuple("righthippocampus", false),
                        org.assertj.core.groups.Tuple.tuple("alzheimerbroadcategory", true));
        assertThat(modelBased.get(1).getNumDtps())
                .as("righthippocampus' own rows are the complete rows")
                .isEqualTo(59);

        PrimitiveResult exareme2 = node(PrivacyPolicy.minRowsOnly(1))
                .execute(
                        PrimitiveQueries.describe(
                                List.of(DATASET), null, List.of("lefthippocampus", "righthippocampus"), List.of()),
                        "t");
        assertThat(exareme2.getDescribe().getModelBasedList())
                .as("Exareme2's policy of one row")
                .noneMatch(VariableSummary::getSuppressed);
    }

    @Test
    void aSummaryOneRowFromAnEarlierAnswersIsWithheld() {
        PrimitiveExecutor node = node(PrivacyPolicy.DEFAULT);
        node.execute(PrimitiveQueries.describe(List.of(DATASET), null, List.of("lefthippocampus"), List.of()), "t");
        PrimitiveResult second = node.execute(
                PrimitiveQueries.describe(List.of(DATASET), null, List.of("righthippocampus"), List.of()), "t");
        assertThat(second.getDescribe().getVariableBasedList())
                .as("another variable")
                .noneMatch(VariableSummary::getSuppressed);
        assertThatThrownBy(() -> node.execute(
                        query().setMoments(MomentsQuery.newBuilder()
                                        .addNumerical("lefthippocampus")
                                        .addGroupBy("gender"))
                                .build(),
                        "t"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING);
                    assertThat(e.getMessage())
                            .doesNotContain("59")
                            .doesNotContain("60")
                            .doesNotContain(" 1 ");
                });
    }

    @Test
    void histogramWithholdsASecondCellWhereaBinsTotalAndTheOtherGroupWouldGiveTheFirstBack() {
        PrimitiveResult result = node(PrivacyPolicy.DEFAULT)
                .execute(
                        query().setHistogram(HistogramQuery.newBuilder()
                                        .setVariable("alzheimerbroadcategory")
                                        .addGroupBy("gender"))
                                .build(),
                        "t");
        List<HistogramCounts> histograms = result.getHistogram().getHistogramsList();
        int bins = result.getHistogram().getLevelsCount();
        for (int b = 0; b < bins; b++) {
            int withheld = 0;
            for (HistogramCounts h : histograms) {
                withheld += h.getSuppressed(b) ? 1 : 0;
            }
            assertThat(withheld).as("bin " + b + ": " + result).isNotEqualTo(1);
        }
        for (HistogramCounts h : histograms) {
            assertThat(h.getSuppressedList().stream().filter(s -> s).count())
                    .as(h.toString())
                    .isNotEqualTo(1);
        }
        int mci = result.getHistogram().getLevelsList().indexOf("MCI");
        HistogramCounts women = histograms.stream()
                .filter(h -> h.getGroupLevel().equals("F"))
                .findFirst()
                .orElseThrow();
        HistogramCounts men = histograms.stream()
                .filter(h -> h.getGroupLevel().equals("M"))
                .findFirst()
                .orElseThrow();
        assertThat(women.getSuppressed(mci)).as("2 women with MCI").isTrue();
        assertThat(histograms.get(0).getSuppressed(mci) || men.getSuppressed(mci))
                .as("MCI's total or the men's")
                .isTrue();
    }

    @Test
    void histogramCellsOfFewRowsAreWithheldTogetherWithTheTotalsThatWouldGiveThemBack() {
        // Ages 50 and 51: rows 0, 1 (AD) and 40, 41 (CN): two small cells whose released total (4) would pin both at 2.
        PrimitiveResult result = node(PrivacyPolicy.DEFAULT)
                .execute(
                        query().setHistogram(HistogramQuery.newBuilder()
                                        .setVariable("subjectageyears")
                                        .addEdges(50)
                                        .addEdges(52)
                                        .addEdges(70)
                                        .addEdges(90)
                                        .addGroupBy("alzheimerbroadcategory"))
                                .build(),
                        "t");
        List<HistogramCounts> histograms = result.getHistogram().getHistogramsList();
        for (int b = 0; b < 3; b++) {
            int withheld = 0;
            for (HistogramCounts h : histograms) {
                withheld += h.getSuppressed(b) ? 1 : 0;
                if (!h.getSuppressed(b)) {
                    assertThat(h.getCounts(b) == 0 || h.getCounts(b) >= 3)
                            .as(h.toString())
                            .isTrue();
                }
            }
            assertThat(withheld).as("bin " + b + ": " + result).isNotEqualTo(1);
        }
        assertThat(histograms.get(0).getSuppressed(0))
                .as("the total of the two small cells: " + result)
                .isTrue();
    }

    @Test
    void histogramOverRowsOneShortOfAnEarlierAnswersWithholdsEveryCount() {
        PrimitiveExecutor node = node(PrivacyPolicy.DEFAULT);
        node.execute(
                PrimitiveQueries.describe(List.of(DATASET), null, List.of(), List.of("alzheimerbroadcategory")), "t");
        PrimitiveResult result = node.execute(
                query().setHistogram(HistogramQuery.newBuilder()
                                .setVariable("alzheimerbroadcategory")
                                .addGroupBy("gender"))
                        .build(),
                "t");
        assertThat(result.getHistogram().getHistogramsList())
                .allSatisfy(h -> assertThat(h.getSuppressedList()).containsOnly(true));
    }

    @Test
    void momentsGroupsWhoseTotalIsOneRowFromAnEarlierAnswerAreRefused() {
        PrimitiveExecutor node = node(PrivacyPolicy.DEFAULT);
        node.execute(
                query().setMoments(MomentsQuery.newBuilder().addNumerical("lefthippocampus"))
                        .build(),
                "t");
        assertThatThrownBy(() -> node.execute(
                        query().setMoments(MomentsQuery.newBuilder()
                                        .addNumerical("lefthippocampus")
                                        .addGroupBy("gender"))
                                .build(),
                        "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
        PrimitiveResult grouped = node(PrivacyPolicy.DEFAULT)
                .execute(
                        query().setMoments(MomentsQuery.newBuilder()
                                        .addNumerical("lefthippocampus")
                                        .addGroupBy("gender"))
                                .build(),
                        "t");
        assertThat(grouped.getMoments().getGroupsCount())
                .as("alone, the groups are answered")
                .isEqualTo(2);
    }

    @Test
    void survivalCountsOverOneRowFewerThanAnEarlierAnswersAreRefused() {
        PrimitiveExecutor node = node(PrivacyPolicy.DEFAULT);
        SurvivalCountsQuery.Builder survival = SurvivalCountsQuery.newBuilder()
                .setTime("subjectageyears")
                .setEvent("alzheimerbroadcategory")
                .setEventLevel("CN")
                .setBinWidth(1000);
        PrimitiveResult ungrouped =
                node.execute(query().setSurvivalCounts(survival.clone()).build(), "t");
        assertThat(ungrouped.getSurvivalCounts().getN()).isEqualTo(60);
        assertThatThrownBy(() -> node.execute(
                        query().setSurvivalCounts(survival.clone().addCompleteIn("righthippocampus"))
                                .build(),
                        "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
    }

    @Test
    void coxStepsAtOtherCoefficientsAreAnsweredButBinsOneRowFromAnEarlierAnswersAreNot() {
        PrimitiveExecutor node = node(PrivacyPolicy.DEFAULT);
        // Ages 50 + i % 40: with bins of 77 years the second bin's censored rows are those aged 78 to 89 (12 rows),
        // with
        // bins of 78 those aged 79 to 89 (11): the difference of the two answers' sums would be the row aged 78.
        PrimitiveResult first = node.execute(cox(77, 0, "CN"), "t");
        assertThat(first.getCoxStep().getBinsCount()).isEqualTo(2);
        // The next Newton step (other β, the same rows behind every figure) is answered.
        assertThat(node.execute(cox(77, 0.5, "CN"), "t").getCoxStep().getN()).isEqualTo(60);
        assertThatThrownBy(() -> node.execute(cox(78, 0.5, "CN"), "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
        // As do the same bins over one row fewer (righthippocampus is missing in row 0 alone).
        assertThatThrownBy(() -> node.execute(
                        query().setCoxStep(cox(77, 0, "CN").getCoxStep().toBuilder()
                                        .addCompleteIn("righthippocampus"))
                                .build(),
                        "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
        // Alone, on a node with no history, the other width is answered.
        assertThat(node(PrivacyPolicy.DEFAULT)
                        .execute(cox(78, 0, "CN"), "t")
                        .getCoxStep()
                        .getBinsCount())
                .isEqualTo(2);
    }

    @Test
    void coxStepRefusesALevelIndicatorWithFewEventsAtALevel() {
        // MCI: 2 F and 13 M; the events' sum of the indicator of M would say that 13 of the 15 events are M.
        PrimitiveQuery gender = query().setCoxStep(CoxStepQuery.newBuilder()
                        .setTime("subjectageyears")
                        .setEvent("alzheimerbroadcategory")
                        .setEventLevel("MCI")
                        .setBinWidth(1000)
                        .addColumns(GlmColumn.newBuilder().setVariable("gender").setLevel("M")))
                .build();
        assertThatThrownBy(() -> node(PrivacyPolicy.DEFAULT).execute(gender, "t"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isEqualTo(PrivacyGuard.MIN_CELL_COUNT);
                    assertThat(e.getMessage()).contains("gender").doesNotContain("'F'");
                });
    }

    private static PrimitiveQuery cox(double width, double beta, String eventLevel) {
        return query().setCoxStep(CoxStepQuery.newBuilder()
                        .setTime("subjectageyears")
                        .setEvent("alzheimerbroadcategory")
                        .setEventLevel(eventLevel)
                        .setBinWidth(width)
                        .addColumns(GlmColumn.newBuilder().setVariable("lefthippocampus"))
                        .addBeta(beta))
                .build();
    }

    @Test
    void aModelOverOneRowFewerThanAnEarlierAnswersIsRefused() {
        PrimitiveExecutor node = node(PrivacyPolicy.DEFAULT);
        node.execute(PrimitiveQueries.describe(List.of(DATASET), null, List.of("lefthippocampus"), List.of()), "t");
        // lefthippocampus over the rows with righthippocampus: P's value is the difference of the two sums
        assertThatThrownBy(() -> node.execute(
                        PrimitiveQueries.crossProducts(
                                List.of(DATASET),
                                null,
                                List.of(
                                        PrimitiveQueries.column("lefthippocampus", ""),
                                        PrimitiveQueries.column("righthippocampus", ""))),
                        "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class, e -> assertThat(e.rule()).isEqualTo(PrivacyGuard.DIFFERENCING));
        PrimitiveResult alone = node(PrivacyPolicy.DEFAULT)
                .execute(
                        PrimitiveQueries.crossProducts(
                                List.of(DATASET),
                                null,
                                List.of(
                                        PrimitiveQueries.column("lefthippocampus", ""),
                                        PrimitiveQueries.column("righthippocampus", ""))),
                        "t");
        assertThat(alone.getCrossProducts().getN()).isEqualTo(59);
    }
}
