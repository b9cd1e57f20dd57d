package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mipfed.core.json.Json;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.users.Sessions;
import org.pcollections.PSortedMap;

/**
 * The replicated state's experiments and sessions are persistent sorted maps: a command makes a new state sharing
 * what it did not change, leaves the state before it as it was (the readable copies compare the two), and the
 * snapshot's JSON and the state digest are those of the sorted maps the state held before (one JSON object by id).
 */
class TestReplicatedStateMaps {
    @Test
    void aUserSignedOutEverywhereLosesEverySessionTheLogHoldsWhenTheSignOutAppliesButTheKeptOne() {
        ReplicatedState state = ReplicatedState.EMPTY;
        long index = 1;
        for (Sessions.Session s : List.of(
                new Sessions.Session("a1", "alice", "csrf", Instant.EPOCH),
                new Sessions.Session("a2", "alice", "csrf", Instant.EPOCH),
                new Sessions.Session("a3", "alice", "csrf", Instant.EPOCH),
                new Sessions.Session("b1", "bob", "csrf", Instant.EPOCH))) {
            state = state.apply(new StateCommand.PutSession(s), index++).state();
        }
        // a3 came through another manager: the sending manager's copy did not list it, the log applies it anyway
        ReplicatedState.Outcome keptOne = state.apply(new StateCommand.RemoveUserSessions("alice", "a2"), index++);
        assertThat(keptOne.applied()).isTrue();
        assertThat(keptOne.state().sessions()).containsOnlyKeys("a2", "b1");
        ReplicatedState.Outcome all = keptOne.state().apply(new StateCommand.RemoveUserSessions("alice", null), index);
        assertThat(all.state().sessions()).containsOnlyKeys("b1");
        ReplicatedState.Outcome none = all.state().apply(new StateCommand.RemoveUserSessions("carol", null), index + 1);
        assertThat(none.state()).as("nothing to end: the same state").isSameAs(all.state());
    }

    @Test
    void commandsLeaveTheStateBeforeThemAsItWasAndTheDigestIsTheDefinitions() throws Exception {
        StateDigest.Incremental digests = new StateDigest.Incremental();
        ReplicatedState state = ReplicatedState.EMPTY;
        assertThat(digests.of(state)).isEqualTo(StateDigest.of(state));

        List<Experiment> experiments = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            experiments.add(Experiment.pending(
                    new UUID(0, 50 - i).toString(),
                    "descriptive_stats",
                    "alice",
                    Json.mapper().readTree("{\"y\":[\"age\"],\"note\":\"é\\u2028\"}")));
        }
        List<ReplicatedState> states = new ArrayList<>();
        List<StateCommand> commands = List.of(
                new StateCommand.PutExperiments(experiments.stream()
                        .map(e -> new ExperimentLog.Run(e, "manager-a"))
                        .toList()),
                new StateCommand.PutSession(new Sessions.Session("s1", "alice", "csrf", Instant.EPOCH)),
                new StateCommand.PutExperiments(List.of(new ExperimentLog.Run(
                        experiments.get(3).running().succeeded(Json.mapper().readTree("{\"mean\":1.5}"), List.of()),
                        "manager-a"))),
                new StateCommand.InterruptExperiments(
                        List.of(new ExperimentLog.Run(experiments.get(4).interrupted("run it again"), "manager-b"))),
                new StateCommand.RemoveExperiments(List.of(experiments.get(5).id())),
                new StateCommand.ImportExperiments(List.of(
                        experiments.get(6).named("imported again: skipped, the log knows it"),
                        Experiment.pending(UUID.randomUUID().toString(), "pca", "bob", null))),
                new StateCommand.PutSession(new Sessions.Session("s0", "bob", "csrf", Instant.EPOCH)),
                new StateCommand.RemoveSessions(List.of("s1", "unknown")));
        long index = 1;
        for (StateCommand command : commands) {
            String jsonBefore = Json.mapper().writeValueAsString(state);
            ReplicatedState.Outcome outcome = state.apply(command, index++);
            assertThat(outcome.applied()).as(command.toString()).isTrue();
            // the state before the command is unchanged: same JSON, same digest
            assertThat(Json.mapper().writeValueAsString(state)).isEqualTo(jsonBefore);
            states.add(state);
            state = outcome.state();
            assertThat(state.experiments()).isInstanceOf(PSortedMap.class);
            if (command instanceof StateCommand.PutSession) {
                // a command that changes no experiment shares the map: nothing copied
                assertThat(state.experiments())
                        .isSameAs(states.get(states.size() - 1).experiments());
            }
            assertThat(state.sessions()).isInstanceOf(PSortedMap.class);
            assertThat(digests.of(state)).as(command.toString()).isEqualTo(StateDigest.of(state));
        }
        // every earlier state still has its own digest (a cache kept by id must not mix states up)
        for (ReplicatedState earlier : states) {
            assertThat(digests.of(earlier)).isEqualTo(StateDigest.of(earlier));
        }

