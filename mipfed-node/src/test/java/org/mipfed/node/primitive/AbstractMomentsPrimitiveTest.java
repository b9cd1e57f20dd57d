package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.rule;
import static org.mipfed.node.primitive.PrimitiveQueries.close;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LevelSelection;
import org.mipfed.proto.v1.MomentsDifference;
import org.mipfed.proto.v1.MomentsGroup;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableMoments;

/** The {@code moments} primitive on the dementia data, checked against figures computed from the CSV rows. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractMomentsPrimitiveTest extends DementiaStoreTest {

    @Test
    void groupedMomentsMatchFiguresComputedFromTheRows() {
        MomentsQuery query = MomentsQuery.newBuilder()
                .addNumerical("leftamygdala")
                .addNumerical("subjectageyears")
                .addDifferences(MomentsDifference.newBuilder()
                        .setMinuend("leftamygdala")
                        .setSubtrahend("rightamygdala"))
                .addGroupBy("gender")
                .addGroupBy("alzheimerbroadcategory")
                .addCompleteIn("minimentalstate")
                .build();
        PrimitiveResult result = open.execute(query(DATASETS, null, query), "t");
        List<String> used = List.of(
                "leftamygdala",
                "subjectageyears",
                "rightamygdala",
                "gender",
                "alzheimerbroadcategory",
                "minimentalstate");
        List<Map<String, String>> selected = rows.select(DATASETS, r -> DementiaRows.complete(r, used));
        Map<List<String>, List<Map<String, String>>> groups =
                new TreeMap<>((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b)));
        selected.forEach(r -> groups.computeIfAbsent(
                        List.of(r.get("gender"), r.get("alzheimerbroadcategory")), k -> new ArrayList<>())
                .add(r));
        assertThat(result.getRowsUsed()).isEqualTo(selected.size()).isGreaterThan(50);
        assertThat(result.getMoments().getGroupsList())
                .extracting(g -> List.copyOf(g.getLevelsList()))
                .containsExactlyElementsOf(groups.keySet());
        int i = 0;
        for (List<Map<String, String>> group : groups.values()) {
            MomentsGroup answer = result.getMoments().getGroups(i++);
            assertThat(answer.getN()).isEqualTo(group.size());
            expect(answer.getMoments(0), DementiaRows.values(group, "leftamygdala"));
            expect(answer.getMoments(1), DementiaRows.values(group, "subjectageyears"));
            expect(
                    answer.getMoments(2),
                    group.stream()
                            .mapToDouble(r ->
                                    DementiaRows.number(r, "leftamygdala") - DementiaRows.number(r, "rightamygdala"))
                            .toArray());
        }
    }

    @Test
    void ungroupedMomentsAreOneGroupOfAllRows() {
        Filter filter = rule("subjectageyears", "greater", 60);
        PrimitiveResult result = guarded.execute(
                query(
                        DATASETS,
                        filter,
                        MomentsQuery.newBuilder()
                                .addNumerical("rightthalamusproper")
                                .build()),
                "t");
        List<Map<String, String>> selected = rows.select(
                DATASETS,
                r -> r.containsKey("rightthalamusproper")
                        && r.containsKey("subjectageyears")
                        && DementiaRows.number(r, "subjectageyears") > 60);
        assertThat(result.getMoments().getGroupsList()).singleElement().satisfies(group -> {
            assertThat(group.getLevelsList()).isEmpty();
            assertThat(group.getN()).isEqualTo(selected.size());
            expect(group.getMoments(0), DementiaRows.values(selected, "rightthalamusproper"));
        });
    }

    @Test
    void selectedLevelsKeepOnlyTheirRows() {
        MomentsQuery query = MomentsQuery.newBuilder()
                .addNumerical("lefthippocampus")
                .addGroupBy("alzheimerbroadcategory")
                .addOnlyLevels(LevelSelection.newBuilder()
                        .setVariable("alzheimerbroadcategory")
                        .addLevels("AD")
                        .addLevels("CN"))
                .build();
        PrimitiveResult result = guarded.execute(query(DATASETS, null, query), "t");
        assertThat(result.getMoments().getGroupsList())
                .extracting(g -> g.getLevels(0))
                .containsExactly("AD", "CN");
        for (MomentsGroup group : result.getMoments().getGroupsList()) {
            List<Map<String, String>> selected = rows.select(
                    DATASETS,
                    r -> r.containsKey("lefthippocampus")
                            && group.getLevels(0).equals(r.get("alzheimerbroadcategory")));
            assertThat(group.getN()).isEqualTo(selected.size());
            expect(group.getMoments(0), DementiaRows.values(selected, "lefthippocampus"));
        }
    }

    @Test
    void refusesASmallGroupWithoutNamingItsLevel() {
        List<String> datasets = List.of("edsd0");
        Predicate<Map<String, String>> used = r -> r.containsKey("leftamygdala") && r.containsKey("agegroup");
        Map<String, Long> counts = new TreeMap<>();
        rows.select(datasets, used).forEach(r -> counts.merge(r.get("agegroup"), 1L, Long::sum));
        String small = counts.entrySet().stream()
                .filter(e -> e.getValue() < 10)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        PrimitiveQuery query = query(
                datasets,
                null,
                MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala")
                        .addGroupBy("agegroup")
                        .build());
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("the rows complete in leftamygdala, agegroup")
                .hasMessageNotContaining(small)
                .satisfies(e -> assertThat(((RefusalException) e).rule()).isEqualTo("min_rows"));
        assertThat(open.execute(query, "t").getMoments().getGroupsCount()).isEqualTo(counts.size());
    }

    @Test
    void noRowsGiveNoGroups() {
        PrimitiveResult result = guarded.execute(
                query(
                        List.of("edsd0"),
                        rule("subjectageyears", "greater", 200),
                        MomentsQuery.newBuilder()
                                .addNumerical("leftamygdala")
                                .addGroupBy("gender")
                                .build()),
                "t");
        assertThat(result.getRowsUsed()).isZero();
        assertThat(result.getMoments().getGroupsList()).isEmpty();
    }

    @Test
    void refusesRequestMistakesAndFreeText() {
        assertRule(MomentsQuery.newBuilder().addNumerical("gender").build(), "variable_type");
        assertRule(
                MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala")
                        .addGroupBy("subjectcode")
                        .build(),
                "variable_type");
        assertRule(
                MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala")
                        .addGroupBy("leftamygdala")
                        .build(),
                "variable_type");
        assertRule(MomentsQuery.newBuilder().addGroupBy("gender").build(), "invalid_query");
        assertRule(
                MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala")
                        .addOnlyLevels(LevelSelection.newBuilder()
                                .setVariable("gender")
                                .addLevels("F"))
                        .build(),
                "invalid_query");
        assertRule(
                MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala")
                        .addGroupBy("gender")
                        .addOnlyLevels(LevelSelection.newBuilder()
                                .setVariable("gender")
                                .addLevels("F' OR '1'='1"))
                        .build(),
                "unknown_level");
        assertRule(
                MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala\" FROM x; --")
                        .build(),
                "unknown_variable");
    }

    @Test
    void isAudited() throws Exception {
        guarded.execute(
                query(
                        DATASETS,
                        null,
                        MomentsQuery.newBuilder()
                                .addNumerical("leftamygdala")
                                .addGroupBy("gender")
                                .build()),
                "t",
                "moments-audit-1");
        String line = Files.readAllLines(audit.file()).stream()
                .filter(l -> l.contains("moments-audit-1"))
                .findFirst()
                .orElseThrow();
        assertThat(line).contains("\"primitive\":\"moments\"").contains("\"variables\":[\"leftamygdala\",\"gender\"]");
    }

    private void assertRule(MomentsQuery moments, String rule) {
        assertThatThrownBy(() -> guarded.execute(query(List.of("edsd0"), null, moments), "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> assertThat(((RefusalException) e).rule())
                        .as(e.getMessage())
                        .isEqualTo(rule));
    }

    private static PrimitiveQuery query(List<String> datasets, Filter filter, MomentsQuery moments) {
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setMoments(moments);
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }

    private static void expect(VariableMoments moments, double[] values) {
        close(moments.getMean(), DementiaRows.mean(values));
        close(moments.getM2(), DementiaRows.m2(values));
        close(moments.getMin(), Arrays.stream(values).min().orElseThrow());
        close(moments.getMax(), Arrays.stream(values).max().orElseThrow());
    }
}
