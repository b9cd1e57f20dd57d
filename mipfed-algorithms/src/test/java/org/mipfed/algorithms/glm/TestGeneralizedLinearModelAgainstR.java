package org.mipfed.algorithms.glm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RReference;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.request.AnalysisRequest;

/**
 * {@code glm} against R's own glm (src/test/resources/r/glm.R): the gaussian, binomial and poisson
 * families with their default links and others, on several variable sets, with the datasets spread
 * over 1, 3 and 5 nodes.
 */
class TestGeneralizedLinearModelAgainstR {
    static Stream<RReference.Case> cases() {
        return RReference.load(GeneralizedLinearModel.NAME).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesR(RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            GeneralizedLinearModel algorithm = new GeneralizedLinearModel();
            InMemoryFederation federation = InMemoryFederation.dementia(nodes);
            AnalysisInput input =
                    RequestValidator.validate(algorithm, AnalysisRequest.fromJson(c.body()), federation.model());
            JsonNode actual = algorithm.run(input, federation.context(input)).toJson();
            ExpectedResults.assertMatchesReference(
                    c.name() + " on " + nodes + " nodes", c.expected(), actual, ExpectedResults.DEFAULT);
        }
    }

    @Test
    void theReferenceCoversEveryFamilyWithItsDefaultLinkAndOthers() {
        List<String> fits = RReference.load(GeneralizedLinearModel.NAME).stream()
                .map(c -> c.expected().path("family").asText() + "/"
                        + c.expected().path("link").asText())
                .toList();
        assertThat(fits)
                .contains(
                        "gaussian/identity",
                        "binomial/logit",
                        "poisson/log",
                        "gaussian/log",
                        "binomial/probit",
                        "binomial/cloglog",
                        "poisson/sqrt",
                        "poisson/identity");
    }
}
