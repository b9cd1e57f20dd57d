package org.mipfed.manager.users;

import java.util.Collection;
import java.util.Map;

/**
 * Where a running manager's signed-in sessions are kept: the managers' replicated log, so that a user signed in
 * through one manager stays signed in through every other. Only sign-in, sign-out, expiry and a rare refresh of a
 * session's last use are written; a request that finds its session writes nothing.
 */
public interface SessionLog {
    /** The sessions this manager has applied, by id: local, never waits. */
    Map<String, Sessions.Session> sessions();

    /**
     * Commits a new or refreshed session.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    void putSession(Sessions.Session session);

    /**
     * Commits the end of these sessions (signed out, expired, or their user removed).
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    void removeSessions(Collection<String> ids);

    /**
     * Commits the end of every session of {@code username} but {@code keep} (the SHA-256 of its id, or null), as
     * the log holds them when the end applies: a session signed in through another manager that this one has not
     * applied yet ends too.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    void removeUserSessions(String username, String keep);
}
