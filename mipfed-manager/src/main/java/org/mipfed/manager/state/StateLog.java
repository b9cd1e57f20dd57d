package org.mipfed.manager.state;

/**
 * Where a running manager's federation state is kept: the managers' replicated log. A change is computed from a
 * version of the state and committed only if the state is still at that version.
 */
public interface StateLog {
    /** The state this manager has applied, with its version: local, never waits. */
    Versioned read();

    /**
     * Commits {@code next} if the state is still at {@code basedOn}; returns whether it was.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    boolean change(long basedOn, FederationState next);

    /**
     * Waits until the state this manager reads is as current as the managers' leader's (a manager that restarted
     * applies the log behind it for a while), so that a change is not computed on a stale state, refused and
     * computed again.
     *
     * @throws org.mipfed.core.problem.Problem 503 when this manager has not caught up within {@code timeoutMillis}
     */
    void awaitCurrent(long timeoutMillis);

    /** A state and the version it has. */
    record Versioned(long version, FederationState state) {}
}
