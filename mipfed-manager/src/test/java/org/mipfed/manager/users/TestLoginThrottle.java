package org.mipfed.manager.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TestLoginThrottle {
    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void fiveFailuresForANameBlockItUntilTheOldestIsFifteenMinutesOld() {
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.retryAfter("alice", "10.0.0." + i)).isEmpty();
            throttle.failed("alice", "10.0.0." + i);
            clock.advance(Duration.ofMinutes(1));
        }
        // the first failure was 5 minutes ago: 10 minutes to wait
        assertThat(throttle.retryAfter("Alice", "10.0.0.99")).contains(Duration.ofMinutes(10));
        assertThat(throttle.retryAfter("bob", "10.0.0.99")).isEmpty();
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertThat(throttle.retryAfter("alice", "10.0.0.99")).isEmpty();
    }

    @Test
    void fiveFailuresFromAnAddressBlockEveryName() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("user" + i, "192.0.2.7");
        }
        assertThat(throttle.retryAfter("someone-else", "192.0.2.7")).contains(LoginThrottle.WINDOW);
        assertThat(throttle.retryAfter("someone-else", "192.0.2.8")).isEmpty();
    }

    @Test
    void aRightPasswordClearsTheNamesFailuresButNotTheAddresses() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "192.0.2.7");
        }
        throttle.succeeded("alice");
        throttle.failed("alice", "192.0.2.9");
        assertThat(throttle.retryAfter("alice", "192.0.2.9")).isEmpty();
        throttle.failed("carol", "192.0.2.7");
        assertThat(throttle.retryAfter("carol", "192.0.2.7")).isPresent();
    }
}
