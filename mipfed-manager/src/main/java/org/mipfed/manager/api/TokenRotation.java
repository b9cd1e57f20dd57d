package org.mipfed.manager.api;

import org.mipfed.core.security.Role;

/** Rotates the join token of a role ({@code worker} or {@code manager}); it needs the CA certificate, which the server has. */
@FunctionalInterface
public interface TokenRotation {
    /** The new token, which replaces the old one at once. */
    String rotate(Role role);
}
