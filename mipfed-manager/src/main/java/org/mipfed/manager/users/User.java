package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A person who signs in to the manager, as kept in {@code users.json}.
 *
 * @param passwordHash an Argon2id PHC string ({@link PasswordHasher}); null for a user who signs in only through OpenID Connect
 * @param oidcSubject the issuer's subject for a user created by an OpenID Connect sign-in, else null
 */
public record User(
        String username, String role, String passwordHash, Instant created, boolean disabled, String oidcSubject) {
    public User {
        requireNonNull(username, "username is null");
        requireNonNull(role, "role is null");
        requireNonNull(created, "created is null");
    }

    public boolean admin() {
        return Roles.ADMIN.equals(role);
    }

    User withRole(String newRole) {
        return new User(username, newRole, passwordHash, created, disabled, oidcSubject);
    }

    User withPasswordHash(String newHash) {
        return new User(username, role, newHash, created, disabled, oidcSubject);
    }

    User withDisabled(boolean newDisabled) {
        return new User(username, role, passwordHash, created, newDisabled, oidcSubject);
    }
}
