package org.mipfed.node.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;
import org.roaringbitmap.RoaringBitmap;

/**
 * The node's refusals carry nothing about the rows (fixed texts), small and refused selections
 * cannot be told apart, the refusal budget locks a requester out and survives a restart, and the
 * filter policy is decided on the request alone.
 */
class TestRefusalsRevealNothing {
    private static final long FILTER = 42;

    /** Every template, under a policy whose values all differ from any count, is free of numbers below min_rows. */
    @Test
    void noTemplateStatesACountBelowTheMinimum() {
        PrivacyPolicy policy = PrivacyPolicy.DEFAULT;
        List<PrivacyViolation> all = List.of(
                PrivacyRefusals.minRows(policy, List.of("leftamygdala, gender")),
                PrivacyRefusals.minRows(policy, List.of()),
                PrivacyRefusals.survivalBins(policy, "subjectageyears"),
                PrivacyRefusals.minCellCount(policy, List.of("apoe4")),
                PrivacyRefusals.maxParameterRatio(policy),
                PrivacyRefusals.maxLevels(policy, "subjectcode"),
                PrivacyRefusals.selection(policy),
                PrivacyRefusals.transform(
                        "transform", "Log transformation cannot be applied to non-positive values.", "x", "log"),
                PrivacyRefusals.responseValues(PrivacyGuard.RESPONSE_VALUES, "y", "binomial", "zero or one"),
                PrivacyRefusals.lockedOut(policy, "edsd", Instant.parse("2027-01-02T03:04:05Z")),
                PrivacyRefusals.filterPolicy("it has more than the 10 conditions this node accepts"));
        List<Number> policyValues = PrivacyRefusals.policyValues(policy);
        for (PrivacyViolation v : all) {
            assertThat(PrivacyRefusals.numbersBelow(v.message(), policy.minRows(), policyValues))
                    .as(v.message())
                    .isEmpty();
            assertThat(v.message()).as(v.message()).contains("rule " + v.rule());
        }
        // The check itself finds what it must: a count, even at a sentence's end, but not names or dates.
        assertThat(PrivacyRefusals.numbersBelow(
                        "Only 3 rows; 2.5 mm, bin (55, 56] of apoe4 until 2027-01-02T03:04Z, 4.", 10, List.of()))
                .containsExactly("3", "2.5", "4");
    }

