package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

/**
 * What a member of the federation joined as: the join token it used decides it, and its certificate carries it as
 * {@code OU=<label>}. Parsed once, where text comes in (a path, a command line, a certificate, the state file), so
 * the rest of the code compares values, never strings.
 */
public enum Role {
    /** A hospital node: it serves primitives over its session and nothing else. */
    WORKER("worker"),
    /** Another manager of a replicated federation. */
    MANAGER("manager");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** The lower-case name used on the wire, in certificates, in join-token routes and in the state file. */
    public String label() {
        return label;
    }

    /**
     * The role with this label.
     *
     * @throws IllegalArgumentException naming the two roles when the text is neither
     */
    public static Role parse(String text) {
        requireNonNull(text, "role is null");
        for (Role role : values()) {
            if (role.label.equals(text)) {
                return role;
            }
        }
        throw new IllegalArgumentException(
                "There are two roles, 'worker' (a hospital node) and 'manager'; not '" + text + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
