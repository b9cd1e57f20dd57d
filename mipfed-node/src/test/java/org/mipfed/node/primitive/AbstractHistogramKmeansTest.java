package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.rule;
import static org.mipfed.node.primitive.PrimitiveQueries.close;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.HistogramCounts;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.HistogramResult;
import org.mipfed.proto.v1.KmeansCluster;
import org.mipfed.proto.v1.KmeansStepQuery;
import org.mipfed.proto.v1.KmeansStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * {@code histogram} and {@code kmeans_step} on the dementia data, checked against counts, sums and
 * distances computed here from the CSV rows, the same on every kind of store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractHistogramKmeansTest extends DementiaStoreTest {

    // ---------------------------------------------------------------------------------------------
    // histogram

    @Test
    void histogramWithoutEdgesGivesTheRangeOfTheCompleteRows() {
        Filter filter = rule("subjectageyears", "greater", 60);
        HistogramResult result = open.execute(
                        histogram(DATASETS, filter, "leftamygdala", new double[0], List.of("gender")), "t")
                .getHistogram();
        List<Map<String, String>> selected = rows.select(
                DATASETS,
                r -> r.containsKey("subjectageyears")
                        && Double.parseDouble(r.get("subjectageyears")) > 60
                        && DementiaRows.complete(r, List.of("leftamygdala", "gender")));
        double[] values = DementiaRows.values(selected, "leftamygdala");
        assertThat(result.getN()).isEqualTo(selected.size());
        assertThat(result.getMin()).isEqualTo(Arrays.stream(values).min().orElseThrow());
        assertThat(result.getMax()).isEqualTo(Arrays.stream(values).max().orElseThrow());
        assertThat(result.getHistogramsList()).isEmpty();
    }

    @Test
    void numericalCountsFollowNumpysBinsOverAllRowsAndPerGroup() {
        List<String> groups = List.of("gender", "alzheimerbroadcategory");
        List<Map<String, String>> selected = rows.select(
                DATASETS, r -> DementiaRows.complete(r, List.of("rightamygdala", "gender", "alzheimerbroadcategory")));
        double[] values = DementiaRows.values(selected, "rightamygdala");
        double[] edges = edges(
                Arrays.stream(values).min().orElseThrow(),
                Arrays.stream(values).max().orElseThrow(),
                17);
        HistogramResult result = open.execute(histogram(DATASETS, null, "rightamygdala", edges, groups), "t")
                .getHistogram();
        assertThat(result.getN()).isEqualTo(selected.size());
        assertThat(result.getLevelsList()).isEmpty();
        int expectedHistograms = 1
                + DEMENTIA.cde("gender").enumerations().size()
                + DEMENTIA.cde("alzheimerbroadcategory").enumerations().size();
        assertThat(result.getHistogramsList()).hasSize(expectedHistograms);
        assertThat(result.getHistograms(0).getCountsList()).isEqualTo(binCounts(selected, "rightamygdala", edges));
        assertThat(result.getHistograms(0).getCountsList().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(selected.size());
        int h = 1;
        for (String group : groups) {
            for (String level : DEMENTIA.cde(group).enumerations().keySet()) {
                HistogramCounts counts = result.getHistograms(h++);
                assertThat(counts.getGroupVariable()).isEqualTo(group);
                assertThat(counts.getGroupLevel()).isEqualTo(level);
                assertThat(counts.getCountsList())
                        .as(group + " = " + level)
                        .isEqualTo(binCounts(
                                selected.stream()
                                        .filter(r -> level.equals(r.get(group)))
                                        .toList(),
                                "rightamygdala",
                                edges));
                assertThat(counts.getSuppressedList()).containsOnly(false);
            }
        }
    }

    @Test
    void valuesOutsideTheEdgesAreNotCountedAndTheTopEdgeIsInTheLastBin() {
        List<Map<String, String>> selected = rows.select(List.of("edsd0"), r -> r.containsKey("leftamygdala"));
        double[] values = DementiaRows.values(selected, "leftamygdala");
        Arrays.sort(values);
        double[] edges = {values[3], (values[3] + values[values.length - 4]) / 2, values[values.length - 4]};
        HistogramResult result = open.execute(histogram(List.of("edsd0"), null, "leftamygdala", edges, List.of()), "t")
                .getHistogram();
        assertThat(result.getN()).isEqualTo(values.length);
        assertThat(result.getHistograms(0).getCountsList()).isEqualTo(binCounts(selected, "leftamygdala", edges));
        assertThat(result.getHistograms(0).getCountsList().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isLessThanOrEqualTo(values.length - 6L);
    }

    @Test
    void nominalCountsFollowTheDataModelsLevelOrderAndWithholdSmallCounts() {
        // Three small datasets, where two men are 50-59: below the default minimum cell count of 3.
        List<String> datasets = List.of("edsd0", "edsd1", "edsd2");
        List<Map<String, String>> selected =
                rows.select(datasets, r -> DementiaRows.complete(r, List.of("agegroup", "gender")));
        HistogramResult result = guarded.execute(
                        histogram(datasets, null, "agegroup", new double[0], List.of("gender")), "t")
                .getHistogram();
        List<String> levels =
                new ArrayList<>(DEMENTIA.cde("agegroup").enumerations().keySet());
        assertThat(result.getLevelsList()).isEqualTo(levels);
        assertThat(result.getN()).isEqualTo(selected.size());
        checkGuarded(result.getHistograms(0), levelCounts(selected, "agegroup", levels), 10);
        int h = 1;
        boolean anyWithheld = false;
        for (String gender : DEMENTIA.cde("gender").enumerations().keySet()) {
            HistogramCounts counts = result.getHistograms(h++);
            assertThat(counts.getGroupLevel()).isEqualTo(gender);
            List<Long> expected = levelCounts(
                    selected.stream()
                            .filter(r -> gender.equals(r.get("gender")))
                            .toList(),
                    "agegroup",
                    levels);
            checkGuarded(counts, expected, 10);
            anyWithheld |= counts.getSuppressedList().contains(true);
        }
        assertThat(anyWithheld).as("some small count was withheld").isTrue();
        checkNoWithheldCountAlone(result);
    }

    @Test
    void histogramRefusesFewRowsAndAnswersNoneWithNothing() {
        Filter few = rule("subjectageyears", "between", 60, 62);
        long n = rows.select(
                        List.of("edsd0"),
                        r -> r.containsKey("subjectageyears")
                                && r.containsKey("leftamygdala")
                                && Double.parseDouble(r.get("subjectageyears")) >= 60
                                && Double.parseDouble(r.get("subjectageyears")) <= 62)
                .size();
        assertThat(n).isBetween(1L, 9L);
        assertRefusal(histogram(List.of("edsd0"), few, "leftamygdala", new double[0], List.of()), "min_rows");
        assertRefusal(histogram(List.of("edsd0"), few, "leftamygdala", new double[] {0, 1, 2}, List.of()), "min_rows");
        HistogramResult none = guarded.execute(
                        histogram(
                                List.of("edsd0"),
                                rule("subjectageyears", "greater", 200),
                                "leftamygdala",
                                new double[] {0, 1, 2},
                                List.of()),
                        "t")
                .getHistogram();
        assertThat(none).isEqualTo(HistogramResult.newBuilder().setN(0).build());
    }

    @Test
    void histogramRefusesMistakes() {
        assertRefusal(histogram(DATASETS, null, "gender", new double[] {0, 1}, List.of()), "invalid_query");
        assertRefusal(histogram(DATASETS, null, "leftamygdala", new double[] {1}, List.of()), "invalid_query");
        assertRefusal(histogram(DATASETS, null, "leftamygdala", new double[] {1, 1}, List.of()), "invalid_query");
        assertRefusal(
                histogram(DATASETS, null, "leftamygdala", new double[] {1, Double.NaN}, List.of()), "invalid_query");
        assertRefusal(
                histogram(DATASETS, null, "leftamygdala", new double[0], List.of("rightamygdala")), "variable_type");
        assertRefusal(histogram(DATASETS, null, "subjectcode", new double[0], List.of()), "variable_type");
        assertRefusal(histogram(DATASETS, null, "nosuchvariable", new double[0], List.of()), "unknown_variable");
    }

    // ---------------------------------------------------------------------------------------------
    // kmeans_step

    @Test
    void kmeansWithoutCentresGivesTheRangeOfEachVariable() {
        List<String> variables = List.of("lefthippocampus", "righthippocampus", "subjectageyears");
        KmeansStepResult result =
                open.execute(kmeans(DATASETS, variables, new double[0]), "t").getKmeansStep();
        List<Map<String, String>> selected = rows.select(DATASETS, r -> DementiaRows.complete(r, variables));
        assertThat(result.getN()).isEqualTo(selected.size());
        for (int j = 0; j < variables.size(); j++) {
            double[] values = DementiaRows.values(selected, variables.get(j));
            assertThat(result.getMin(j)).isEqualTo(Arrays.stream(values).min().orElseThrow());
            assertThat(result.getMax(j)).isEqualTo(Arrays.stream(values).max().orElseThrow());
        }
        assertThat(result.getClustersList()).isEmpty();
    }

    @Test
    void kmeansStepAssignsEachRowToItsNearestCentre() {
        List<String> variables = List.of("leftamygdala", "rightamygdala");
        double[] centres = {0.6, 0.6, 0.8, 0.8, 1.0, 1.0, 50, 50};
        checkStep(open, DATASETS, variables, centres, r -> true, 1);
    }

    @Test
    void kmeansStepWithholdsSmallClusters() {
        List<String> variables = List.of("leftamygdala");
        double[] values =
                DementiaRows.values(rows.select(DATASETS, r -> r.containsKey("leftamygdala")), "leftamygdala");
        Arrays.sort(values);
        int n = values.length;
        assertThat(values[n - 6]).isLessThan(values[n - 5]);
        // Centres either side of a boundary below the five largest values: those five make the second cluster.
        double boundary = (values[n - 6] + values[n - 5]) / 2;
        KmeansStepResult result =
                checkStep(guarded, DATASETS, variables, new double[] {boundary - 1, boundary + 1}, r -> true, 10);
        assertThat(result.getClusters(0).getCount()).isEqualTo(n - 5);
        assertThat(result.getClusters(1).getSuppressed()).isTrue();
        assertThat(result.getClusters(1).getSumsList()).containsOnly(0.0);
    }

    @Test
    void kmeansStepRefusesFewRowsAndMistakes() {
        Filter few = rule("subjectageyears", "between", 60, 62);
        PrimitiveQuery fewRows = kmeans(List.of("edsd0"), List.of("leftamygdala"), new double[] {1}).toBuilder()
                .setFilter(few)
                .build();
        assertRefusal(fewRows, "min_rows");
        KmeansStepResult none = guarded.execute(
                        kmeans(List.of("edsd0"), List.of("leftamygdala"), new double[] {1}).toBuilder()
                                .setFilter(rule("subjectageyears", "greater", 200))
                                .build(),
                        "t")
                .getKmeansStep();
        assertThat(none).isEqualTo(KmeansStepResult.newBuilder().setN(0).build());
        assertRefusal(
                kmeans(DATASETS, List.of("leftamygdala", "rightamygdala"), new double[] {1, 2, 3}), "invalid_query");
        assertRefusal(kmeans(DATASETS, List.of("leftamygdala", "leftamygdala"), new double[] {1, 2}), "invalid_query");
        assertRefusal(
                kmeans(DATASETS, List.of("leftamygdala"), new double[] {Double.POSITIVE_INFINITY}), "invalid_query");
        assertRefusal(kmeans(DATASETS, List.of(), new double[0]), "invalid_query");
        assertRefusal(kmeans(DATASETS, List.of("gender"), new double[0]), "variable_type");
    }

    @Test
    void bothAreAuditedUnderTheirNames() throws IOException {
        open.execute(kmeans(List.of("edsd0"), List.of("leftamygdala"), new double[] {1}), "t", "km-1");
        open.execute(histogram(List.of("edsd0"), null, "gender", new double[0], List.of("agegroup")), "t", "h-1");
        String log = Files.readString(auditFile);
        assertThat(log)
                .contains("\"km-1\"")
                .contains("\"kmeans_step\"")
                .contains("\"h-1\"")
                .contains("\"histogram\"")
                .contains("[\"gender\",\"agegroup\"]");
    }

    // ---------------------------------------------------------------------------------------------

    private KmeansStepResult checkStep(
            PrimitiveExecutor executor,
            List<String> datasets,
            List<String> variables,
            double[] centres,
            Predicate<Map<String, String>> filter,
            int minRows) {
        KmeansStepResult result =
                executor.execute(kmeans(datasets, variables, centres), "t").getKmeansStep();
        List<Map<String, String>> selected =
                rows.select(datasets, r -> filter.test(r) && DementiaRows.complete(r, variables));
        int d = variables.size();
        int k = centres.length / d;
        long[] counts = new long[k];
        double[][] sums = new double[k][d];
        double[] within = new double[k];
        for (Map<String, String> row : selected) {
            int best = 0;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double distance = 0;
                for (int j = 0; j < d; j++) {
                    double delta = DementiaRows.number(row, variables.get(j)) - centres[c * d + j];
                    distance += delta * delta;
                }
                if (distance < bestDistance) {
                    best = c;
                    bestDistance = distance;
                }
            }
            counts[best]++;
            within[best] += bestDistance;
            for (int j = 0; j < d; j++) {
                sums[best][j] += DementiaRows.number(row, variables.get(j));
            }
        }
        assertThat(result.getN()).isEqualTo(selected.size());
        assertThat(result.getClustersList()).hasSize(k);
        for (int c = 0; c < k; c++) {
            KmeansCluster cluster = result.getClusters(c);
            boolean withheld = counts[c] > 0 && counts[c] < minRows;
            assertThat(cluster.getSuppressed())
                    .as("cluster " + c + " of " + counts[c] + " rows withheld")
                    .isEqualTo(withheld);
            assertThat(cluster.getCount()).isEqualTo(withheld ? 0 : counts[c]);
            if (!withheld) {
                close(cluster.getWithinSs(), within[c]);
                for (int j = 0; j < d; j++) {
                    close(cluster.getSums(j), sums[c][j]);
                }
            }
        }
        return result;
    }

    /**
     * Counts under the minimum cell count (the default's for the guarded executor) are withheld, and
     * every count released is exact; which further counts are withheld to protect them
     * ({@link #checkNoWithheldCountAlone}) depends on the other histograms of the answer.
     */
    private static void checkGuarded(HistogramCounts counts, List<Long> expected, int minRows) {
        assertThat(counts.getCountsCount()).isEqualTo(expected.size());
        int minCells = minRows == 1 ? 1 : PrivacyPolicy.DEFAULT_MIN_CELL_COUNT;
        for (int b = 0; b < expected.size(); b++) {
            long e = expected.get(b);
            if (e > 0 && e < minCells) {
                assertThat(counts.getSuppressed(b))
                        .as("bin " + b + " of " + e + " withheld")
                        .isTrue();
            }
            assertThat(counts.getCounts(b)).as("bin " + b).isEqualTo(counts.getSuppressed(b) ? 0 : e);
        }
    }

    /**
     * Secondary suppression: no histogram of the answer, and no bin over the histogram of all rows and
     * those of the levels of one grouping variable, holds exactly one withheld count (the known sum
     * would give it back).
     */
    private static void checkNoWithheldCountAlone(HistogramResult result) {
        for (HistogramCounts counts : result.getHistogramsList()) {
            assertThat(counts.getSuppressedList().stream().filter(s -> s).count())
                    .as(counts.toString())
                    .isNotEqualTo(1);
        }
        HistogramCounts all = result.getHistograms(0);
        for (int b = 0; b < all.getCountsCount(); b++) {
            int withheld = all.getSuppressed(b) ? 1 : 0;
            for (int h = 1; h < result.getHistogramsCount(); h++) {
                withheld += result.getHistograms(h).getSuppressed(b) ? 1 : 0;
            }
            assertThat(withheld).as("bin " + b + " over all histograms").isNotEqualTo(1);
        }
    }

    /** numpy.linspace(min, max, bins + 1), as numpy.histogram draws its edges. */
    static double[] edges(double min, double max, int bins) {
        double[] edges = new double[bins + 1];
        double step = (max - min) / bins;
        for (int i = 0; i < bins; i++) {
            edges[i] = i * step + min;
        }
        edges[bins] = max;
        return edges;
    }

    /** Bin i holds edges[i] <= v < edges[i + 1], the last bin also its top edge; values outside are dropped. */
    static List<Long> binCounts(List<Map<String, String>> selected, String variable, double[] edges) {
        long[] counts = new long[edges.length - 1];
        for (double v : DementiaRows.values(selected, variable)) {
            if (v < edges[0] || v > edges[edges.length - 1]) {
                continue;
            }
            int bin = 0;
            while (bin + 1 < counts.length && v >= edges[bin + 1]) {
                bin++;
            }
            counts[bin]++;
        }
        return Arrays.stream(counts).boxed().toList();
    }

    static List<Long> levelCounts(List<Map<String, String>> selected, String variable, List<String> levels) {
        return levels.stream()
                .map(level -> selected.stream()
                        .filter(r -> level.equals(r.get(variable)))
                        .count())
                .toList();
    }

    static PrimitiveQuery histogram(
            List<String> datasets, Filter filter, String variable, double[] edges, List<String> groupBy) {
        HistogramQuery.Builder histogram =
                HistogramQuery.newBuilder().setVariable(variable).addAllGroupBy(groupBy);
        Arrays.stream(edges).forEach(histogram::addEdges);
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setHistogram(histogram);
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }

    static PrimitiveQuery kmeans(List<String> datasets, List<String> variables, double[] centres) {
        KmeansStepQuery.Builder step = KmeansStepQuery.newBuilder().addAllVariables(variables);
        Arrays.stream(centres).forEach(step::addCentres);
        return PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setKmeansStep(step)
                .build();
    }

    void assertRefusal(PrimitiveQuery query, String rule) {
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).as(e.getMessage()).isEqualTo(rule);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                });
    }
}