        assertThat(state.experiments()).hasSize(50);
        assertThat(state.experiments().get(experiments.get(3).id()).experiment().status())
                .isEqualTo(Experiment.SUCCESS);
        assertThat(state.experiments().get(experiments.get(4).id()).manager())
                .as("an interruption keeps the manager the log names")
                .isEqualTo("manager-a");
        assertThat(state.experiments().get(experiments.get(6).id()).experiment().name())
                .isNull();
        assertThat(state.experiments()).doesNotContainKey(experiments.get(5).id());
        assertThat(state.sessions()).containsOnlyKeys("s0");
        assertThat(new ArrayList<>(state.experiments().keySet())).isSorted();

        // the snapshot's JSON: read back, the same state, written the same, same digest
        byte[] snapshot = Json.mapper().writeValueAsBytes(state);
        ReplicatedState loaded = Json.mapper().readValue(snapshot, ReplicatedState.class);
        assertThat(loaded.experiments()).isInstanceOf(PSortedMap.class);
        assertThat(Json.mapper().writeValueAsBytes(loaded)).isEqualTo(snapshot);
        assertThat(StateDigest.of(loaded)).isEqualTo(StateDigest.of(state));
        assertThat(Json.mapper().readTree(snapshot).path("experiments").isObject())
                .isTrue();
        assertThat(Json.mapper()
                        .readTree(snapshot)
                        .path("sessions")
                        .path("s0")
                        .path("username")
                        .asText())
                .isEqualTo("bob");
    }

    @Test
    void aSnapshotWrittenBeforeThePersistentMapsLoadsAsItWas() throws Exception {
        // the shape an older manager wrote: the maps as JSON objects by key (a java.util.TreeMap's order)
        String older = "{\"version\":3,\"federation\":null,\"usersVersion\":0,\"users\":null,"
                + "\"sessions\":{\"a\":{\"id\":\"a\",\"username\":\"alice\",\"csrfToken\":\"c\","
                + "\"lastSeen\":\"1970-01-01T00:00:00Z\"}},"
                + "\"experiments\":{\"00000000-0000-0000-0000-000000000001\":{\"experiment\":{"
                + "\"id\":\"00000000-0000-0000-0000-000000000001\",\"algorithm\":\"pca\",\"user\":\"bob\","
                + "\"request\":null,\"status\":\"running\",\"result\":null,\"error\":null,\"contributions\":[],"
                + "\"created\":\"1970-01-01T00:00:00Z\",\"started\":null,\"finished\":null,\"name\":null},"
                + "\"manager\":\"manager-a\"}},\"ca\":null,\"audit\":null}";
        ReplicatedState loaded = Json.mapper().readValue(older, ReplicatedState.class);
        assertThat(loaded.experiments()).hasSize(1);
        assertThat(loaded.sessions()).containsOnlyKeys("a");
        assertThat(Json.mapper().writeValueAsString(loaded)).isEqualTo(older);
        assertThat(new StateDigest.Incremental().of(loaded)).isEqualTo(StateDigest.of(loaded));
    }
}
