package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An API token a user made for scripts: it acts as that user with that user's role. Only its SHA-256 is kept;
 * the token itself is shown once, when it is created.
 */
public record ApiToken(String id, String username, String name, String sha256, Instant created, Instant lastUsed) {
    public ApiToken {
        requireNonNull(id, "id is null");
        requireNonNull(username, "username is null");
        requireNonNull(name, "name is null");
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(created, "created is null");
    }

    ApiToken used(Instant when) {
        return new ApiToken(id, username, name, sha256, created, when);
    }
}
