package org.mipfed.algorithms.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.MixedModelReference;
import org.mipfed.algorithms.RReference;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * {@code linear_mixed_model} against lme4's lmer (REML and ML, random intercept and random slope) and lmerTest's
 * Satterthwaite df on the pooled rows of the dementia and longitudinal dementia data
 * (src/test/resources/r/linear_mixed_model.R), with the datasets spread over 1, 3 and 5 nodes.
 */
class TestLinearMixedModel {
    static Stream<RReference.Case> cases() {
        return RReference.load(LinearMixedModel.NAME).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLme4(RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            JsonNode actual = run(c.body(), nodes);
            MixedModelReference.assertMatches(c.name() + " on " + nodes + " nodes", c.expected(), actual);
        }
    }

    @Test
    void theReferenceCoversRemlMlNominalCovariatesAndManyDatasets() {
        List<RReference.Case> cases = RReference.load(LinearMixedModel.NAME);
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("method").asText()).isEqualTo("REML"));
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("method").asText()).isEqualTo("ML"));
        assertThat(cases)
                .anySatisfy(c ->
                        assertThat(c.expected().path("indep_vars").toString()).contains("["));
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("n_groups").asInt()).isEqualTo(30));
        for (String method : List.of("REML", "ML")) {
            for (String data : List.of("dementia:0.1", "longitudinal_dementia:0.1")) {
                assertThat(cases).as(method + " with a random slope on " + data).anySatisfy(c -> {
                    assertThat(c.expected().path("method").asText()).isEqualTo(method);
                    assertThat(c.expected().path("random_slope").isTextual()).isTrue();
                    assertThat(c.body().path("inputdata").path("data_model").asText())
                            .isEqualTo(data);
                    assertThat(c.expected().path("df_method").asText()).isEqualTo("satterthwaite");
                });
            }
        }
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("df_method").asText()).isEqualTo("residual"));
    }

    /**
     * Grouped by node, the groups are the nodes: with one dataset per node, the fit is the one grouped by dataset,
     * under the nodes' names; with several datasets per node, each node's rows form one group.
     */
    @Test
    void aRandomEffectPerNodeIsThePerDatasetOneWhenEachNodeHoldsOneDataset() {
        List<String> datasets = List.of("edsd0", "edsd1", "ppmi0");
        for (String slope : List.of("", "lefthippocampus")) {
            ObjectNode perDataset = body("leftamygdala", List.of("lefthippocampus", "gender"), datasets);
            ObjectNode perNode = perDataset.deepCopy();
            ((ObjectNode) perNode.path("parameters")).put("grouping", "node");
            if (!slope.isEmpty()) {
                ((ObjectNode) perDataset.path("parameters")).put("random_slope", slope);
                ((ObjectNode) perNode.path("parameters")).put("random_slope", slope);
            }
            InMemoryFederation federation = InMemoryFederation.spread(
                    TestData.dementiaModel(),
                    TestData.dementiaRows().entrySet().stream()
                            .filter(e -> datasets.contains(e.getKey()))
                            .collect(Collectors.toMap(
                                    Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)),
                    3,
                    1);
            JsonNode byDataset = federation.run(new LinearMixedModel(), perDataset);
            JsonNode byNode = federation.run(new LinearMixedModel(), perNode);
            assertThat(byNode.path("group_var").asText()).isEqualTo("node");
            assertThat(byNode.path("random_effects").path("groups").toString())
                    .isEqualTo("[\"node1\",\"node2\",\"node3\"]");
            // node1 holds edsd0, node2 edsd1, node3 ppmi0 (dealt in that order); the datasets' groups come in the data
            // model's order: each node's effects are compared with its dataset's.
            ObjectNode comparable = byNode.deepCopy();
            comparable.put("group_var", "dataset");
            ObjectNode effects = (ObjectNode) comparable.path("random_effects");
            effects.set("groups", byDataset.path("random_effects").path("groups"));
            for (String part : List.of("intercepts", "slopes")) {
                if (byNode.path("random_effects").has(part)) {
                    ArrayNode ordered = effects.putArray(part);
                    for (JsonNode group : byDataset.path("random_effects").path("groups")) {
                        ordered.add(byNode.path("random_effects").path(part).get(datasets.indexOf(group.asText())));
                    }
                }
            }
            MixedModelReference.assertMatches("per node" + slope, byDataset, comparable);

            // Two nodes: node1 holds edsd0 and ppmi0 (dealt round-robin), one group.
            JsonNode twoNodes = InMemoryFederation.spread(
                            TestData.dementiaModel(),
                            TestData.dementiaRows().entrySet().stream()
                                    .filter(e -> datasets.contains(e.getKey()))
                                    .collect(Collectors.toMap(
                                            Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)),
                            2,
                            1)
                    .run(new LinearMixedModel(), perNode);
            assertThat(twoNodes.path("n_groups").asInt()).isEqualTo(2);
            assertThat(twoNodes.path("n_obs").asLong())
                    .isEqualTo(byDataset.path("n_obs").asLong());
        }
    }

    /** Under flags.smpc the nodes' answers are summed: no node's own figures, no dataset's alone. */
    @Test
    void underSecureAggregationTheGroupingByNodeAndTheRandomSlopeAreRefused() {
        ObjectNode perNode = body("leftamygdala", List.of("lefthippocampus"), List.of("edsd0", "edsd1"));
        ((ObjectNode) perNode.path("parameters")).put("grouping", "node");
        assertThatThrownBy(() -> runSecurely(perNode))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("smpc");
    }

    private static JsonNode runSecurely(JsonNode body) {
        LinearMixedModel algorithm = new LinearMixedModel();
        InMemoryFederation federation = InMemoryFederation.dementia(2);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        FederationContext plain = federation.context(input);
        FederationContext secure = new FederationContext() {
            @Override
            public DataModel dataModel() {
                return plain.dataModel();
            }

            @Override
            public List<NodeAnswer> compute(PrimitiveQuery.Builder query) {
                return plain.compute(query);
            }

            @Override
            public boolean secure() {
                return true;
            }
        };
        return algorithm.run(input, secure).toJson();
    }

    @Test
    void badRequestsNameTheVariableOrRuleAtFault() {
        refused(body("gender", List.of("subjectageyears"), List.of("edsd0", "edsd1")), "numerical dependent");
        refused(body("lefthippocampus", List.of("dataset"), List.of("edsd0", "edsd1")), "grouping variable");
        refused(body("lefthippocampus", List.of("subjectageyears"), List.of("edsd0")), "at least two datasets");
        refused(
                body("lefthippocampus", List.of("subjectageyears", "subjectage"), List.of("edsd0", "edsd1")),
                "subjectage");
        refused(
                withParameter(
                        body("lefthippocampus", List.of("gender"), List.of("edsd0", "edsd1")),
                        "random_slope",
                        "subjectageyears"),
                "The parameter 'random_slope' of linear_mixed_model must be one of gender");
        refused(
                withParameter(
                        body("lefthippocampus", List.of("gender"), List.of("edsd0", "edsd1")),
                        "random_slope",
                        "gender"),
                "random_slope 'gender'");
        refused(
                withParameter(
                        body("lefthippocampus", List.of("gender"), List.of("edsd0", "edsd1")),
                        "df_method",
                        "kenward-roger"),
                "df_method");
        refused(
                withParameter(
                        body("lefthippocampus", List.of("gender"), List.of("edsd0", "edsd1")), "grouping", "subject"),
                "grouping");
    }

    private static ObjectNode withParameter(ObjectNode body, String name, String value) {
        ((ObjectNode) body.path("parameters")).put(name, value);
        return body;
    }

    private static void refused(ObjectNode body, String message) {
        assertThatThrownBy(() -> run(body, 2)).isInstanceOf(Problem.class).satisfies(e -> {
            assertThat(((Problem) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ObjectNode body(String y, List<String> x, List<String> datasets) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        datasets.forEach(inputdata.putArray("datasets")::add);
        inputdata.putArray("y").add(y);
        x.forEach(inputdata.putArray("x")::add);
        body.putObject("parameters");
        return body;
    }

    private static JsonNode run(JsonNode body, int nodes) {
        LinearMixedModel algorithm = new LinearMixedModel();
        InMemoryFederation federation =
                body.path("inputdata").path("data_model").asText().startsWith("longitudinal_dementia")
                        ? InMemoryFederation.longitudinal(nodes)
                        : InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
