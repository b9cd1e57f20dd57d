package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing: after {@link #MAX_FAILURES} failed sign-ins for one user name, or from one address,
 * within {@link #WINDOW}, further attempts are refused until the oldest of those failures is older than the window.
 */
public final class LoginThrottle {
    public static final int MAX_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    /** Bounds the memory an attacker can make us spend on names and addresses. */
    private static final int MAX_KEYS = 100_000;

    private final Map<String, Deque<Instant>> failures = new HashMap<>();
    private final Clock clock;

    public LoginThrottle() {
        this(Clock.systemUTC());
    }

    LoginThrottle(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** How long the caller must wait before trying again, or empty when they may try now. */
    public synchronized Optional<Duration> retryAfter(String username, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        for (String key : new String[] {userKey(username), addressKey(address)}) {
            Deque<Instant> list = prune(key, now);
            if (list != null && list.size() >= MAX_FAILURES) {
                Duration d = Duration.between(now, list.peekFirst().plus(WINDOW));
                wait = d.compareTo(wait) > 0 ? d : wait;
            }
        }
        return wait.isZero() || wait.isNegative() ? Optional.empty() : Optional.of(wait);
    }

    public synchronized void failed(String username, String address) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_KEYS) {
            failures.values().removeIf(list -> dropOld(list, now));
        }
        failures.computeIfAbsent(userKey(username), k -> new ArrayDeque<>()).addLast(now);
        failures.computeIfAbsent(addressKey(address), k -> new ArrayDeque<>()).addLast(now);
    }

    /** A right password clears the failures counted against that user name (not those of the address). */
    public synchronized void succeeded(String username) {
        failures.remove(userKey(username));
    }

    private Deque<Instant> prune(String key, Instant now) {
        Deque<Instant> list = failures.get(key);
        if (list == null) {
            return null;
        }
        if (dropOld(list, now)) {
            failures.remove(key);
            return null;
        }
        return list;
    }

    /** Drops failures older than the window; true when none is left. */
    private static boolean dropOld(Deque<Instant> list, Instant now) {
        while (!list.isEmpty() && list.peekFirst().plus(WINDOW).isBefore(now)) {
            list.removeFirst();
        }
        return list.isEmpty();
    }

    private static String userKey(String username) {
        return "user:" + (username == null ? "" : username.toLowerCase(Locale.ROOT));
    }

    private static String addressKey(String address) {
        return "addr:" + address;
    }
}
