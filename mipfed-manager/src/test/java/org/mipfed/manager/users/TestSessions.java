package org.mipfed.manager.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TestSessions {
    private final MutableClock clock = new MutableClock();
    private final Sessions sessions = new Sessions(clock);

    @Test
    void aSessionEndsAfterEightHoursWithoutARequest() {
        Sessions.Session session = sessions.create("alice");
        assertThat(session.id()).hasSize(43).isNotEqualTo(session.csrfToken());
        clock.advance(Duration.ofHours(7));
        assertThat(sessions.find(session.id())).isPresent();
        // each request restarts the idle time
        clock.advance(Duration.ofHours(7));
        assertThat(sessions.find(session.id())).isPresent();
        clock.advance(Sessions.IDLE_TIMEOUT.plusSeconds(1));
        assertThat(sessions.find(session.id())).isEmpty();
    }

    @Test
    void aUserCanBeSignedOutEverywhereButHere() {
        Sessions.Session here = sessions.create("alice");
        Sessions.Session there = sessions.create("alice");
        Sessions.Session bob = sessions.create("bob");
        sessions.removeUser("alice", here.id());
        assertThat(sessions.find(here.id())).isPresent();
        assertThat(sessions.find(there.id())).isEmpty();
        assertThat(sessions.find(bob.id())).isPresent();
        assertThat(sessions.find("made-up")).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
    }
}
