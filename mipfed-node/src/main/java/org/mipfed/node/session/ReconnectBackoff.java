package org.mipfed.node.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a node waits before dialling its manager again: exponential backoff with full jitter, capped. The
 * {@code k}-th attempt in a row waits a uniformly random time in {@code [0, min(cap, base·2^k)]}. A whole random
 * wait, not a fixed wait plus a little noise: when a manager restarts, all its nodes lose their sessions at the same
 * instant, and only a wait drawn over the whole window spreads their handshakes so the manager is not stormed;
 * the cap bounds how long any one node stays away once the manager is back.
 */
final class ReconnectBackoff {
    private final long baseMillis;
    private final long capMillis;
    private final RandomGenerator random;
    private int attempts;

    ReconnectBackoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseMillis = requireNonNull(base, "base is null").toMillis();
        this.capMillis = requireNonNull(cap, "cap is null").toMillis();
        this.random = requireNonNull(random, "random is null");
        if (baseMillis <= 0 || capMillis < baseMillis) {
            throw new IllegalArgumentException("need 0 < base <= cap, got base " + base + " and cap " + cap);
        }
    }

    /** The ceiling of the next wait: {@code min(cap, base·2^attempts)}. */
    long ceilingMillis() {
        // past 2^20 the product would exceed any sensible cap; stop doubling before it can overflow
        return Math.min(capMillis, baseMillis << Math.min(attempts, 20));
    }

    /** The next wait, in milliseconds, drawn over {@code [0, ceiling]}; the next ceiling doubles. */
    long nextMillis() {
        long wait = random.nextLong(ceilingMillis() + 1);
        attempts++;
        return wait;
    }

    /** After a session that lasted: the next failure starts again from the base. */
    void reset() {
        attempts = 0;
    }
}
