package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in browser sessions, in memory only: a manager restart signs everyone out. A session is a random 256-bit
 * id (the cookie) with its own CSRF token, and ends after {@link #IDLE_TIMEOUT} without a request.
 */
public final class Sessions {
    public static final Duration IDLE_TIMEOUT = Duration.ofHours(8);

    /** One signed-in browser. */
    public record Session(String id, String username, String csrfToken, Instant lastSeen) {
        Session seen(Instant now) {
            return new Session(id, username, csrfToken, now);
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    public Sessions() {
        this(Clock.systemUTC());
    }

    Sessions(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Session create(String username) {
        requireNonNull(username, "username is null");
        expire();
        Session session =
                new Session(UserStore.randomSecret(32), username, UserStore.randomSecret(32), clock.instant());
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session with this id, its idle time restarted; empty when unknown or idle too long. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session found = sessions.computeIfPresent(
                id, (k, s) -> s.lastSeen().plus(IDLE_TIMEOUT).isBefore(now) ? null : s.seen(now));
        return Optional.ofNullable(found);
    }

    public void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Signs a user out everywhere (removed, disabled, or their password reset). */
    public void removeUser(String username) {
        removeUser(username, null);
    }

    /** Signs a user out everywhere but in the session {@code keep} (their own password change). */
    public void removeUser(String username, String keep) {
        sessions.values().removeIf(s -> s.username().equals(username) && !s.id().equals(keep));
    }

    private void expire() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> s.lastSeen().plus(IDLE_TIMEOUT).isBefore(now));
    }
}
