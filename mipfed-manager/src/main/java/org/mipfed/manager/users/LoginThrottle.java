package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Slows down password guessing without giving a stranger a way to lock anyone out.
 *
 * <ul>
 *   <li>Failures are counted per (user name, address): after {@link #FREE_FAILURES}, every further attempt of that
 *       pair waits {@link #FIRST_WAIT}, doubled at each failure up to {@link #MAX_WAIT}. An attacker guessing the
 *       admin's password from one address slows only themselves: the admin signs in from their own address.</li>
 *   <li>Failures are also counted per address across all names (password spraying), with
 *       {@link #FREE_FAILURES_PER_ADDRESS} free ones. IPv6 addresses count by their /64, which one host can fill.</li>
 *   <li>An attempt is counted <em>before</em> its password is checked ({@link #begin}), atomically for both
 *       counters: forty simultaneous guesses get {@link #FREE_FAILURES} checks, not forty. A right password then
 *       clears the pair and gives back its place in the address count; a check that did not run gives back both.</li>
 * </ul>
 * Unknown and known names are counted alike, so the throttle says nothing about which names exist. Wrong
 * "current" passwords on a password change go through the same counters. When a wait starts, {@link Lockouts}
 * hears of it (the audit trail and the alert counter).
 */
public final class LoginThrottle {
    /** Failures per (user name, address) before attempts must wait. */
    public static final int FREE_FAILURES = 5;
    /** Failures per address, over every name, before attempts must wait. */
    public static final int FREE_FAILURES_PER_ADDRESS = 20;

    public static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    public static final Duration MAX_WAIT = Duration.ofMinutes(15);
    /** A pair's failures are forgotten this long after its last one (a right password forgets them at once). */
    static final Duration FORGET_PAIR = Duration.ofHours(24);
    /** An address's failures are forgotten this long after its last one. */
    static final Duration FORGET_ADDRESS = Duration.ofHours(1);
    /** Bounds the memory an attacker can make us spend on names and addresses; the least recently used go first. */
    private static final int MAX_KEYS = 100_000;

    /** Hears when attempts start to wait: who, from where, after how many counted failures, for how long. */
    @FunctionalInterface
    public interface Lockouts {
        /** @param username the name tried, or null when the address as a whole must wait */
        void started(String username, String address, int failures, Duration wait);
    }

    /** Failures counted under one key; guarded by the throttle's lock. */
    private static final class Counter {
        private int failures;
        private Instant last;
        /** The failure count last reported to {@link Lockouts}, so that one wait is reported once. */
        private int reported;
    }

    private final Map<String, Counter> counters = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
            return size() > MAX_KEYS;
        }
    };
    private final Clock clock;
    private final Lockouts lockouts;

    public LoginThrottle(Lockouts lockouts) {
        this(Clock.systemUTC(), lockouts);
    }

    LoginThrottle(Clock clock, Lockouts lockouts) {
        this.clock = requireNonNull(clock, "clock is null");
        this.lockouts = requireNonNull(lockouts, "lockouts is null");
    }

    /**
     * Counts an attempt of {@code username} from {@code address} before its password is checked; the caller then
     * reports how it ended on the returned {@link Attempt}.
     *
     * @throws TryLater (429) while this pair or this address must wait
     */
    public Attempt begin(String username, String address) {
        String pairKey = pairKey(username, address);
        String addressKey = addressKey(address);
        synchronized (this) {
            Instant now = clock.instant();
            Counter pair = counter(pairKey, now, FORGET_PAIR);
            Counter from = counter(addressKey, now, FORGET_ADDRESS);
            Duration pairWait = remaining(pair, FREE_FAILURES, now);
            Duration addressWait = remaining(from, FREE_FAILURES_PER_ADDRESS, now);
            if (!pairWait.isZero() || !addressWait.isZero()) {
                boolean byPair = pairWait.compareTo(addressWait) >= 0;
                throw new TryLater(
                        (byPair
                                        ? "There were too many wrong passwords for this user name from your address"
                                        : "There were too many failed sign-ins from your address")
                                + "; wait before trying again (the wait doubles with each further failure, up to "
                                + MAX_WAIT.toMinutes() + " minutes).",
                        byPair ? pairWait : addressWait);
            }
            pair.failures++;
            pair.last = now;
            from.failures++;
            from.last = now;
            return new Attempt(username, address, pair, from);
        }
    }

    /** One counted attempt; exactly one of its methods is called once its password has been checked (or not). */
    public final class Attempt {
        private final String username;
        private final String address;
        private final Counter pair;
        private final Counter from;

        private Attempt(String username, String address, Counter pair, Counter from) {
            this.username = username;
            this.address = address;
            this.pair = pair;
            this.from = from;
        }

        /** The password was right: the pair starts afresh; the address gets its place back, nothing more. */
        public void succeeded() {
            synchronized (LoginThrottle.this) {
                pair.failures = 0;
                pair.reported = 0;
                from.failures = Math.max(0, from.failures - 1);
            }
        }

        /** The password was wrong (already counted): the wait, if any, runs from now, and its start is reported. */
        public void failed() {
            Instant now = clock.instant();
            int pairFailures = 0;
            int addressFailures = 0;
            synchronized (LoginThrottle.this) {
                pair.last = now;
                from.last = now;
                if (pair.failures >= FREE_FAILURES && pair.failures > pair.reported) {
                    pair.reported = pair.failures;
                    pairFailures = pair.failures;
                }
                if (from.failures >= FREE_FAILURES_PER_ADDRESS && from.failures > from.reported) {
                    from.reported = from.failures;
                    addressFailures = from.failures;
                }
            }
            if (pairFailures > 0) {
                lockouts.started(username, address, pairFailures, backoff(pairFailures, FREE_FAILURES));
            }
            if (addressFailures > 0) {
                lockouts.started(null, address, addressFailures, backoff(addressFailures, FREE_FAILURES_PER_ADDRESS));
            }
        }

        /** No password was checked (say, every check was busy): the attempt gives back what it counted. */
        public void notChecked() {
            synchronized (LoginThrottle.this) {
                pair.failures = Math.max(0, pair.failures - 1);
                from.failures = Math.max(0, from.failures - 1);
            }
        }
    }

    private Counter counter(String key, Instant now, Duration forgetAfter) {
        Counter c = counters.get(key);
        if (c == null || c.last.plus(forgetAfter).isBefore(now)) {
            c = new Counter();
            c.last = now;
            counters.put(key, c);
        }
        return c;
    }

    private static Duration remaining(Counter c, int free, Instant now) {
        if (c.failures < free) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, c.last.plus(backoff(c.failures, free)));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** {@link #FIRST_WAIT} after {@code free} failures, doubled with each further one, at most {@link #MAX_WAIT}. */
    static Duration backoff(int failures, int free) {
        int doublings = Math.min(30, failures - free);
        Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
        return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    }

    private static String pairKey(String username, String address) {
        return "pair:" + (username == null ? "" : username.toLowerCase(Locale.ROOT)) + "\n" + network(address);
    }

    private static String addressKey(String address) {
        return "addr:" + network(address);
    }

    /** An IPv4 address as it is; an IPv6 address by its /64 (one host usually holds a whole /64). */
    static String network(String address) {
        if (address == null
                || address.indexOf(':') < 0
                || !address.matches("\\[?[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?]?")) {
            return String.valueOf(address);
        }
        try {
            // a literal is parsed, never looked up
            byte[] bytes = InetAddress.getByName(
                            address.startsWith("[") ? address.substring(1, address.length() - 1) : address)
                    .getAddress();
            return bytes.length == 16
                    ? HexFormat.of().formatHex(Arrays.copyOf(bytes, 8)) + "::/64"
                    : InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException | StringIndexOutOfBoundsException e) {
            return address;
        }
    }
}
