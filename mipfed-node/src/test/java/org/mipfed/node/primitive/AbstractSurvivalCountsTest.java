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
    /** One hospital's datasets, as the demo's uoa holds them: 389 rows, 59 men and 99 women with the event. */
    private static final List<String> DESD =
            List.of("desd-synthdata0", "desd-synthdata1", "desd-synthdata2", "desd-synthdata3", "desd-synthdata4");

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

    /**
     * A width refused without joining, with sparse bins joined: answered, each released count none or at least the minimum,
     * each joined bin the run of bins up to its number (its times moved up to its end), and the counts adding up to
     * every row: a curve with many steps where the unjoined request was refused.
     */
    @Test
    void sparseBinsJoinedToTheNextOnesGiveACurveWhereTheFineWidthWasRefused() {
        assertThatThrownBy(() -> guarded.execute(query(DESD, null, "gender", 1, List.of()), "t"))
                .isInstanceOf(RefusalException.class);
        SurvivalCountsResult joined = guarded.execute(joining(query(DESD, null, "gender", 1, List.of())), "t")
                .getSurvivalCounts();
        List<Map<String, String>> selected =
                rows.select(DESD, r -> DementiaRows.complete(r, List.of(TIME, EVENT, "gender")));
        assertThat(joined.getN()).isEqualTo(selected.size());
        int minRows = guarded.guard().policy().minRows();
        for (SurvivalGroupCounts group : joined.getGroupsList()) {
            SurvivalGroupCounts raw = expected(
                    selected.stream()
                            .filter(r -> group.getLevel().equals(r.get("gender")))
                            .toList(),
                    1,
                    group.getLevel());
            assertThat(group.getBinsCount()).as("steps of %s", group.getLevel()).isGreaterThan(3);
            assertThat(raw.getBinsList()).containsAll(group.getBinsList());
            assertThat(group.getEventsList()).allMatch(c -> c == 0 || c >= minRows);
            assertThat(group.getCensoredList()).allMatch(c -> c == 0 || c >= minRows);
            // each joined bin holds exactly the raw bins after the previous one, up to its own number
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < group.getBinsCount(); i++) {
                long end = group.getBins(i);
                long events = 0;
                long censored = 0;
                for (int j = 0; j < raw.getBinsCount(); j++) {
                    if (raw.getBins(j) > previous && raw.getBins(j) <= end) {
                        events += raw.getEvents(j);
                        censored += raw.getCensored(j);
                    }
                }
                assertThat(group.getEvents(i)).isEqualTo(events);
                assertThat(group.getCensored(i)).isEqualTo(censored);
                previous = end;
            }
            assertThat(previous).isEqualTo(raw.getBins(raw.getBinsCount() - 1));
        }
        // a group too small as a whole is still refused (edsd0: 15 rows, 8 women with the event): joining never
        // releases a count below the minimum
        assertThatThrownBy(() -> guarded.execute(joining(query(List.of("edsd0"), null, "gender", 1, List.of())), "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_rows"));
    }

    /**
     * The attacker's widths: a researcher asks the same curve at many widths, sparse bins joined, on a node that
     * keeps its history of released row sets. Whatever it answers, no released count (a group's events or censored
     * rows in a joined bin) is another released count's rows plus or minus a few: subtracting two answers never
     * isolates fewer rows than the minimum.
     */
    @Test
    void differencingTwoWidthsOfJoinedBinsNeverIsolatesFewerRowsThanTheMinimum() {
        PrimitiveExecutor withHistory =
                new PrimitiveExecutor(store, org.mipfed.node.privacy.PrivacyPolicy.DEFAULT.withRefusalBudget(0), audit);
        int minRows = withHistory.guard().policy().minRows();
        List<Map<String, String>> selected =
                rows.select(DESD, r -> DementiaRows.complete(r, List.of(TIME, EVENT, "gender")));
        // every released figure as the rows behind it (identity of the CSV row)
        List<java.util.Set<Map<String, String>>> released = new ArrayList<>();
        int answered = 0;
        List<String> refusals = new ArrayList<>();
        for (double width : new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2.5, 12.5}) {
            SurvivalCountsResult result;
            try {
                result = withHistory
                        .execute(joining(query(DESD, null, "gender", width, List.of())), "attacker")
                        .getSurvivalCounts();
            } catch (RefusalException e) {
                refusals.add(e.rule());
                continue;
            }
            answered++;
            for (SurvivalGroupCounts group : result.getGroupsList()) {
                long previous = Long.MIN_VALUE;
                for (int i = 0; i < group.getBinsCount(); i++) {
                    long from = previous;
                    long end = group.getBins(i);
                    for (boolean event : new boolean[] {true, false}) {
                        java.util.Set<Map<String, String>> cell =
                                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                        selected.stream()
                                .filter(r -> group.getLevel().equals(r.get("gender")))
                                .filter(r -> "AD".equals(r.get(EVENT)) == event)
                                .filter(r -> {
                                    long bin = (long) Math.ceil(Double.parseDouble(r.get(TIME)) / width);
                                    return bin > from && bin <= end;
                                })
                                .forEach(cell::add);
                        assertThat(cell.size()).isEqualTo(event ? group.getEvents(i) : group.getCensored(i));
                        if (!cell.isEmpty()) {
                            released.add(cell);
                        }
                    }
                    previous = end;
                }
            }
        }
        System.out.println("joined survival counts, widths answered with the differencing history: " + answered
                + " of 12, refused by rule: " + refusals + "; released counts compared: " + released.size());
        assertThat(answered).as("widths answered").isPositive();
        // the groups are large enough: what refuses a width is only ever its cells being a few rows from earlier ones
        assertThat(refusals).allMatch(rule -> rule.equals(org.mipfed.node.privacy.PrivacyGuard.DIFFERENCING));
        for (int a = 0; a < released.size(); a++) {
            for (int b = 0; b < released.size(); b++) {
                java.util.Set<Map<String, String>> big = released.get(a);
                java.util.Set<Map<String, String>> small = released.get(b);
                if (a != b && big.size() > small.size() && big.containsAll(small)) {
                    assertThat(big.size() - small.size())
                            .as("rows isolated by subtracting two released counts")
                            .isGreaterThanOrEqualTo(minRows);
                }
            }
        }
    }

    private static PrimitiveQuery joining(PrimitiveQuery query) {
        PrimitiveQuery.Builder builder = query.toBuilder();
        builder.getSurvivalCountsBuilder().setMergeSparseBins(true);
        return builder.build();
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
