package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

/**
 * A result the node's policy forbids releasing.
 *
 * @param rule the rule broken, e.g. {@value PrivacyGuard#MIN_ROWS}
 * @param message what happened and what the researcher can do
 */
public record PrivacyViolation(String rule, String message) {
    public PrivacyViolation {
        requireNonNull(rule, "rule is null");
        requireNonNull(message, "message is null");
    }
}
