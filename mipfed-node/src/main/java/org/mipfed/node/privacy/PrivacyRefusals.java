package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that words the node's privacy refusals. A refusal's text is one bit of the rows
 * behind it already (that it happened); it must add nothing: each text here is fixed per rule and
 * built only from the node's policy values, names the researcher chose (variables, datasets,
 * primitives) and what the researcher can change — never a count, a level's frequency, a bin, a
 * row total or a value computed from the rows. Callers pass names, not descriptions with figures.
 * Checked by {@link #numbersBelow} in every test harness that runs nodes.
 */
public final class PrivacyRefusals {
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.:-])\\d+(?:\\.\\d+)?(?![\\w:-])(?!\\.\\d)");
    /** Words a refusal may carry that are not about the rows: rule names; policy values are given by the caller. */
    private static final Pattern RULE = Pattern.compile("\\(rule [a-z_]+");

    private PrivacyRefusals() {}

    /** An aggregate (or a selection, without differencing protection) over too few rows. */
    public static PrivacyViolation minRows(PrivacyPolicy policy, List<String> variables) {
        return new PrivacyViolation(
                PrivacyGuard.MIN_ROWS,
                "Too few rows on this node for its privacy policy (rule "
                        + PrivacyGuard.MIN_ROWS + ": every figure must rest on at least " + policy.minRows() + " rows"
                        + over(variables)
                        + "). Widen the filters, choose variables with fewer missing values, or leave this node's datasets out");
    }

    /** A survival table whose bins would hold too few events or censored rows. */
    public static PrivacyViolation survivalBins(PrivacyPolicy policy, String time) {
        return new PrivacyViolation(
                PrivacyGuard.MIN_ROWS,
                "Some bin of '" + time + "' would hold too few events or censored rows for this "
                        + "node's privacy policy (rule " + PrivacyGuard.MIN_ROWS + ": at least " + policy.minRows()
                        + " rows behind each count). "
                        + "Choose a wider bin_width, widen the filters, or leave this node's datasets out");
    }

    /** A count the answer would reveal (exactly or through other figures) below the minimum cell count. */
    public static PrivacyViolation minCellCount(PrivacyPolicy policy, List<String> variables) {
        return new PrivacyViolation(
                PrivacyGuard.MIN_CELL_COUNT,
                "The answer would reveal a count below this node's minimum (rule "
                        + PrivacyGuard.MIN_CELL_COUNT + ": no released count between zero and " + policy.minCellCount()
                        + ")" + among(variables)
                        + ". Merge or leave out rare levels, widen the filters, or leave this node's datasets out");
    }

    /** A model with more parameters than the ratio allows for the rows. */
    public static PrivacyViolation maxParameterRatio(PrivacyPolicy policy) {
        return new PrivacyViolation(
                PrivacyGuard.MAX_PARAMETER_RATIO,
                "The model has too many parameters for the rows of this node (rule "
                        + PrivacyGuard.MAX_PARAMETER_RATIO + ": at most " + policy.maxParameterRatio()
                        + " parameters per row, since more could "
                        + "give the rows back). Use fewer covariates or levels, or widen the filters");
    }

    /** A nominal variable with more levels (in the data model) than allowed. */
    public static PrivacyViolation maxLevels(PrivacyPolicy policy, String variable) {
        return new PrivacyViolation(
                PrivacyGuard.MAX_LEVELS,
                "The nominal variable '" + variable + "' has more levels than this node's "
                        + "privacy policy allows (rule " + PrivacyGuard.MAX_LEVELS + ": at most " + policy.maxLevels()
                        + "); use a variable "
                        + "with fewer levels");
    }

    /** A primitive the node does not compute. */
    public static PrivacyViolation allowedPrimitives(PrivacyPolicy policy, String primitive) {
        return new PrivacyViolation(
                PrivacyGuard.ALLOWED_PRIMITIVES,
                "This node does not compute " + primitive + ": its privacy policy "
                        + "allows only " + String.join(", ", policy.allowedPrimitives()) + " (rule "
                        + PrivacyGuard.ALLOWED_PRIMITIVES
                        + "); choose an analysis built on those, or leave this node's datasets out");
    }

    /** Minima, maxima or quartiles asked of a node that keeps them. */
    public static PrivacyViolation releaseExtremes(String what) {
        return new PrivacyViolation(
                PrivacyGuard.RELEASE_EXTREMES,
                "This node does not release minima, maxima or quartiles (rule "
                        + PrivacyGuard.RELEASE_EXTREMES + "), and " + what
                        + " needs them; give the bins' edges or the centres yourself, or leave "
                        + "this node's datasets out");
    }

    /**
     * Every refusal of a selection of rows, or of the rows behind one figure of an answer (those complete in
     * its variables, a group, a bin), whichever of its conditions failed: one text, so that neither the
     * text nor the rule tells a small selection from one close to all rows, to an earlier one, or a figure
     * close to another (each of those would be a bit about the rows).
     */
    public static PrivacyViolation selection(PrivacyPolicy policy) {
        int n = policy.minRows();
        return new PrivacyViolation(
                PrivacyGuard.DIFFERENCING,
                "The rows this request selects on this node, or the rows behind one of "
                        + "its figures (those complete in its variables, a group), cannot be used under its privacy policy (rule "
                        + PrivacyGuard.DIFFERENCING + "): a selection must hold at least " + n
                        + " rows, leave out none or at least " + n
                        + " of the requested datasets' rows, differ from every earlier selection it is not equal to by at least "
                        + n
                        + " rows, and from every refused one by at least " + n
                        + ", and the rows behind each figure likewise from those "
                        + "behind every other figure of the same variable, else answers could be combined to describe a few patients. "
                        + "Widen the filters, leave them out, choose other variables or groups, or use a selection that was answered before");
    }

    /** A transformation that has no finite value on some selected row. */
    public static PrivacyViolation transform(String rule, String prefix, String variable, String transform) {
        return new PrivacyViolation(
                rule,
                prefix + " The " + transform + " transformation of '" + variable + "' is not defined on "
                        + "every selected row of this node (rule " + rule
                        + "); leave the variable out of the transformation or filter such rows out");
    }

    /** A response with values outside its family's range on some selected row (no count of them). */
    public static PrivacyViolation responseValues(String rule, String response, String family, String range) {
        return new PrivacyViolation(
                rule,
                "The response '" + response + "' of a " + family + " model must be " + range + " on every "
                        + "selected row of this node (rule " + rule
                        + "); choose another family or response, or filter such rows out");
    }

    /** A requester who spent the refusal budget on a dataset. */
    public static PrivacyViolation lockedOut(PrivacyPolicy policy, String dataset, Instant until) {
        return new PrivacyViolation(
                PrivacyGuard.REFUSAL_BUDGET,
                "This node answers you nothing about the dataset '" + dataset + "' until "
                        + until.truncatedTo(ChronoUnit.MINUTES) + " (rule " + PrivacyGuard.REFUSAL_BUDGET + ": at most "
                        + policy.refusalBudget()
                        + " refusals that depend on its rows per " + policy.refusalWindowHours()
                        + " hours, since each refusal tells something "
                        + "about the rows). Its operator has been alerted; ask them if this is a mistake");
    }

    /** A filter the node's filter policy does not allow (decided on the request alone, before any row is read). */
    public static PrivacyViolation filterPolicy(String problem) {
        return new PrivacyViolation(
                PrivacyGuard.FILTER_POLICY,
                "This node does not accept this filter (rule " + PrivacyGuard.FILTER_POLICY + "): " + problem);
    }

    private static String over(List<String> variables) {
        return variables.isEmpty() ? "" : "; here, the rows complete in " + String.join(", ", variables);
    }

    private static String among(List<String> variables) {
        return variables.isEmpty() ? "" : " among the counts of " + String.join(", ", variables);
    }

    /**
     * The refusals in a node's audit log ({@code audit.log}) whose rule depends on the rows and whose
     * text states a number between 1 and {@code minRows - 1} other than the {@code allowed} policy
     * values, as "rule: message". For every test harness that runs nodes: it checks, at close, every
     * refusal the tests produced.
     *
     * @param requestOnly the rules decided on the request alone (their texts quote the request's own numbers)
     */
    public static List<String> auditedCountsBelow(
            Path auditLog, int minRows, List<Number> allowed, java.util.Set<String> requestOnly) {
        List<String> found = new java.util.ArrayList<>();
        if (!java.nio.file.Files.exists(auditLog)) {
            return found;
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(auditLog)) {
                com.fasterxml.jackson.databind.JsonNode entry;
                try {
                    entry = org.mipfed.core.json.Json.mapper().readTree(line);
                } catch (java.io.IOException e) {
                    continue;
                }
                if (entry == null
                        || !"refused".equals(entry.path("outcome").asText())
                        || !entry.hasNonNull("message")
                        || requestOnly.contains(entry.path("rule").asText())) {
                    continue;
                }
                String message = entry.path("message").asText();
                if (!numbersBelow(message, minRows, allowed).isEmpty()) {
                    found.add(entry.path("rule").asText() + ": " + message);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the audit log " + auditLog, e);
        }
        return found;
    }

    /** The policy's own numbers, which a refusal may state. */
    public static List<Number> policyValues(PrivacyPolicy policy) {
        return List.of(
                policy.minRows(),
                policy.minCellCount(),
                policy.maxParameterRatio(),
                policy.maxLevels(),
                policy.refusalBudget(),
                policy.refusalWindowHours(),
                policy.lockoutHours(),
                policy.maxFilterRules());
    }

    /**
     * The numbers in {@code message} that lie between 1 and {@code minRows - 1}, apart from the
     * policy's own values given in {@code allowed} and numbers inside names (apoe4, 2024-01-01): a
     * refusal that states one may be describing the few rows behind it. For test harnesses.
     */
    public static List<String> numbersBelow(String message, int minRows, List<Number> allowed) {
        String text = RULE.matcher(requireNonNull(message, "message is null")).replaceAll("");
        Matcher m = NUMBER.matcher(text);
        List<String> found = new java.util.ArrayList<>();
        while (m.find()) {
            double value = Double.parseDouble(m.group());
            if (value > 0 && value < minRows && allowed.stream().noneMatch(a -> a.doubleValue() == value)) {
                found.add(m.group());
            }
        }
        return found;
    }
}
