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

    /** The users and the version they have. */
    record Versioned(long version, UserStore.Content content) {}
}
