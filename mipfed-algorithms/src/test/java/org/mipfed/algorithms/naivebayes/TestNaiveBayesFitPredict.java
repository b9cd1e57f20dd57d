package org.mipfed.algorithms.naivebayes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.NaiveBayesScore;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * Exareme2's test-only naive Bayes fit and predict cases, which check the classifier the
 * cross-validations fit and score: fitted over all selected rows of 3 in-memory nodes, class counts
 * and level counts exact, means and variances at Exareme2's tolerance (rtol 1e-2, atol 1e-2), and the
 * predicted classes of the same rows exact.
 */
class TestNaiveBayesFitPredict {
    private static final ExpectedResults.Tolerance TOLERANCE = new ExpectedResults.Tolerance(1e-2, 1e-2);

    static Stream<Arguments> gaussian() {
        return cases("naive_bayes_gauss_fit", "naive_bayes_gauss_predict");
    }

    static Stream<Arguments> categorical() {
        return cases("naive_bayes_categorical_fit", "naive_bayes_categorical_predict");
    }

    /** Each fit case (its figures checked) and each predict case (its predictions checked): separate requests. */
    private static Stream<Arguments> cases(String fit, String predict) {
        return Stream.concat(
                ExpectedResults.load(ExpectedResults.expectedFile(fit)).stream().map(c -> Arguments.of(fit, c)),
                ExpectedResults.load(ExpectedResults.expectedFile(predict)).stream()
                        .map(c -> Arguments.of(predict, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gaussian")
    void gaussianMatchesExareme2(String file, Case testCase) {
        NaiveBayesGaussianCv algorithm = new NaiveBayesGaussianCv();
        InMemoryFederation federation = InMemoryFederation.dementia(3);
        AnalysisInput input =
                RequestValidator.validate(algorithm, AnalysisRequest.fromJson(testCase.input()), federation.model());
        FederationContext context = federation.context(input);
        String y = input.y().get(0);
        ClassStatistics statistics = ClassStatistics.compute(context, y, input.x(), List.of(), completeIn(input));
        NaiveBayesScore.Builder model = NaiveBayesGaussianCv.fit(y, input.x(), statistics, "all rows");
        JsonNode expected = testCase.output();
        if (expected.has("predictions")) {
            assertThat(predict(context, model, input)).isEqualTo(counts(expected.path("predictions")));
            return;
        }
        assertThat(statistics.classes().values().stream()
                        .map(ClassStatistics.Group::n)
                        .toList())
                .containsExactlyElementsOf(longs(expected.path("class_count")));
        int d = input.x().size();
        for (int c = 0; c < model.getClassesCount(); c++) {
            for (int j = 0; j < d; j++) {
                ExpectedResults.assertClose(
                        "theta",
                        expected.path("theta").get(c).get(j),
                        JsonNodeFactory.instance.numberNode(model.getTheta(c * d + j)),
                        TOLERANCE);
                ExpectedResults.assertClose(
                        "var",
                        expected.path("var").get(c).get(j),
                        JsonNodeFactory.instance.numberNode(model.getVar(c * d + j)),
                        TOLERANCE);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("categorical")
    void categoricalMatchesExareme2(String file, Case testCase) {
        NaiveBayesCategoricalCv algorithm = new NaiveBayesCategoricalCv();
        InMemoryFederation federation = InMemoryFederation.dementia(3);
        AnalysisInput input =
                RequestValidator.validate(algorithm, AnalysisRequest.fromJson(testCase.input()), federation.model());
        FederationContext context = federation.context(input);
        String y = input.y().get(0);
        ClassStatistics statistics = ClassStatistics.compute(context, y, List.of(), input.x(), completeIn(input));
        JsonNode expected = testCase.output();
        if (expected.has("predictions")) {
            NaiveBayesScore.Builder model = NaiveBayesCategoricalCv.fit(federation.model(), y, input.x(), statistics);
            assertThat(predict(context, model, input)).isEqualTo(counts(expected.path("predictions")));
            return;
        }
        assertThat(statistics.classes().values().stream()
                        .map(ClassStatistics.Group::n)
                        .toList())
                .containsExactlyElementsOf(longs(expected.path("class_count")));
        // Exareme2's counts list the levels of its own version of the data model, which has fewer levels for some
        // variables, with zeros for absent ones: compared over the levels present in some class, in code point order.
        for (int f = 0; f < input.x().size(); f++) {
            List<String> levels = new ArrayList<>(new TreeSet<>(
                    federation.model().cde(input.x().get(f)).enumerations().keySet()));
            List<List<Long>> actual = new ArrayList<>();
            for (ClassStatistics.Group group : statistics.classes().values()) {
                List<Long> counts = new ArrayList<>();
                for (String level : levels) {
                    counts.add(group.levels().get(f).getOrDefault(level, 0L));
                }
                actual.add(counts);
            }
            List<List<Long>> wanted = new ArrayList<>();
            expected.path("category_count").get(f).forEach(row -> wanted.add(longs(row)));
            assertThat(presentColumns(actual))
                    .as("counts of %s by class", input.x().get(f))
                    .isEqualTo(presentColumns(wanted));
        }
    }

    /** The columns (levels) with a count in some row (class), the others dropped. */
    private static List<List<Long>> presentColumns(List<List<Long>> rows) {
        List<List<Long>> out = new ArrayList<>();
        rows.forEach(row -> out.add(new ArrayList<>()));
        for (int column = 0; column < rows.get(0).size(); column++) {
            int c = column;
            if (rows.stream().anyMatch(row -> row.get(c) > 0)) {
                for (int r = 0; r < rows.size(); r++) {
                    out.get(r).add(rows.get(r).get(c));
                }
            }
        }
        return out;
    }

    private static List<String> completeIn(AnalysisInput input) {
        List<String> out = new ArrayList<>(input.y());
        out.addAll(input.x());
        return out;
    }

    /** The predicted classes of all selected rows, counted: the confusion matrix's column sums. */
    private static Map<String, Long> predict(
            FederationContext context, NaiveBayesScore.Builder model, AnalysisInput input) {
        int k = model.getClassesCount();
        Map<String, Long> out = new TreeMap<>();
        for (NodeAnswer answer : context.compute(PrimitiveQuery.newBuilder()
                .setModelScore(ModelScoreQuery.newBuilder()
                        .addAllCompleteIn(completeIn(input))
                        .setNaiveBayes(model)))) {
            List<Long> confusion = answer.result().getModelScore().getConfusionList();
            for (int i = 0; i < confusion.size(); i++) {
                if (confusion.get(i) > 0) {
                    out.merge(model.getClasses(i % k), confusion.get(i), Long::sum);
                }
            }
        }
        return out;
    }

    private static Map<String, Long> counts(JsonNode node) {
        Map<String, Long> out = new TreeMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asLong()));
        return out;
    }
}
