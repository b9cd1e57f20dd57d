package org.mipfed.manager.users;

/**
 * Where a running manager's users and API tokens are kept: the managers' replicated log. A change is computed from a
 * version of the users and committed only if they are still at that version, as the federation state's are.
 */
public interface UserLog {
    /** The users this manager has applied, with their version; null content until a manager imported its files. */
    Versioned readUsers();

    /**
     * Commits {@code next} if the users are still at {@code basedOn}; returns whether they were.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    boolean changeUsers(long basedOn, UserStore.Content next);

    /**
     * Waits until the users this manager reads are as current as the managers' leader's (a manager that restarted
     * applies the log behind it for a while), so that a change is not computed on stale users, refused and computed
     * again.
     *
     * @throws org.mipfed.core.problem.Problem 503 when this manager has not caught up within {@code timeoutMillis}
     */
    void awaitCurrent(long timeoutMillis);

    /** The users and the version they have. */
    record Versioned(long version, UserStore.Content content) {}
}
