package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.SurvivalCountsQuery;
import org.mipfed.proto.v1.SurvivalCountsResult;
import org.mipfed.proto.v1.SurvivalGroupCounts;

/**
 * {@code survival_counts} on the dementia data (time = age, event = an Alzheimer's diagnosis), checked
 * against events and censored rows per bin counted here from the CSV rows, the same on every store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractSurvivalCountsTest extends DementiaStoreTest {
    private static final String TIME = "subjectageyears";
    private static final String EVENT = "alzheimerbroadcategory";

    @Test
    void countsEventsAndCensoredRowsPerGroupAndBinWithTimesMovedUpToTheBinEnd() {
        SurvivalCountsResult result =
                open.execute(query(DATASETS, null, "gender", 5, List.of()), "t").getSurvivalCounts();
        List<Map<String, String>> selected =
                rows.select(DATASETS, r -> DementiaRows.complete(r, List.of(TIME, EVENT, "gender")));
        assertThat(result.getN()).isEqualTo(selected.size());
        assertThat(result.getGroupsList())
                .extracting(SurvivalGroupCounts::getLevel)
                .containsExactly("M", "F");
        for (SurvivalGroupCounts group : result.getGroupsList()) {
            assertThat(group)
                    .isEqualTo(expected(
                            selected.stream()
                                    .filter(r -> group.getLevel().equals(r.get("gender")))
                                    .toList(),
                            5,
                            group.getLevel()));
        }
    }

    @Test
    void withoutGroupOneCurveOverTheFilteredRowsAndFractionalWidths() {
        Filter filter = rule("subjectageyears", "greater", 60);
        SurvivalCountsResult result = open.execute(
                        query(List.of("edsd0", "edsd1"), filter, "", 2.5, List.of("leftamygdala")), "t")
                .getSurvivalCounts();
        List<Map<String, String>> selected = rows.select(
                List.of("edsd0", "edsd1"),
                r -> DementiaRows.complete(r, List.of(TIME, EVENT, "leftamygdala"))
                        && Double.parseDouble(r.get(TIME)) > 60);
        assertThat(result.getN()).isEqualTo(selected.size());
        assertThat(result.getGroupsList()).containsExactly(expected(selected, 2.5, ""));
        // With integer ages and a width of 1, the bins are the ages themselves.
        SurvivalGroupCounts ages = open.execute(query(List.of("edsd0"), null, "", 1, List.of()), "t")
                .getSurvivalCounts()
                .getGroups(0);
        List<Map<String, String>> edsd0 =
                rows.select(List.of("edsd0"), r -> DementiaRows.complete(r, List.of(TIME, EVENT)));
        assertThat(ages.getBinsList())
                .isEqualTo(edsd0.stream()
                        .map(r -> (long) Double.parseDouble(r.get(TIME)))
                        .distinct()
                        .sorted()
                        .toList());
    }

    @Test
    void aSmallCountInSomeBinIsRefusedWithoutNamingTheBin() {
        PrimitiveQuery fine = query(DATASETS, null, "gender", 1, List.of());
        assertThatThrownBy(() -> guarded.execute(fine, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> {
                    RefusalException refusal = (RefusalException) e;
                    assertThat(refusal.rule()).isEqualTo("min_rows");
                    assertThat(refusal.callerError()).isTrue();
                    assertThat(refusal.getMessage())
                            .doesNotContain("gender = ")
                            .doesNotContain("bin (")
                            .contains("Choose a wider bin_width");
                });
        // Wide enough bins release everything.
        SurvivalCountsResult wide =
                guarded.execute(query(DATASETS, null, "", 100, List.of()), "t").getSurvivalCounts();
        assertThat(wide.getGroups(0).getBinsList()).containsExactly(1L);
    }

    @Test
    void wrongVariablesLevelsAndWidthsAreRefusedAsTheCallersMistake() {
        assertRefusal(query(DATASETS, null, "", 0, List.of()), "invalid_query", "bin width");
        assertRefusal(query(DATASETS, null, "", Double.NaN, List.of()), "invalid_query", "bin width");
        assertRefusal(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addAllDatasets(DATASETS)
                        .setSurvivalCounts(SurvivalCountsQuery.newBuilder()
                                .setTime("gender")
                                .setEvent(EVENT)
                                .setEventLevel("AD")
                                .setBinWidth(1))
                        .build(),
                "variable_type",
                "'gender' is nominal");
        assertRefusal(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addAllDatasets(DATASETS)
                        .setSurvivalCounts(SurvivalCountsQuery.newBuilder()
                                .setTime(TIME)
                                .setEvent("leftamygdala")
                                .setEventLevel("AD")
                                .setBinWidth(1))
                        .build(),
                "variable_type",
                "'leftamygdala' is numerical");
        assertRefusal(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addAllDatasets(DATASETS)
                        .setSurvivalCounts(SurvivalCountsQuery.newBuilder()
                                .setTime(TIME)
                                .setEvent(EVENT)
                                .setEventLevel("dead")
                                .setBinWidth(1))
                        .build(),
                "unknown_level",
                "'dead' is not a level of 'alzheimerbroadcategory'");
        assertRefusal(
                query(DATASETS, null, "subjectcode", 1, List.of()), "variable_type", "'subjectcode' is free text");
    }

    private void assertRefusal(PrimitiveQuery query, String rule, String message) {
        assertThatThrownBy(() -> open.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).as(e.getMessage()).isEqualTo(rule);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                    assertThat(e.getMessage()).contains(message);
                });
    }

    private static PrimitiveQuery query(
            List<String> datasets, Filter filter, String group, double width, List<String> completeIn) {
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setSurvivalCounts(SurvivalCountsQuery.newBuilder()
                        .setTime(TIME)
                        .setEvent(EVENT)
                        .setEventLevel("AD")
                        .setGroupBy(group)
                        .setBinWidth(width)
                        .addAllCompleteIn(completeIn));
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }

    /** The counts the plain way: each row's bin is ceil(age / width). */
    private static SurvivalGroupCounts expected(List<Map<String, String>> rows, double width, String level) {
        Map<Long, long[]> bins = new TreeMap<>();
        for (Map<String, String> row : rows) {
            long bin = (long) Math.ceil(Double.parseDouble(row.get(TIME)) / width);
            bins.computeIfAbsent(bin, b -> new long[2])["AD".equals(row.get(EVENT)) ? 0 : 1]++;
        }
        SurvivalGroupCounts.Builder out = SurvivalGroupCounts.newBuilder().setLevel(level);
        List<Long> order = new ArrayList<>(bins.keySet());
        for (long bin : order) {
            out.addBins(bin).addEvents(bins.get(bin)[0]).addCensored(bins.get(bin)[1]);
        }
        return out.build();
    }
}
