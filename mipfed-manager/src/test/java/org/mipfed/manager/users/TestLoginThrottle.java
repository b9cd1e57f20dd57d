package org.mipfed.manager.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestLoginThrottle {
    private final MutableClock clock = new MutableClock();
    private final List<String> lockouts = new ArrayList<>();
    private final LoginThrottle throttle = new LoginThrottle(
            clock,
            (user, address, failures, wait) ->
                    lockouts.add(user + "@" + address + " " + failures + " " + wait.toSeconds() + "s"));

    private void fail(String user, String address) {
        throttle.begin(user, address).failed();
    }

    private long retryAfter(String user, String address) {
        try {
            throttle.begin(user, address).notChecked();
            return 0;
        } catch (TryLater refused) {
            assertThat(refused.status()).isEqualTo(429);
            return refused.retryAfterSeconds();
        }
    }

    @Test
    void afterFiveFailuresAPairWaitsOneSecondThenTwiceAsLongAfterEachFurtherFailure() {
        for (int i = 0; i < 5; i++) {
            fail("alice", "192.0.2.7");
        }
        assertThat(retryAfter("Alice", "192.0.2.7")).isEqualTo(1);
        assertThat(lockouts).containsExactly("alice@192.0.2.7 5 1s");
        clock.advance(Duration.ofSeconds(1));
        fail("alice", "192.0.2.7");
        assertThat(retryAfter("alice", "192.0.2.7")).isEqualTo(2);
        for (int wait = 2; wait < 2048; wait *= 2) {
            clock.advance(Duration.ofSeconds(wait));
            fail("alice", "192.0.2.7");
        }
        assertThat(retryAfter("alice", "192.0.2.7")).isEqualTo(LoginThrottle.MAX_WAIT.toSeconds());
        assertThat(lockouts).hasSize(12).last().asString().isEqualTo("alice@192.0.2.7 16 900s");
    }

    @Test
    void aStrangerCannotLockAUserOutOfTheirOwnAddress() {
        for (int i = 0; i < 50; i++) {
            try {
                fail("admin", "203.0.113.66");
            } catch (TryLater refused) {
                clock.advance(Duration.ofSeconds(refused.retryAfterSeconds()));
            }
        }
        try {
            fail("admin", "203.0.113.66");
        } catch (TryLater refused) {
            // already waiting
        }
        assertThat(retryAfter("admin", "203.0.113.66")).isPositive();
        LoginThrottle.Attempt own = throttle.begin("admin", "192.0.2.1");
        own.succeeded();
    }

    @Test
    void twentyFailuresFromAnAddressOverManyNamesMakeEveryNameFromThereWait() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_ADDRESS; i++) {
            fail("user" + i, "192.0.2.7");
        }
        assertThat(retryAfter("someone-else", "192.0.2.7")).isEqualTo(1);
        assertThat(retryAfter("someone-else", "192.0.2.8")).isZero();
        assertThat(lockouts).containsExactly("null@192.0.2.7 20 1s");
    }

    @Test
    void aRightPasswordClearsThePairButGivesTheAddressBackOnlyItsOwnPlace() {
        for (int i = 0; i < 4; i++) {
            fail("alice", "192.0.2.7");
        }
        throttle.begin("alice", "192.0.2.7").succeeded();
        for (int i = 0; i < 4; i++) {
            fail("alice", "192.0.2.7");
        }
        assertThat(retryAfter("alice", "192.0.2.7")).isZero();
        // a valid account does not reset the address: spraying other names still counts up to the limit
        for (int i = 8; i < LoginThrottle.FREE_FAILURES_PER_ADDRESS; i++) {
            fail("user" + i, "192.0.2.7");
            if (i < LoginThrottle.FREE_FAILURES_PER_ADDRESS - 1) {
                throttle.begin("alice", "192.0.2.7").succeeded();
            }
        }
        assertThat(retryAfter("carol", "192.0.2.7")).isEqualTo(1);
    }

    @Test
    void failuresAreForgottenADayAfterTheLast() {
        for (int i = 0; i < 5; i++) {
            fail("alice", "192.0.2.7");
        }
        clock.advance(Duration.ofHours(24).plusSeconds(1));
        for (int i = 0; i < 4; i++) {
            fail("alice", "192.0.2.7");
        }
        assertThat(retryAfter("alice", "192.0.2.7")).isZero();
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        for (int i = 0; i < 5; i++) {
            fail("alice", "2001:db8:1:2::" + Integer.toHexString(i + 1));
        }
        assertThat(retryAfter("alice", "2001:db8:1:2:ffff::9")).isEqualTo(1);
        assertThat(retryAfter("alice", "2001:db8:1:3::1")).isZero();
        assertThat(LoginThrottle.network("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
    }

    /** Counted before the check: of forty simultaneous guesses, only the free ones get a check. */
    @Test
    void simultaneousAttemptsAreCountedBeforeAnyIsChecked() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch checking = new CountDownLatch(1);
            List<Future<Boolean>> admitted = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                admitted.add(pool.submit(() -> {
                    start.await();
                    LoginThrottle.Attempt attempt;
                    try {
                        attempt = throttle.begin("admin", "192.0.2.7");
                    } catch (TryLater refused) {
                        return false;
                    }
                    // every admitted check is still running while the others arrive
                    checking.await(10, TimeUnit.SECONDS);
                    attempt.failed();
                    return true;
                }));
            }
            start.countDown();
            Thread.sleep(500);
            checking.countDown();
            long checked = 0;
            for (Future<Boolean> f : admitted) {
                checked += f.get() ? 1 : 0;
            }
            assertThat(checked).isEqualTo(LoginThrottle.FREE_FAILURES);
            assertThat(lockouts).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCheckThatDidNotRunGivesItsCountBack() {
        for (int i = 0; i < 20; i++) {
            throttle.begin("alice", "192.0.2.7").notChecked();
        }
        assertThat(retryAfter("alice", "192.0.2.7")).isZero();
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 6; i++) {
                        fail("alice", "192.0.2.7");
                    }
                })
                .isInstanceOf(TryLater.class)
                .hasMessageContaining("too many wrong passwords for this user name from your address");
    }
}
