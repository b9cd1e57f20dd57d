package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

/**
 * A refusal that ends by itself ({@code too_many_requests}, 429): the API answers it with a {@code Retry-After} header of
 * {@link #retryAfterSeconds()}. Used when sign-in backs off after failures and when password checks are
 * all busy; neither says anything about whether the user exists or what the password was.
 */
public final class TryLater extends Problem {
    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public TryLater(String detail, Duration retryAfter) {
        super(ProblemType.TOO_MANY_REQUESTS, detail);
        requireNonNull(retryAfter, "retryAfter is null");
        this.retryAfterSeconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    /** Whole seconds, at least 1, rounded up so that a client waiting that long is not refused again. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
