package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mipfed.core.problem.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed-in browser sessions. A session is a random 256-bit id (the cookie) with its own CSRF token, and ends after
 * {@link #IDLE_TIMEOUT} without a request.
 *
 * <p>A running manager keeps them {@linkplain #replicated replicated}: a sign-in, a sign-out, the sessions a user
 * loses (removed, disabled, password reset) and expiry are commands of the managers' log, so a user signed in through
 * one manager stays signed in through any other, and through a restart. The log holds the SHA-256 of a session's id,
 * never the cookie. A request writes nothing but, at most once every {@link #REFRESH_EVERY}, a refresh of the
 * session's last use in the log; a replicated session therefore ends between {@link #IDLE_TIMEOUT} and
 * {@link #IDLE_TIMEOUT} plus {@link #REFRESH_EVERY} after its last request, through whichever manager it came —
 * never early. Without a replicated log (tests, tools) they are in memory only.
 */
public final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    public static final Duration IDLE_TIMEOUT = Duration.ofHours(8);
    /** How stale a session's last use in the replicated log may get before a request refreshes it. */
    public static final Duration REFRESH_EVERY = Duration.ofMinutes(15);

    /**
     * One signed-in browser.
     *
     * @param id the cookie's value (in the replicated log: its SHA-256)
     */
    public record Session(String id, String username, String csrfToken, Instant lastSeen) {
        Session seen(Instant now) {
            return new Session(id, username, csrfToken, now);
        }

        Session withId(String newId) {
            return new Session(newId, username, csrfToken, lastSeen);
        }
    }

    /** Sessions in memory (no log), by id. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private final Clock clock;
    private final SessionLog log;
    /** The sessions (by their key in the log) whose last use a request is refreshing now. */
    private final java.util.Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** Until when each session's refresh is not tried again (its last attempt was refused). */
    private final Map<String, Instant> holdOff = new ConcurrentHashMap<>();

    public Sessions() {
        this(Clock.systemUTC());
    }

    Sessions(Clock clock) {
        this(clock, null);
    }

    private Sessions(Clock clock, SessionLog log) {
        this.clock = requireNonNull(clock, "clock is null");
        this.log = log;
    }

    /** The sessions of a running manager, kept in the managers' replicated log. */
    public static Sessions replicated(SessionLog log) {
        return new Sessions(Clock.systemUTC(), requireNonNull(log, "log is null"));
    }

    static Sessions replicated(SessionLog log, Clock clock) {
        return new Sessions(clock, requireNonNull(log, "log is null"));
    }

    /**
     * Signs {@code username} in.
     *
     * @throws Problem 503 when the managers have no majority to commit the sign-in
     */
    public Session create(String username) {
        requireNonNull(username, "username is null");
        expire();
        Session session =
                new Session(UserStore.randomSecret(32), username, UserStore.randomSecret(32), clock.instant());
        if (log == null) {
            sessions.put(session.id(), session);
        } else {
            log.putSession(session.withId(key(session.id())));
        }
        return session;
    }

    /** The live session with this id, its idle time restarted; empty when unknown or idle too long. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (log == null) {
            Session found = sessions.computeIfPresent(
                    id, (k, s) -> s.lastSeen().plus(IDLE_TIMEOUT).isBefore(now) ? null : s.seen(now));
            return Optional.ofNullable(found);
        }
        Session replicated = log.sessions().get(key(id));
        if (replicated == null || expired(replicated, now)) {
            return Optional.empty();
        }
        // while the managers elect a leader a refresh may wait out the write timeout: one request refreshes it, the
        // others of the same session meanwhile do not wait, and none tries again for a while after a refused one
        if (replicated.lastSeen().plus(REFRESH_EVERY).isBefore(now)
                && !heldOff(replicated.id(), now)
                && refreshing.add(replicated.id())) {
            try {
                log.putSession(replicated.seen(now));
            } catch (Problem e) {
                // a refresh is a hint: the session still works while the managers cannot take writes
                LOG.debug("the last use of a session was not refreshed: {}", e.getMessage());
                holdOff.put(replicated.id(), now.plus(UserStore.HINT_HOLD_OFF));
            } finally {
                refreshing.remove(replicated.id());
            }
        }
        return Optional.of(replicated.withId(id).seen(now));
    }

    /**
     * Signs a session out.
     *
     * @throws Problem 503 when the managers have no majority to commit the sign-out
     */
    public void remove(String id) {
        if (id == null) {
            return;
        }
        if (log == null) {
            sessions.remove(id);
            return;
        }
        String key = key(id);
        if (log.sessions().containsKey(key)) {
            log.removeSessions(List.of(key));
        }
    }

    /** Signs a user out everywhere (removed, disabled, or their password reset). */
    public void removeUser(String username) {
        removeUser(username, null);
    }

    /** Signs a user out everywhere but in the session {@code keep} (their own password change). */
    public void removeUser(String username, String keep) {
        if (log == null) {
            sessions.values().removeIf(s -> s.username().equals(username) && !s.id().equals(keep));
            return;
        }
        // decided where the log applies it, not on this manager's copy: a session committed through another
        // manager an instant ago may not have reached this one yet, and must not survive the sign-out
        log.removeUserSessions(username, keep == null ? null : key(keep));
    }

    private void expire() {
        Instant now = clock.instant();
        if (log == null) {
            sessions.values().removeIf(s -> s.lastSeen().plus(IDLE_TIMEOUT).isBefore(now));
            return;
        }
        List<String> expired = log.sessions().values().stream()
                .filter(s -> expired(s, now))
                .map(Session::id)
                .toList();
        log.removeSessions(expired);
    }

    private boolean heldOff(String key, Instant now) {
        Instant until = holdOff.get(key);
        if (until == null) {
            return false;
        }
        if (until.isBefore(now)) {
            holdOff.remove(key, until);
            return false;
        }
        return true;
    }

    /** Whether a replicated session is idle too long: its last use in the log trails the real one by up to a refresh. */
    private static boolean expired(Session replicated, Instant now) {
        return replicated.lastSeen().plus(IDLE_TIMEOUT).plus(REFRESH_EVERY).isBefore(now);
    }

    /** What the log keys a session by: the SHA-256 of its id, so that no cookie is written to disk. */
    static String key(String id) {
        return UserStore.sha256(id);
    }
}