    @Test
    void withAFilterNoneAndAFewRowsAreRefusedAlikeAndRemembered() {
        PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);
        PrivacyViolation none = guard.checkSelection("m", new RoaringBitmap(), 1000, FILTER, "mallory")
                .violation();
        PrivacyViolation one = guard.checkSelection("m", rows(500, 501), 1000, FILTER + 1, "mallory")
                .violation();
        assertThat(none).isNotNull().isEqualTo(one);
        // Without the history (Exareme2's minimal policy) none is answered and a few are left to the primitives, as
        // before.
        PrivacyGuard minimal = new PrivacyGuard(PrivacyPolicy.minRowsOnly(10));
        assertThat(minimal.checkSelection("m", new RoaringBitmap(), 1000, FILTER, "mallory")
                        .violation())
                .isNull();
        assertThat(minimal.checkSelection("m", rows(500, 503), 1000, FILTER, "mallory")
                        .violation())
                .isNull();
    }

    @Test
    void onceBWithPWasRefusedBIsRefusedTooUnderTheSameRuleAndText() {
        PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);
        RoaringBitmap b = rows(0, 9);
        RoaringBitmap withP = rows(0, 9);
        withP.add(700);
        // B ∪ {P} has ten rows, B nine: refused, then B ∪ {P} is refused too, under the same rule and text.
        PrivacyViolation small =
                guard.checkSelection("m", b, 1000, FILTER, "mallory").violation();
        PrivacyViolation near =
                guard.checkSelection("m", withP, 1000, FILTER + 1, "mallory").violation();
        assertThat(small).isNotNull().isEqualTo(near);
        // And the other way round: B ∪ {P} refused for being close to an answered B' makes B' itself refused from then
        // on.
        RoaringBitmap base = rows(100, 150);
        RoaringBitmap baseWithP = rows(100, 150);
        baseWithP.add(701);
        assertThat(guard.checkSelection("m", base, 1000, FILTER, "mallory").violation())
                .isNull();
        PrivacyViolation differencing = guard.checkSelection("m", baseWithP, 1000, FILTER + 2, "mallory")
                .violation();
        assertThat(differencing).isEqualTo(small);
        assertThat(guard.checkSelection("m", base, 1000, FILTER, "mallory").violation())
                .as("B after B ∪ {P} was refused")
                .isEqualTo(small);
        // Only to the one refused: anyone else may still use B (else one requester could spoil a selection for all).
        assertThat(guard.checkSelection("m", base, 1000, FILTER, "alice").violation())
                .isNull();
        // And all rows are never stopped by a refused selection.
        RoaringBitmap allButOne = rows(0, 999);
        assertThat(guard.checkSelection("m", allButOne, 1000, FILTER + 3, "mallory")
                        .violation())
                .isEqualTo(small);
        assertThat(guard.checkSelection("m", rows(0, 1000), 1000, 0, "mallory").violation())
                .isNull();
    }

    @Test
    void aRefusedSelectionIsRememberedForItsRequesterAcrossARestart(@TempDir Path dir) {
        Path file = dir.resolve("privacy-history.bin");
        PrivacyGuard before = new PrivacyGuard(PrivacyPolicy.DEFAULT, file);
        assertThat(before.checkSelection("m", rows(0, 9), 1000, FILTER, "mallory")
                        .violation())
                .isNotNull();
        assertThat(before.checkSelection("m", rows(100, 150), 1000, FILTER, "alice")
                        .violation())
                .isNull();
        RoaringBitmap withP = rows(0, 9);
        withP.add(700);
        PrivacyGuard restarted = new PrivacyGuard(PrivacyPolicy.DEFAULT, file);
        assertThat(restarted
                        .checkSelection("m", withP, 1000, FILTER + 1, "mallory")
                        .violation())
                .as("refused to mallory before")
                .isNotNull();
        assertThat(restarted
                        .checkSelection("m", withP, 1000, FILTER + 1, "alice")
                        .violation())
                .as("not to alice")
                .isNull();
        RoaringBitmap nearAnswered = rows(100, 150);
        nearAnswered.add(800);
        assertThat(restarted
                        .checkSelection("m", nearAnswered, 1000, FILTER, "bob")
                        .violation())
                .as("answered before")
                .isNotNull();
    }

    @Test
    void theSameRowsThroughAnotherFilterAreAnsweredButCountedAsAProbe() {
        PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);
        assertThat(guard.checkSelection("m", rows(0, 50), 1000, FILTER, "mallory"))
                .isEqualTo(new PrivacyGuard.SelectionVerdict(null, false));
        assertThat(guard.checkSelection("m", rows(0, 50), 1000, FILTER, "mallory"))
                .as("the same filter again (every round of a flow)")
                .isEqualTo(new PrivacyGuard.SelectionVerdict(null, false));
        assertThat(guard.checkSelection("m", rows(0, 50), 1000, FILTER + 1, "mallory"))
                .as("another filter, the same rows")
                .isEqualTo(new PrivacyGuard.SelectionVerdict(null, true));
    }

    @Test
    void theBudgetLocksARequesterOutOfADatasetAndSurvivesARestart(@TempDir Path dir) {
        PrivacyPolicy policy = PrivacyPolicy.DEFAULT;
        Path file = dir.resolve("privacy-budget.json");
        RefusalBudget budget = new RefusalBudget(policy, file);
        Instant t = Instant.parse("2027-01-04T09:00:00Z");
        List<Optional<RefusalBudget.Alert>> alerts = new ArrayList<>();
        for (int i = 0; i < policy.refusalBudget(); i++) {
            assertThat(budget.lockedUntil("mallory", "m", "edsd", t)).isEmpty();
            alerts.add(budget.count("mallory", "m", "edsd", i == 0 ? "min_rows" : "differencing", t.plusSeconds(i)));
        }
        assertThat(alerts.subList(0, alerts.size() - 1)).allMatch(Optional::isEmpty);
        RefusalBudget.Alert alert = alerts.get(alerts.size() - 1).orElseThrow();
        assertThat(alert.requester()).isEqualTo("mallory");
        assertThat(alert.dataset()).isEqualTo("edsd");
        assertThat(alert.refusalsByRule())
                .containsEntry("differencing", policy.refusalBudget() - 1)
                .containsEntry("min_rows", 1);
        Instant until = t.plusSeconds(policy.refusalBudget() - 1).plus(Duration.ofHours(policy.lockoutHours()));
        assertThat(alert.lockedUntil()).isEqualTo(until);
        assertThat(budget.lockedUntil("mallory", "m", "edsd", t.plusSeconds(60)))
                .contains(until);
        assertThat(budget.lockedUntil("mallory", "m", "ppmi", t.plusSeconds(60)))
                .as("another dataset")
                .isEmpty();
        assertThat(budget.lockedUntil("alice", "m", "edsd", t.plusSeconds(60)))
                .as("another requester")
                .isEmpty();

        RefusalBudget restarted = new RefusalBudget(policy, file);
        assertThat(restarted.lockedUntil("mallory", "m", "edsd", t.plusSeconds(60)))
                .as("after a restart")
                .contains(until);
        assertThat(restarted.lockedUntil("mallory", "m", "edsd", until.plusSeconds(1)))
                .as("after the lockout")
                .isEmpty();
        // Past the lockout (as long as the window), a new budget: the attacker's rate is the budget per lockout.
        for (int i = 0; i < policy.refusalBudget() - 1; i++) {
            assertThat(restarted.count("mallory", "m", "edsd", "min_rows", until.plusSeconds(1 + i)))
                    .isEmpty();
        }
        assertThat(restarted.count("mallory", "m", "edsd", "min_rows", until.plusSeconds(60)))
                .isPresent();
        // An honest requester with fewer refusals than the budget within the window is never locked out.
        RefusalBudget honest = new RefusalBudget(policy, null);
        Instant day = t;
        for (int week = 0; week < 8; week++) {
            for (int i = 0; i < policy.refusalBudget() - 1; i++) {
                assertThat(honest.count("alice", "m", "edsd", "min_rows", day.plusSeconds(i)))
                        .isEmpty();
            }
            day = day.plus(Duration.ofHours(policy.refusalWindowHours())).plusSeconds(60);
        }
        assertThat(new RefusalBudget(PrivacyPolicy.minRowsOnly(10), null).enabled())
                .isFalse();
    }

    @Test
    void theFilterPolicyIsDecidedOnTheRequestAlone() {
        DataModel model = model();
        PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);
        assertThat(guard.checkFilter(rule("age", "equal", 70), model))
                .as("an integer")
                .isEmpty();
        assertThat(guard.checkFilter(rule("gender", "equal", "F"), model))
                .as("a nominal")
                .isEmpty();
        assertThat(guard.checkFilter(rule("amygdala", "greater", 1.5), model))
                .as("a range on a real")
                .isEmpty();
        assertThat(guard.checkFilter(rule("amygdala", "equal", 1.5), model)).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo(PrivacyGuard.FILTER_POLICY);
            assertThat(v.message()).contains("'amygdala'").contains("use a range");
        });
        FilterGroup.Builder many = FilterGroup.newBuilder().setCondition("AND");
        IntStream.range(0, 11).forEach(i -> many.addRules(rule("age", "greater", i)));
        assertThat(guard.checkFilter(Filter.newBuilder().setGroup(many).build(), model))
                .hasValueSatisfying(v -> assertThat(v.message()).contains("more than the 10 conditions"));
        PrivacyGuard narrow = new PrivacyGuard(PrivacyPolicy.DEFAULT.withFilterPolicy(List.of("gender"), 0, true));
        assertThat(narrow.checkFilter(rule("age", "equal", 70), model))
                .hasValueSatisfying(v -> assertThat(v.message()).contains("filters only on gender"));
        assertThat(narrow.checkFilter(Filter.newBuilder().setGroup(many).build(), model))
                .as("no limit on conditions")
                .isPresent();
        PrivacyGuard minimal = new PrivacyGuard(PrivacyPolicy.minRowsOnly(10));
        assertThat(minimal.checkFilter(rule("amygdala", "equal", 1.5), model)).isEmpty();
        assertThat(minimal.checkFilter(Filter.newBuilder().setGroup(many).build(), model))
                .isEmpty();
    }

    @Test
    void theNewFieldsReadFromNodeJsonAndAreAnnounced() throws Exception {
        PrivacyPolicy read = Json.mapper()
                .readValue(
                        "{\"refusal_budget\": 5, \"refusal_window_hours\": 24, \"lockout_hours\": 48, "
                                + "\"filter_variables\": [\"gender\", \"age\"], \"max_filter_rules\": 4, \"continuous_equality\": true}",
                        PrivacyPolicy.class);
        assertThat(read)
                .isEqualTo(PrivacyPolicy.DEFAULT
                        .withRefusalBudget(5)
                        .withFilterPolicy(List.of("gender", "age"), 4, true)
                        .withWindow(24, 48));
        assertThat(read.toProto().getRefusalBudget()).isEqualTo(5);
        assertThat(read.toProto().getFilterVariablesList()).containsExactly("gender", "age");
        assertThat(read.toProto().getAllFilterVariablesAllowed()).isFalse();
        assertThat(PrivacyPolicy.DEFAULT.toProto().getAllFilterVariablesAllowed())
                .isTrue();
        assertThat(Json.mapper().readValue(Json.mapper().writeValueAsString(read), PrivacyPolicy.class))
                .isEqualTo(read);
        assertThatThrownBy(() -> Json.mapper().readValue("{\"refusal_budget\": -1}", PrivacyPolicy.class))
                .hasMessageContaining("refusal_budget");
    }

    private static DataModel model() {
        return DataModel.parse("""
                {"code": "m", "version": "1", "variables": [
                  {"code": "dataset", "label": "Dataset", "sql_type": "text", "isCategorical": true, "enumerations": [{"code": "a", "label": "A"}]},
                  {"code": "age", "label": "Age", "sql_type": "int", "isCategorical": false},
                  {"code": "amygdala", "label": "Amygdala", "sql_type": "real", "isCategorical": false},
                  {"code": "gender", "label": "Gender", "sql_type": "text", "isCategorical": true,
                   "enumerations": [{"code": "F", "label": "Female"}, {"code": "M", "label": "Male"}]}]}""");
    }

    private static Filter rule(String variable, String operator, Object value) {
        FilterValue.Builder v = FilterValue.newBuilder();
        if (value instanceof String text) {
            v.setText(text);
        } else {
            v.setNumber(((Number) value).doubleValue());
        }
        return Filter.newBuilder()
                .setRule(FilterRule.newBuilder()
                        .setVariable(variable)
                        .setOperator(operator)
                        .addValues(v))
                .build();
    }

    private static RoaringBitmap rows(int from, int to) {
        RoaringBitmap bitmap = new RoaringBitmap();
        IntStream.range(from, to).forEach(bitmap::add);
        return bitmap;
    }
}
