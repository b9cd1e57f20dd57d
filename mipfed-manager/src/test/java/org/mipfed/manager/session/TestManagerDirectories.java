package org.mipfed.manager.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeSession;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.proto.v1.ManagerDirectory;
import org.mipfed.proto.v1.ManagerMessage;

/** The managers' directory: what a state gives, and how a change of the list reaches the connected nodes. */
class TestManagerDirectories {
    private static final ManagerRecord SELF = new ManagerRecord("manager-1", "10.0.0.1:2377", "10.0.0.1:9090");

    @TempDir
    Path dir;

    /** A node's outbound stream that keeps what the manager sends. */
    static final class Recorder implements StreamObserver<ManagerMessage> {
        final List<ManagerMessage> sent = new CopyOnWriteArrayList<>();

        @Override
        public void onNext(ManagerMessage value) {
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}

        List<ManagerDirectory> directories() {
            return sent.stream()
                    .filter(ManagerMessage::hasDirectory)
                    .map(ManagerMessage::getDirectory)
                    .toList();
        }
    }

    private static List<String> addresses(ManagerDirectory d) {
        return d.getManagersList().stream().map(m -> m.getAddress()).toList();
    }

    @Test
    void aStateWrittenBeforeTheListExistedLoadsAndNamesThisManagerAlone() throws Exception {
        // state.json as managers wrote it before the list: no "managers", no "managersVersion"
        Files.writeString(dir.resolve("state.json"), """
                {"workerSecret": "w", "managerSecret": "m", "nodes": [], "removedSerials": [], "datasetOwners": []}
                """, StandardCharsets.UTF_8);
        StateStore store = StateStore.load(dir.resolve("state.json"));
        assertThat(store.get().managers()).isEmpty();
        assertThat(store.get().managersVersion()).isZero();
        ManagerDirectory d = new ManagerDirectories(store, () -> SELF).current();
        assertThat(d.getVersion()).isZero();
        assertThat(d.getManagersList()).hasSize(1);
        assertThat(d.getManagers(0).getId()).isEqualTo("manager-1");
        assertThat(d.getManagers(0).getAddress()).isEqualTo("10.0.0.1:2377");
        assertThat(d.getManagers(0).getHttpAddress()).isEqualTo("10.0.0.1:9090");
    }

    @Test
    void everyChangeOfTheListBumpsItsVersionAndSurvivesOtherChangesAndARestart() {
        StateStore store = StateStore.create(
                dir.resolve("state.json"), new FederationState("w", "m", List.of(), List.of(), List.of()));
        List<ManagerRecord> three = List.of(
                SELF,
                new ManagerRecord("manager-2", "10.0.0.2:2377", "10.0.0.2:9090"),
                new ManagerRecord("manager-3", "10.0.0.3:2377", ""));
        store.update(s -> s.withManagers(three));
        store.update(s -> s.withSecrets("w2", "m2"));
        store.update(s -> s.withNodes(List.of()));
        store.update(s -> s.withMembership(List.of(), List.of("abc"), List.of()));
        FederationState reloaded = StateStore.load(dir.resolve("state.json")).get();
        assertThat(reloaded.managers()).isEqualTo(three);
        assertThat(reloaded.managersVersion()).isEqualTo(1);
        assertThat(reloaded.withManagers(three.subList(0, 2)).managersVersion()).isEqualTo(2);
        assertThat(ManagerDirectories.of(reloaded, SELF).getManagersList()).hasSize(3);
    }

    @Test
    void aChangeOfTheListIsSentToEveryConnectedNodeAndOtherChangesAreNot() {
        StateStore store = StateStore.create(
                dir.resolve("state.json"), new FederationState("w", "m", List.of(), List.of(), List.of()));
        NodeRegistry registry = new NodeRegistry(store);
        ManagerDirectories directories = new ManagerDirectories(store, () -> SELF);
        directories.followChanges(registry);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        registry.connected(new NodeSession("node-1", first));
        registry.connected(new NodeSession("node-2", second));

        store.update(s -> s.withSecrets("w2", "m2"));
        assertThat(first.sent).isEmpty();

        ManagerRecord other = new ManagerRecord("manager-2", "10.0.0.2:2377", "10.0.0.2:9090");
        store.update(s -> s.withManagers(List.of(SELF, other)));
        store.update(s -> s.withManagers(List.of(other)));
        for (Recorder node : List.of(first, second)) {
            assertThat(node.directories()).hasSize(2);
            assertThat(node.directories().get(0).getVersion()).isEqualTo(1);
            assertThat(addresses(node.directories().get(0))).containsExactly("10.0.0.1:2377", "10.0.0.2:2377");
            assertThat(node.directories().get(1).getVersion()).isEqualTo(2);
            assertThat(addresses(node.directories().get(1))).containsExactly("10.0.0.2:2377");
        }
    }

    @Test
    void anIpv6HostIsBracketed() {
        assertThat(ManagerDirectories.hostPort("::1", 2377)).isEqualTo("[::1]:2377");
        assertThat(ManagerDirectories.hostPort("[::1]", 2377)).isEqualTo("[::1]:2377");
        assertThat(ManagerDirectories.hostPort("manager.example.org", 2377)).isEqualTo("manager.example.org:2377");
    }
}
