package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.Filters;
import org.mipfed.node.store.StoreKind;
import org.mipfed.proto.v1.CoxStepQuery;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.KmeansStepQuery;
import org.mipfed.proto.v1.LevelSelection;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.MomentsDifference;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;

/**
 * Bad input never gets through, with seeded generators (each failure names its seed and case):
 * random filter JSON through the manager's parser and the node's compiler, and random or mutated
 * primitive requests through the node's executor against a real DuckDB store. Each case ends in a
 * valid answer or a refusal of the caller's mistake, never another exception, never the node's own
 * fault ({@code internal_error}), and never a hang.
 */
class TestRequestFuzzing extends DementiaStoreTest {
    private static final long SEED = 20261125L;
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final List<String> VARIABLES = List.of(
            "leftamygdala",
            "subjectageyears",
            "gender",
            "agegroup",
            "dataset",
            "subjectcode",
            "apoe4",
            "minimentalstate",
            "alzheimerbroadcategory",
            "no_such",
            "",
            "gender\"; --",
            "lefthippocampus");
    private static final List<String> OPERATORS = List.of(
            "equal",
            "not_equal",
            "less",
            "less_or_equal",
            "greater",
            "greater_or_equal",
            "between",
            "not_between",
            "in",
            "not_in",
            "is_null",
            "is_not_null",
            "like",
            "",
            "EQUAL",
            "equal; --");

    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }

    @Test
    void randomFilterJsonIsParsedOrRefusedAndWhatParsesIsAnsweredOrRefused() {
        Random random = new Random(SEED);
        int parsed = 0;
        for (int i = 0; i < 400; i++) {
            JsonNode json = randomJson(random, 0, random.nextInt(3) == 0);
            String label = "case " + i + " (seed " + SEED + "): " + shorten(json.toString());
            Filter filter;
            try {
                filter = Filters.parse(json, DEMENTIA);
            } catch (Problem p) {
                assertThat(p.status()).as(label).isBetween(400, 499);
                assertThat(p.detail()).as(label).isNotBlank();
                continue;
            } catch (RuntimeException e) {
                fail(label + " threw " + e, e);
                return;
            }
            parsed++;
            expectAnswerOrRefusal(query(filter, random), label);
        }
        assertThat(parsed).as("some random filters are valid").isGreaterThan(20);
    }

    @Test
    void randomFilterTreesReachTheCompilerAndNeverBreakIt() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 400; i++) {
            Filter filter = randomFilter(random, 0);
            expectAnswerOrRefusal(
                    query(filter, random), "case " + i + " (seed " + (SEED + 1) + "): " + shorten(filter.toString()));
        }
        // Deep nesting is refused, not a stack overflow.
        Filter deep = Filter.newBuilder()
                .setRule(FilterRule.newBuilder().setVariable("gender").setOperator("is_null"))
                .build();
        for (int i = 0; i < 90; i++) {
            deep = Filter.newBuilder()
                    .setGroup(FilterGroup.newBuilder()
                            .setCondition(i % 2 == 0 ? "AND" : "OR")
                            .addRules(deep))
                    .build();
        }
        PrimitiveResponse refused = answer(query(deep, random));
        assertThat(refused.getRefusal().getRule()).isEqualTo("invalid_filter");
        assertThat(refused.getRefusal().getMessage()).contains("nested more than 16 levels deep");
    }

    @Test
    void randomAndMutatedPrimitiveRequestsAreAnsweredOrRefused() {
        Random random = new Random(SEED + 2);
        List<PrimitiveQuery> valid = validQueries();
        int answered = 0;
        for (int i = 0; i < 600; i++) {
            PrimitiveQuery base = valid.get(random.nextInt(valid.size()));
            PrimitiveQuery query;
            if (random.nextBoolean()) {
                byte[] bytes = base.toByteArray();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips && bytes.length > 0; f++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                try {
                    query = PrimitiveQuery.parseFrom(bytes);
                } catch (InvalidProtocolBufferException e) {
                    continue; // gRPC refuses a message that does not parse before the node sees it
                }
            } else {
                query = mutate(base, random);
            }
            answered += expectAnswerOrRefusal(
                            query, "case " + i + " (seed " + (SEED + 2) + "): " + shorten(query.toString()))
                    ? 1
                    : 0;
        }
        assertThat(answered).as("some mutated requests are still valid").isGreaterThan(20);
    }

    /** @return whether the query was answered */
    private boolean expectAnswerOrRefusal(PrimitiveQuery query, String label) {
        PrimitiveResponse response = assertTimeoutPreemptively(BOUND, () -> answer(query), label);
        if (response.hasRefusal()) {
            assertThat(response.getRefusal().getRule())
                    .as(label + ": " + response.getRefusal().getMessage())
                    .isNotEqualTo("internal_error");
            assertThat(response.getRefusal().getCallerError()).as(label).isTrue();
            assertThat(response.getRefusal().getMessage())
                    .as(label)
                    .isNotBlank()
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
            return false;
        }
        assertThat(response.hasResult()).as(label).isTrue();
        return true;
    }

    private PrimitiveResponse answer(PrimitiveQuery query) {
        return open.answer(PrimitiveRequest.newBuilder()
                .setRequestId("fuzz")
                .setRequester("fuzzer")
                .setQuery(query)
                .build());
    }

    private static PrimitiveQuery query(Filter filter, Random random) {
        PrimitiveQuery.Builder query =
                PrimitiveQuery.newBuilder().setDataModel("dementia:0.1").addAllDatasets(DATASETS);
        if (filter != null) {
            query.setFilter(filter);
        }
        if (random.nextBoolean()) {
            return query.setCrossProducts(CrossProductsQuery.newBuilder()
                            .addColumns(DesignColumn.newBuilder().setVariable("leftamygdala"))
                            .addColumns(DesignColumn.newBuilder()
                                    .setVariable("gender")
                                    .setLevel("F")))
                    .build();
        }
        return query.setDescribe(
                        DescribeQuery.newBuilder().addNumerical("leftamygdala").addNominal("gender"))
                .build();
    }

    private static List<PrimitiveQuery> validQueries() {
        PrimitiveQuery.Builder base = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(DATASETS)
                .setFilter(FilterTrees.and(
                        FilterTrees.rule("gender", "equal", "F"), FilterTrees.rule("subjectageyears", "greater", 60)));
        List<PrimitiveQuery> out = new ArrayList<>();
        out.add(base.clone()
                .setDescribe(
                        DescribeQuery.newBuilder().addNumerical("leftamygdala").addNominal("agegroup"))
                .build());
        out.add(base.clone()
                .setLevels(LevelsQuery.newBuilder().addNominal("agegroup").addCompleteIn("leftamygdala"))
                .build());
        out.add(base.clone()
                .setCrossProducts(CrossProductsQuery.newBuilder()
                        .addColumns(DesignColumn.newBuilder().setVariable("leftamygdala"))
                        .addColumns(DesignColumn.newBuilder()
                                .setVariable("subjectageyears")
                                .setTransform("log"))
                        .addColumns(DesignColumn.newBuilder()
                                .setVariable("agegroup")
                                .setLevel("70-79y")))
                .build());
        out.add(base.clone()
                .setMoments(MomentsQuery.newBuilder()
                        .addNumerical("leftamygdala")
                        .addGroupBy("alzheimerbroadcategory")
                        .addDifferences(MomentsDifference.newBuilder()
                                .setMinuend("leftamygdala")
                                .setSubtrahend("rightamygdala"))
                        .addOnlyLevels(LevelSelection.newBuilder()
                                .setVariable("alzheimerbroadcategory")
                                .addLevels("AD")
                                .addLevels("CN")))
                .build());
        out.add(base.clone()
                .setGlmStep(GlmStepQuery.newBuilder()
                        .setFamily("binomial")
                        .setLink("logit")
                        .setIntercept(true)
                        .setResponse(GlmColumn.newBuilder()
                                .setVariable("alzheimerbroadcategory")
                                .setLevel("AD"))
                        .addColumns(GlmColumn.newBuilder().setVariable("leftamygdala"))
                        .addBeta(0.1)
                        .addBeta(-0.2))
                .build());
        out.add(base.clone()
                .setHistogram(HistogramQuery.newBuilder()
                        .setVariable("leftamygdala")
                        .addEdges(0)
                        .addEdges(1)
                        .addEdges(2)
                        .addGroupBy("agegroup"))
                .build());
        out.add(base.clone()
                .setKmeansStep(KmeansStepQuery.newBuilder()
                        .addVariables("leftamygdala")
                        .addVariables("rightamygdala")
                        .addCentres(1)
                        .addCentres(1)
                        .addCentres(2)
                        .addCentres(2))
                .build());
        out.add(base.clone()
                .setCoxStep(CoxStepQuery.newBuilder()
                        .setTime("subjectageyears")
                        .setEvent("alzheimerbroadcategory")
                        .setEventLevel("AD")
                        .setBinWidth(10)
                        .addColumns(GlmColumn.newBuilder().setVariable("leftamygdala"))
                        .addBeta(0.3)
                        .setOffset(0.5)
                        .setStrata("agegroup"))
                .build());
        return out;
    }

    /** The query with one field changed to something odd: a wrong name, an odd number, a duplicate, a removed part. */
    private static PrimitiveQuery mutate(PrimitiveQuery query, Random random) {
        PrimitiveQuery.Builder b = query.toBuilder();
        switch (random.nextInt(10)) {
            case 0 -> b.setDataModel(randomString(random));
            case 1 -> b.addDatasets(random.nextBoolean() ? "edsd0" : randomString(random));
            case 2 -> b.clearDatasets();
            case 3 -> b.setFilter(randomFilter(random, 0));
            case 4 -> {
                if (b.hasCrossProducts()) {
                    b.getCrossProductsBuilder()
                            .addColumns(DesignColumn.newBuilder()
                                    .setVariable(pick(random, VARIABLES))
                                    .setLevel(random.nextBoolean() ? "" : randomString(random))
                                    .setTransform(random.nextBoolean() ? "" : "exp"));
                } else if (b.hasGlmStep()) {
                    b.getGlmStepBuilder()
                            .addBeta(oddNumber(random))
                            .setFamily(random.nextBoolean() ? "poisson" : randomString(random));
                } else if (b.hasHistogram()) {
                    b.getHistogramBuilder().addEdges(oddNumber(random)).addGroupBy(pick(random, VARIABLES));
                } else if (b.hasKmeansStep()) {
                    b.getKmeansStepBuilder().addCentres(oddNumber(random));
                } else if (b.hasMoments()) {
                    b.getMomentsBuilder().addGroupBy(pick(random, VARIABLES)).addNumerical(pick(random, VARIABLES));
                } else {
                    b.setLevels(LevelsQuery.newBuilder().addNominal(pick(random, VARIABLES)));
                }
            }
            case 5 -> b.clearFilter();
            case 6 ->
                b.setKmeansStep(KmeansStepQuery.newBuilder()
                        .addVariables(pick(random, VARIABLES))
                        .addCentres(oddNumber(random)));
            case 7 ->
                b.setHistogram(HistogramQuery.newBuilder()
                        .setVariable(pick(random, VARIABLES))
                        .addEdges(oddNumber(random))
                        .addEdges(oddNumber(random)));
            case 8 ->
                b.setGlmStep(GlmStepQuery.newBuilder()
                        .setFamily(random.nextBoolean() ? "gaussian" : "binomial")
                        .setLink(random.nextBoolean() ? "identity" : "logit")
                        .setIntercept(random.nextBoolean())
                        .setResponse(GlmColumn.newBuilder().setVariable(pick(random, VARIABLES)))
                        .addColumns(GlmColumn.newBuilder()
                                .setVariable(pick(random, VARIABLES))
                                .setLevel(random.nextBoolean() ? "" : "M")));
            default ->
                b.setMoments(MomentsQuery.newBuilder()
                        .addNumerical(pick(random, VARIABLES))
                        .addOnlyLevels(LevelSelection.newBuilder()
                                .setVariable(pick(random, VARIABLES))
                                .addLevels(randomString(random))));
        }
        return b.build();
    }

    private static Filter randomFilter(Random random, int depth) {
        if (depth < 20 && random.nextInt(3) == 0) {
            FilterGroup.Builder group =
                    FilterGroup.newBuilder().setCondition(pick(random, List.of("AND", "OR", "", "XOR", "and")));
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                group.addRules(randomFilter(random, depth + 1));
            }
            return Filter.newBuilder().setGroup(group).build();
        }
        if (random.nextInt(20) == 0) {
            return Filter.getDefaultInstance();
        }
        FilterRule.Builder rule =
                FilterRule.newBuilder().setVariable(pick(random, VARIABLES)).setOperator(pick(random, OPERATORS));
        int values = random.nextInt(4);
        for (int i = 0; i < values; i++) {
            rule.addValues(
                    random.nextBoolean()
                            ? FilterValue.newBuilder()
                                    .setNumber(oddNumber(random))
                                    .build()
                            : random.nextInt(5) == 0
                                    ? FilterValue.getDefaultInstance()
                                    : FilterValue.newBuilder()
                                            .setText(randomString(random))
                                            .build());
        }
        return Filter.newBuilder().setRule(rule).build();
    }

    /** Filter JSON as the manager receives it: QueryBuilder trees with random shapes, types and strings. */
    private static JsonNode randomJson(Random random, int depth, boolean wild) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (wild && random.nextInt(4) == 0) {
            return switch (random.nextInt(6)) {
                case 0 -> f.nullNode();
                case 1 -> f.numberNode(oddNumber(random));
                case 2 -> f.textNode(randomString(random));
                case 3 -> f.booleanNode(random.nextBoolean());
                case 4 -> f.arrayNode().add(f.objectNode());
                default -> f.objectNode().put("condition", "AND").set("rules", f.textNode("not a list"));
            };
        }
        if (depth < 40 && random.nextInt(3) == 0) {
            ObjectNode group = f.objectNode().put("condition", pick(random, List.of("AND", "OR", "NOT", "")));
            ArrayNode rules = group.putArray("rules");
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                rules.add(randomJson(random, depth + 1, wild));
            }
            if (random.nextInt(10) == 0) {
                group.put("valid", random.nextBoolean());
            }
            return group;
        }
        String variable = pick(random, VARIABLES);
        ObjectNode rule =
                f.objectNode().put("id", variable).put("field", variable).put("operator", pick(random, OPERATORS));
        rule.put("type", pick(random, List.of("string", "double", "integer", "boolean", "")));
        switch (random.nextInt(6)) {
            case 0 -> rule.put("value", oddNumber(random));
            case 1 -> rule.put("value", randomString(random));
            case 2 -> rule.putArray("value").add(oddNumber(random)).add(randomString(random));
            case 3 -> rule.putNull("value");
            case 4 -> rule.putObject("value").put("x", 1);
            default -> rule.put("value", pick(random, List.of("F", "M", "AD", "70-79y", "edsd0", "1")));
        }
        return rule;
    }

    private static double oddNumber(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> -Double.MAX_VALUE;
            case 3 -> 1e308;
            case 4 -> 0;
            case 5 -> -0.0;
            default -> random.nextGaussian() * 100;
        };
    }

    private static String randomString(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> "";
            case 1 -> "' OR '1'='1";
            case 2 -> "\"; DROP TABLE \"data_dementia_0_1\"; --";
            case 3 -> "\u0000\uFEFF\uD83D\uDE00";
            case 4 -> "x".repeat(10_000);
            case 5 -> pick(random, List.of("F", "M", "AD", "CN", "edsd0", "70-79y", "NaN", "1e999", "-0"));
            default -> {
                StringBuilder s = new StringBuilder();
                int n = random.nextInt(12);
                for (int i = 0; i < n; i++) {
                    s.append((char) random.nextInt(0x3000));
                }
                yield s.toString();
            }
        };
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static String shorten(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
