package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.and;
import static org.mipfed.node.primitive.FilterTrees.or;
import static org.mipfed.node.primitive.FilterTrees.rule;
import static org.mipfed.node.primitive.PrimitiveQueries.close;
import static org.mipfed.node.primitive.PrimitiveQueries.column;
import static org.mipfed.node.primitive.PrimitiveQueries.crossProducts;
import static org.mipfed.node.primitive.PrimitiveQueries.describe;
import static org.mipfed.node.primitive.PrimitiveQueries.expectSummary;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.core.json.Json;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DescribeResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;
import org.mipfed.proto.v1.VariableSummary;

/**
 * The primitives on the whole dementia data, checked against figures computed here from the CSV
 * rows, the same on every kind of store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractPrimitiveExecutorTest extends DementiaStoreTest {

    // ---------------------------------------------------------------------------------------------
    // describe

    @Test
    void describeMatchesFiguresComputedFromTheRows() {
        List<String> numerical = List.of("leftamygdala", "subjectageyears", "minimentalstate");
        List<String> nominal = List.of("gender", "alzheimerbroadcategory");
        PrimitiveResult result = guarded.execute(describe(DATASETS, null, numerical, nominal), "tester");
        checkDescribe(result, DATASETS, r -> true, numerical, nominal, 10);
    }

    @Test
    void describeWithAFilterSuppressesSmallDatasets() {
        List<String> numerical = List.of("rightamygdala", "subjectage");
        List<String> nominal = List.of("agegroup");
        Filter filter = and(rule("gender", "equal", "F"), rule("subjectageyears", "greater", 65));
        PrimitiveResult result = guarded.execute(describe(DATASETS, filter, numerical, nominal), "tester");
        checkDescribe(
                result,
                DATASETS,
                r -> "F".equals(r.get("gender"))
                        && r.containsKey("subjectageyears")
                        && Double.parseDouble(r.get("subjectageyears")) > 65,
                numerical,
                nominal,
                10);
        assertThat(result.getDescribe().getVariableBasedList())
                .anyMatch(VariableSummary::getSuppressed)
                .anyMatch(s -> !s.getSuppressed());
    }

    @Test
    void describeOfADatasetWithNoRowsLeftGivesSuppressedRecords() {
        PrimitiveResult result = open.execute(
                describe(
                        List.of("edsd0", "ppmi0"),
                        rule("dataset", "equal", "ppmi0"),
                        List.of("leftamygdala"),
                        List.of("gender")),
                "tester");
        DescribeResult describe = result.getDescribe();
        assertThat(describe.getVariableBasedList())
                .extracting(VariableSummary::getDataset, VariableSummary::getVariable, VariableSummary::getSuppressed)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("edsd0", "leftamygdala", true),
                        org.assertj.core.groups.Tuple.tuple("edsd0", "gender", true),
                        org.assertj.core.groups.Tuple.tuple("ppmi0", "leftamygdala", false),
                        org.assertj.core.groups.Tuple.tuple("ppmi0", "gender", false));
        assertThat(describe.getVariableBased(0))
                .isEqualTo(VariableSummary.newBuilder()
                        .setVariable("leftamygdala")
                        .setDataset("edsd0")
                        .setSuppressed(true)
                        .build());
        assertThat(describe.getModelBasedCount()).isEqualTo(4);
        assertThat(result.getRowsUsed()).isEqualTo(46);
    }

    private static boolean hasSmallCell(List<Map<String, String>> selected, String variable, boolean numerical) {
        if (numerical) {
            return false;
        }
        Map<String, Long> counts = new TreeMap<>();
        selected.stream().map(r -> r.get(variable)).filter(v -> v != null).forEach(v -> counts.merge(v, 1L, Long::sum));
        return counts.values().stream().anyMatch(c -> c < PrivacyPolicy.DEFAULT_MIN_CELL_COUNT);
    }

    void checkDescribe(
            PrimitiveResult result,
            List<String> datasets,
            Predicate<Map<String, String>> filter,
            List<String> numerical,
            List<String> nominal,
            int minRows) {
        DescribeResult describe = result.getDescribe();
        List<String> all = new ArrayList<>(numerical);
        all.addAll(nominal);
        int k = 0;
        long total = 0;
        // Per variable: the rows of the released variable-based and model-based summaries, for the totals over
        // datasets.
        Map<String, long[]> released = new HashMap<>();
        Map<String, Boolean> unexplained = new HashMap<>();
        for (String dataset : datasets) {
            List<Map<String, String>> selected = rows.select(List.of(dataset), filter);
            List<Map<String, String>> complete =
                    selected.stream().filter(r -> DementiaRows.complete(r, all)).toList();
            total += selected.size();
            // Differencing per dataset: a dataset the filter leaves only a few rows out of is withheld whole.
            long left = rows.select(List.of(dataset), r -> true).size() - selected.size();
            boolean withheld =
                    minRows > 1 && datasets.size() > 1 && selected.size() >= minRows && left > 0 && left < minRows;
            for (String variable : all) {
                if (withheld) {
                    VariableSummary suppressed = VariableSummary.newBuilder()
                            .setVariable(variable)
                            .setDataset(dataset)
                            .setSuppressed(true)
                            .build();
                    assertThat(describe.getVariableBased(k)).isEqualTo(suppressed);
                    assertThat(describe.getModelBased(k)).isEqualTo(suppressed);
                    k++;
                    continue;
                }
                VariableSummary variableBased = describe.getVariableBased(k);
                VariableSummary modelBased = describe.getModelBased(k);
                expectSummary(variableBased, variable, dataset, selected, numerical.contains(variable), minRows);
                // Differencing between the figures: a model-based summary over a few rows fewer than the variable's own
                // is withheld.
                long own =
                        selected.stream().filter(r -> r.containsKey(variable)).count();
                long fewer = own - complete.size();
                boolean differs = minRows > 1 && !variableBased.getSuppressed() && fewer > 0 && fewer < minRows;
                if (differs) {
                    assertThat(modelBased.getSuppressed())
                            .as(variable + " of " + dataset + ": " + fewer + " rows fewer than its own")
                            .isTrue();
                } else if (modelBased.getSuppressed()
                        && minRows > 1
                        && complete.size() >= minRows
                        && !hasSmallCell(complete, variable, numerical.contains(variable))) {
                    unexplained.put(variable, true);
                } else {
                    expectSummary(modelBased, variable, dataset, complete, numerical.contains(variable), minRows);
                }
                boolean largeEnough =
                        complete.size() >= minRows && !hasSmallCell(complete, variable, numerical.contains(variable));
                long[] sums = released.computeIfAbsent(variable, v -> new long[2]);
                sums[0] += variableBased.getSuppressed() ? 0 : own;
                sums[1] += largeEnough && !differs ? complete.size() : 0;
                k++;
            }
        }
        // A model-based summary withheld for no reason of its own dataset: the totals over the datasets differ by a few
        // rows.
        unexplained.keySet().forEach(variable -> {
            long difference = released.get(variable)[0] - released.get(variable)[1];
            assertThat(difference).as(variable + "'s totals over the datasets").isBetween(1L, minRows - 1L);
        });
        assertThat(describe.getVariableBasedCount()).isEqualTo(k);
        assertThat(describe.getModelBasedCount()).isEqualTo(k);
        assertThat(result.getRowsUsed()).isEqualTo(total);
    }

    // ---------------------------------------------------------------------------------------------
    // levels

    @Test
    void levelsAreThoseOfTheCompleteRowsSorted() {
        List<String> datasets = List.of("edsd0", "edsd1", "edsd2", "ppmi0");
        PrimitiveResult result = guarded.execute(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addAllDatasets(datasets)
                        .setLevels(LevelsQuery.newBuilder()
                                .addNominal("alzheimerbroadcategory")
                                .addNominal("agegroup")
                                .addCompleteIn("minimentalstate"))
                        .build(),
                "tester");
        List<String> complete = List.of("alzheimerbroadcategory", "agegroup", "minimentalstate");
        List<Map<String, String>> selected = rows.select(datasets, r -> DementiaRows.complete(r, complete));
        assertThat(result.getRowsUsed()).isEqualTo(selected.size()).isGreaterThan(10);
        List<VariableLevels> levels = result.getLevels().getVariablesList();
        assertThat(levels)
                .extracting(VariableLevels::getVariable)
                .containsExactly("alzheimerbroadcategory", "agegroup");
        for (VariableLevels variable : levels) {
            Set<String> expected = new TreeSet<>();
            selected.forEach(r -> expected.add(r.get(variable.getVariable())));
            assertThat(variable.getLevelsList()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void levelsOfNoRowsAreEmpty() {
        PrimitiveResult result = guarded.execute(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addDatasets("edsd0")
                        .setFilter(rule("subjectageyears", "greater", 200))
                        .setLevels(LevelsQuery.newBuilder().addNominal("gender"))
                        .build(),
                "tester");
        assertThat(result.getRowsUsed()).isZero();
        assertThat(result.getLevels().getVariablesList())
                .singleElement()
                .satisfies(v -> assertThat(v.getLevelsList()).isEmpty());
    }

    // ---------------------------------------------------------------------------------------------
    // cross_products

    @Test
    void crossProductsMatchCentredSumsComputedFromTheRows() {
        List<DesignColumn> columns = List.of(
                column("leftamygdala", ""),
                column("subjectageyears", ""),
                column("gender", "F"),
                column("alzheimerbroadcategory", "AD"),
                column("rightthalamusproper", ""));
        PrimitiveResult result = guarded.execute(
                crossProducts(DATASETS, rule("alzheimerbroadcategory", "in", "AD", "CN"), columns), "t");
        List<String> used =
                List.of("leftamygdala", "subjectageyears", "gender", "alzheimerbroadcategory", "rightthalamusproper");
        List<Map<String, String>> selected = rows.select(DATASETS, r -> DementiaRows.complete(r, used) && adOrCn(r));
        int p = columns.size();
        int n = selected.size();
        double[][] x = new double[n][p];
        for (int i = 0; i < n; i++) {
            Map<String, String> row = selected.get(i);
            x[i] = new double[] {
                DementiaRows.number(row, "leftamygdala"),
                DementiaRows.number(row, "subjectageyears"),
                "F".equals(row.get("gender")) ? 1 : 0,
                "AD".equals(row.get("alzheimerbroadcategory")) ? 1 : 0,
                DementiaRows.number(row, "rightthalamusproper")
            };
        }
        CrossProductsResult cross = result.getCrossProducts();
        assertThat(cross.getN()).isEqualTo(n).isEqualTo(result.getRowsUsed()).isGreaterThan(50);
        double[] means = new double[p];
        for (int j = 0; j < p; j++) {
            for (double[] row : x) {
                means[j] += row[j] / n;
            }
            close(cross.getMeans(j), means[j]);
        }
        assertThat(cross.getComomentsCount()).isEqualTo(p * p);
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double sum = 0;
                for (double[] row : x) {
                    sum += (row[a] - means[a]) * (row[b] - means[b]);
                }
                close(cross.getComoments(a * p + b), sum);
            }
        }
    }

    @Test
    void crossProductsOfNoRowsAreEmpty() {
        PrimitiveResult result = guarded.execute(
                crossProducts(
                        List.of("edsd0"), rule("subjectageyears", "greater", 200), List.of(column("leftamygdala", ""))),
                "t");
        assertThat(result.getRowsUsed()).isZero();
        assertThat(result.getCrossProducts())
                .isEqualTo(CrossProductsResult.newBuilder().setN(0).build());
    }

    // ---------------------------------------------------------------------------------------------
    // filters

    @Test
    void everyFilterOperatorSelectsWhatItSays() {
        List<String> datasets = List.of("edsd0", "edsd1", "ppmi0", "ppmi1", "desd-synthdata0");
        assertFilter(datasets, rule("gender", "equal", "F"), r -> "F".equals(r.get("gender")));
        assertFilter(
                datasets,
                rule("gender", "not_equal", "F"),
                r -> r.containsKey("gender") && !"F".equals(r.get("gender")));
        assertFilter(datasets, rule("subjectageyears", "less", 70), r -> age(r) != null && age(r) < 70);
        assertFilter(datasets, rule("subjectageyears", "less_or_equal", 70), r -> age(r) != null && age(r) <= 70);
        assertFilter(datasets, rule("subjectageyears", "greater", 70), r -> age(r) != null && age(r) > 70);
        assertFilter(datasets, rule("subjectageyears", "greater_or_equal", "70"), r -> age(r) != null && age(r) >= 70);
        assertFilter(
                datasets,
                rule("subjectageyears", "between", 60, 70.5),
                r -> age(r) != null && age(r) >= 60 && age(r) <= 70.5);
        assertFilter(
                datasets,
                rule("subjectageyears", "not_between", 60, 70),
                r -> age(r) != null && (age(r) < 60 || age(r) > 70));
        assertFilter(datasets, rule("alzheimerbroadcategory", "in", "AD", "CN"), r -> adOrCn(r));
        assertFilter(
                datasets,
                rule("alzheimerbroadcategory", "not_in", "AD", "CN"),
                r -> r.containsKey("alzheimerbroadcategory") && !adOrCn(r));
        assertFilter(datasets, rule("minimentalstate", "is_null"), r -> !r.containsKey("minimentalstate"));
        assertFilter(datasets, rule("minimentalstate", "is_not_null"), r -> r.containsKey("minimentalstate"));
        assertFilter(datasets, rule("leftamygdala", "less", 1.5), r -> DementiaRows.number(r, "leftamygdala") < 1.5);
        assertFilter(
                datasets,
                or(
                        and(rule("gender", "equal", "M"), rule("subjectageyears", "less", 65)),
                        rule("agegroup", "equal", "+80y")),
                r -> ("M".equals(r.get("gender")) && age(r) != null && age(r) < 65)
                        || "+80y".equals(r.get("agegroup")));
        assertFilter(datasets, rule("dataset", "equal", "ppmi1"), r -> "ppmi1".equals(r.get("dataset")));
    }

    private void assertFilter(List<String> datasets, Filter filter, Predicate<Map<String, String>> expected) {
        long n = open.execute(crossProducts(datasets, filter, List.of(column("leftamygdala", ""))), "t")
                .getCrossProducts()
                .getN();
        long count = rows.select(datasets, r -> r.containsKey("leftamygdala") && expected.test(r))
                .size();
        assertThat(n).as(filter.toString()).isEqualTo(count);
    }

    private static boolean adOrCn(Map<String, String> row) {
        return "AD".equals(row.get("alzheimerbroadcategory")) || "CN".equals(row.get("alzheimerbroadcategory"));
    }

    private static Double age(Map<String, String> row) {
        return DementiaRows.number(row, "subjectageyears");
    }

    // ---------------------------------------------------------------------------------------------
    // refusals, privacy, injection

    @Test
    void refusesFewerRowsThanTheMinimumNamingTheRule() {
        Filter fiveRows = rule("subjectageyears", "between", 0, 200);
        List<Map<String, String>> edsd0 =
                rows.select(List.of("edsd0"), r -> r.containsKey("leftamygdala") && r.containsKey("gender"));
        assertThat(edsd0).hasSizeGreaterThanOrEqualTo(10);
        Filter few = rule("leftamygdala", "less", sortedAmygdala(edsd0).get(4) + 1e-9);
        assertThatThrownBy(() ->
                        guarded.execute(crossProducts(List.of("edsd0"), few, List.of(column("leftamygdala", ""))), "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessage(
                        "Too few rows on this node for its privacy policy (rule min_rows: every figure must rest on at least 10 rows; "
                                + "here, the rows complete in leftamygdala). Widen the filters, choose variables with fewer missing values, or "
                                + "leave this node's datasets out")
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).isEqualTo("min_rows");
                    assertThat(((RefusalException) e).callerError()).isTrue();
                });
        assertThatThrownBy(() -> guarded.execute(
                        PrimitiveQuery.newBuilder()
                                .setDataModel("dementia:0.1")
                                .addDatasets("edsd0")
                                .setFilter(few)
                                .setLevels(LevelsQuery.newBuilder().addNominal("gender"))
                                .build(),
                        "t"))
                .isInstanceOf(RefusalException.class)
                .extracting(e -> ((RefusalException) e).rule())
                .isEqualTo("min_rows");
        assertThat(open.execute(crossProducts(List.of("edsd0"), few, List.of(column("leftamygdala", ""))), "t")
                        .getRowsUsed())
                .isEqualTo(5);
        assertThat(guarded.execute(crossProducts(List.of("edsd0"), fiveRows, List.of(column("leftamygdala", ""))), "t")
                        .getRowsUsed())
                .isGreaterThanOrEqualTo(10);
    }

    private static List<Double> sortedAmygdala(List<Map<String, String>> rows) {
        return rows.stream()
                .map(r -> DementiaRows.number(r, "leftamygdala"))
                .sorted()
                .toList();
    }

    @Test
    void refusesRequestMistakesWithTheirRule() {
        assertRefusal(
                describe(List.of("edsd0"), null, List.of("leftamygdala"), List.of()).toBuilder()
                        .setDataModel("dementia:9")
                        .build(),
                "unknown_data_model",
                "This node has no data model 'dementia:9'; it has dementia:0.1. Ask for one of those");
        assertRefusal(
                describe(List.of("edsd0", "hospital_z", "other"), null, List.of("leftamygdala"), List.of()),
                "unknown_dataset",
                "This node holds no dataset 'hospital_z', 'other' of dementia:0.1; it holds "
                        + String.join(
                                ", ",
                                store.dataModel("dementia:0.1").orElseThrow().datasets().stream()
                                        .map(d -> d.code())
                                        .toList())
                        + ". Ask only for datasets the node announced");
        assertRefusal(
                describe(List.of("edsd0"), null, List.of("brain_size"), List.of()),
                "unknown_variable",
                "The variable 'brain_size' is not in the data model dementia:0.1; use the variables of the data model only");
        assertRefusal(
                describe(List.of("edsd0"), null, List.of("gender"), List.of()),
                "variable_type",
                "The variable 'gender' is nominal, but a numerical variable of describe must be numerical; use it as a nominal variable "
                        + "or through one of its levels");
        assertRefusal(
                crossProducts(List.of("edsd0"), null, List.of(column("gender", "X"))),
                "unknown_level",
                "'X' is not a level of 'gender' (its levels: M, F)");
        assertRefusal(
                crossProducts(List.of("edsd0"), rule("gender", "equal", 1), List.of(column("leftamygdala", ""))),
                "invalid_filter",
                "Invalid filter: the filter 'equal' on the text variable 'gender' needs text values.");
        assertRefusal(
                crossProducts(List.of("edsd0"), rule("gender", "like", "M%"), List.of(column("leftamygdala", ""))),
                "invalid_filter",
                "Invalid filter: the filter on 'gender' has the unknown operator 'like'; use equal, not_equal, less, less_or_equal, greater, "
                        + "greater_or_equal, between, not_between, in, not_in, is_null or is_not_null.");
        assertRefusal(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addDatasets("edsd0")
                        .build(),
                "invalid_query",
                "The request names no primitive; this node computes describe, levels, cross_products, moments, glm_step, histogram, kmeans_step, survival_counts, cox_step, model_score, class_summary and quantile_counts");
    }

    @Test
    void noPrimitiveReleasesFreeTextOrRows() {
        for (String freeText : List.of("subjectcode", "subjectvisitid", "DIAG_etiology_1")) {
            assertRefusalRule(describe(List.of("edsd0"), null, List.of(), List.of(freeText)), "variable_type");
            assertRefusalRule(describe(List.of("edsd0"), null, List.of(freeText), List.of()), "variable_type");
            assertRefusalRule(
                    PrimitiveQuery.newBuilder()
                            .setDataModel("dementia:0.1")
                            .addDatasets("edsd0")
                            .setLevels(LevelsQuery.newBuilder().addNominal(freeText))
                            .build(),
                    "variable_type");
            assertRefusalRule(crossProducts(List.of("edsd0"), null, List.of(column(freeText, ""))), "variable_type");
            assertRefusalRule(
                    crossProducts(List.of("edsd0"), null, List.of(column(freeText, "3001"))), "variable_type");
        }
        // Only the aggregates of the contract come back: counts per enumerated level, moments, n, means, co-moments.
        PrimitiveResult described =
                open.execute(describe(DATASETS, null, List.of("leftamygdala"), List.of("gender", "apoe4")), "t");
        for (VariableSummary summary : described.getDescribe().getVariableBasedList()) {
            assertThat(DEMENTIA.cde(summary.getVariable()).enumerations().keySet())
                    .containsAll(summary.getCountsMap().keySet());
            assertThat(DATASETS).contains(summary.getDataset());
        }
        assertThat(described.getDescribe().getAllFields().keySet())
                .extracting(f -> f.getName())
                .containsExactlyInAnyOrder("variable_based", "model_based");
        PrimitiveResult levels = open.execute(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addAllDatasets(DATASETS)
                        .setLevels(LevelsQuery.newBuilder().addNominal("agegroup"))
                        .build(),
                "t");
        assertThat(DEMENTIA.cde("agegroup").enumerations().keySet())
                .containsAll(levels.getLevels().getVariables(0).getLevelsList());
        CrossProductsResult cross = open.execute(
                        crossProducts(DATASETS, null, List.of(column("leftamygdala", ""), column("gender", "M"))), "t")
                .getCrossProducts();
        assertThat(cross.getMeansCount()).isEqualTo(2);
        assertThat(cross.getComomentsCount()).isEqualTo(4);
    }

    @Test
    void injectionThroughValuesAndNamesIsHarmless() {
        // A value that is no level of a nominal variable is refused; one of a free-text variable is bound, so it
        // matches nothing.
        assertRefusalRule(
                crossProducts(
                        List.of("edsd0"), rule("gender", "equal", "F' OR '1'='1"), List.of(column("leftamygdala", ""))),
                "unknown_level");
        assertRefusalRule(
                crossProducts(
                        List.of("edsd0"),
                        rule("gender", "in", "M", "F') OR (1=1"),
                        List.of(column("leftamygdala", ""))),
                "unknown_level");
        long n = open.execute(
                        crossProducts(
                                List.of("edsd0"),
                                rule("subjectcode", "equal", "x' OR '1'='1"),
                                List.of(column("leftamygdala", ""))),
                        "t")
                .getCrossProducts()
                .getN();
        assertThat(n).isZero();
        assertRefusalRule(
                describe(List.of("edsd0') OR 1=1 --"), null, List.of("leftamygdala"), List.of()), "unknown_dataset");
        assertRefusalRule(
                describe(
                        List.of("edsd0\"; DROP TABLE \"mipfed_datasets\"; --"),
                        null,
                        List.of("leftamygdala"),
                        List.of()),
                "unknown_dataset");
        assertRefusalRule(
                describe(List.of("edsd0"), null, List.of("leftamygdala\" FROM x; --"), List.of()), "unknown_variable");
        assertRefusalRule(
                crossProducts(
                        List.of("edsd0"), rule("gender\" OR 1=1 --", "is_null"), List.of(column("leftamygdala", ""))),
                "unknown_variable");
        assertRefusalRule(
                crossProducts(List.of("edsd0"), null, List.of(column("gender", "M' OR 1=1 --"))), "unknown_level");
        assertRefusalRule(
                describe(List.of("edsd0"), null, List.of("leftamygdala"), List.of()).toBuilder()
                        .setDataModel("dementia:0.1'; DROP TABLE \"data_dementia_0_1\"; --")
                        .build(),
                "unknown_data_model");
        assertThat(store.dataModel("dementia:0.1").orElseThrow().datasets()).hasSize(33);
        assertThat(open.execute(
                                crossProducts(
                                        store.dataModel("dementia:0.1").orElseThrow().datasets().stream()
                                                .map(d -> d.code())
                                                .toList(),
                                        null,
                                        List.of(column("dataset", "edsd0"))),
                                "t")
                        .getCrossProducts()
                        .getN())
                .isEqualTo(rows.size());
    }

    @Test
    void answersAndAuditsEveryRequest() throws IOException {
        PrimitiveResponse answered = guarded.answer(PrimitiveRequest.newBuilder()
                .setRequestId("req-1")
                .setRequester("alice")
                .setQuery(describe(
                        List.of("edsd1"), rule("gender", "equal", "F"), List.of("leftamygdala"), List.of("gender")))
                .build());
        assertThat(answered.getRequestId()).isEqualTo("req-1");
        assertThat(answered.hasResult()).isTrue();
        PrimitiveResponse refused = guarded.answer(PrimitiveRequest.newBuilder()
                .setRequestId("req-2")
                .setRequester("bob")
                .setQuery(describe(List.of("nowhere"), null, List.of("leftamygdala"), List.of()))
                .build());
        assertThat(refused.getRefusal().getRule()).isEqualTo("unknown_dataset");
        assertThat(refused.getRefusal().getCallerError()).isTrue();
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(audit.file())) {
            lines.add(Json.mapper().readTree(line));
        }
        com.fasterxml.jackson.databind.JsonNode first = lines.stream()
                .filter(l -> l.path("request_id").asText().equals("req-1"))
                .findFirst()
                .orElseThrow();
        assertThat(first.path("requester").asText()).isEqualTo("alice");
        assertThat(first.path("primitive").asText()).isEqualTo("describe");
        assertThat(first.path("data_model").asText()).isEqualTo("dementia:0.1");
        assertThat(first.path("datasets").toString()).isEqualTo("[\"edsd1\"]");
        assertThat(first.path("variables").toString()).isEqualTo("[\"leftamygdala\",\"gender\"]");
        assertThat(first.path("filter_variables").toString()).isEqualTo("[\"gender\"]");
        assertThat(first.path("rows_used").asLong())
                .isEqualTo(rows.select(List.of("edsd1"), r -> "F".equals(r.get("gender")))
                        .size());
        assertThat(first.path("outcome").asText()).isEqualTo("answered");
        assertThat(first.has("rule")).isFalse();
        com.fasterxml.jackson.databind.JsonNode second = lines.stream()
                .filter(l -> l.path("request_id").asText().equals("req-2"))
                .findFirst()
                .orElseThrow();
        assertThat(second.path("outcome").asText()).isEqualTo("refused");
        assertThat(second.path("rule").asText()).isEqualTo("unknown_dataset");
        assertThat(second.path("rows_used").asLong()).isEqualTo(-1);
    }

    void assertRefusal(PrimitiveQuery query, String rule, String message) {
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessage(message)
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).isEqualTo(rule);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                });
    }

    void assertRefusalRule(PrimitiveQuery query, String rule) {
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> assertThat(((RefusalException) e).rule())
                        .as(e.getMessage())
                        .isEqualTo(rule));
    }
}
