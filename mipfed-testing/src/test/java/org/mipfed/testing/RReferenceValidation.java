package org.mipfed.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.MixedModelReference;
import org.mipfed.algorithms.RReference;
import org.mipfed.cli.demo.LocalFederation;

/**
 * mipfed's own algorithms (glm, kaplan_meier, contingency_table with and without strata, linear_mixed_model,
 * cox_regression, quantiles, and p_adjust on pearson_correlation and anova_oneway) against the reference results R wrote
 * (mipfed-algorithms/src/test/resources/r), on a real federation: a manager and nodes as processes on
 * loopback over mutual TLS, the dementia data dealt as in {@link Exareme2Validation} (and the longitudinal dementia
 * data, for the mixed model's random effects per dataset) and a privacy
 * minimum of one row. Subclasses choose the number of nodes and which use PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RReferenceValidation {
    private ValidationFederation validation;
    private LocalFederation federation;

    abstract int nodes();

    abstract boolean postgres(int i);

    @BeforeAll
    void startFederation() {
        validation = ValidationFederation.start(
                "rreference",
                nodes(),
                this::postgres,
                Map.of(
                        "dementia_v_0_1",
                        List.of("edsd", "ppmi", "desd-synthdata"),
                        "longitudinal_dementia_v_0_1",
                        List.of("longitudinal_dementia", "longitudinal_dementia-test")));
        federation = validation.federation();
    }

    @AfterAll
    void stopFederation() {
        if (validation != null) {
            validation.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> glm() {
        return cases("glm");
    }

    @TestFactory
    Stream<DynamicTest> kaplanMeier() {
        return cases("kaplan_meier");
    }

    @TestFactory
    Stream<DynamicTest> contingencyTable() {
        return cases("contingency_table");
    }

    @TestFactory
    Stream<DynamicTest> linearMixedModel() {
        return cases("linear_mixed_model");
    }

    @TestFactory
    Stream<DynamicTest> coxRegression() {
        return cases("cox_regression");
    }

    @TestFactory
    Stream<DynamicTest> stratifiedContingencyTable() {
        return cases("contingency_table", "contingency_table_stratified");
    }

    @TestFactory
    Stream<DynamicTest> quantiles() {
        return cases("quantiles");
    }

    @TestFactory
    Stream<DynamicTest> pValueAdjustment() {
        return Stream.concat(cases("pearson_correlation"), cases("anova_oneway"));
    }

    private Stream<DynamicTest> cases(String algorithm) {
        return cases(algorithm, algorithm);
    }

    /** The cases of {@code r/<reference>_expected.json}, each posted to {@code /algorithms/<algorithm>}. */
    private Stream<DynamicTest> cases(String algorithm, String reference) {
        return RReference.load(reference).stream()
                .map(c -> DynamicTest.dynamicTest(algorithm + " " + c, () -> {
                    JsonNode actual = federation.admin().post("/algorithms/" + algorithm, c.body());
                    if (algorithm.equals("linear_mixed_model")) {
                        MixedModelReference.assertMatches(c.name(), c.expected(), actual);
                    } else {
                        ExpectedResults.assertMatchesReference(c.name(), c.expected(), actual, ExpectedResults.DEFAULT);
                    }
                }));
    }
}
