package org.mipfed.manager.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.manager.state.DatasetOwner;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.StateStore;
import org.mipfed.proto.v1.DataModelInfo;
import org.mipfed.proto.v1.DatasetInfo;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;

/**
 * The claims of many nodes' datasets (measured with 500 nodes, where hellos waiting for the ownership lock starved
 * their sessions' heartbeats): a hello never waits for a commit, claims are committed together, the first node to
 * announce a dataset owns it, and a node shown ready has its datasets claimed.
 */
class TestNodeRegistryClaims {
    private static final String MODEL = "dementia:0.1";

    @TempDir
    Path dir;

    @Test
    void aHelloReturnsWhileAClaimIsBeingCommittedAndTheNodeIsReadyOnlyOnceItsDatasetIsClaimed() throws Exception {
        StateStore store = store();
        NodeRegistry registry = new NodeRegistry(store);
        registry.joined("a", "host-a", "worker", "1");
        registry.joined("b", "host-b", "worker", "2");
        registry.setAvailability(List.of("all"), true);
        CountDownLatch commitHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // listeners run on the committing thread: this one holds the first claim's commit until released
        store.onChange((before, after) -> {
            if (after.datasetOwners().size() > before.datasetOwners().size() && commitHeld.getCount() > 0) {
                commitHeld.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        NodeSession a = session(registry, "a");
        registry.hello(a, hello("ds_a"));
        assertThat(commitHeld.await(60, TimeUnit.SECONDS)).isTrue();
        NodeSession b = session(registry, "b");
        // a's claim is being committed; b's hello and both sessions' heartbeats go on meanwhile
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> registry.hello(b, hello("ds_b")));
        assertThat(registry.session("a"))
                .as("a is not ready before its dataset is claimed")
                .isEmpty();
        assertThat(registry.session("b")).isEmpty();
        release.countDown();
        await(() -> registry.session("a").isPresent() && registry.session("b").isPresent());
        assertThat(registry.owner(MODEL, "ds_a")).contains("a");
        assertThat(registry.owner(MODEL, "ds_b")).contains("b");
    }

    @Test
    void hundredsOfNodesGreetingAtOnceAreClaimedInFewCommitsAndADatasetGoesToOneNode() throws Exception {
        StateStore store = store();
        NodeRegistry registry = new NodeRegistry(store);
        int n = 300;
        for (int i = 0; i < n; i++) {
            registry.joined("n" + i, "host" + i, "worker", Integer.toString(i));
        }
        registry.setAvailability(List.of("all"), true);
        AtomicInteger claimCommits = new AtomicInteger();
        store.onChange((before, after) -> {
            if (after.datasetOwners().size() > before.datasetOwners().size()) {
                claimCommits.incrementAndGet();
            }
        });
        List<NodeSession> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sessions.add(session(registry, "n" + i));
        }
        // every node announces its own dataset and one all of them share
        List<Thread> greeting = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int from = t;
            greeting.add(new Thread(() -> {
                for (int i = from; i < n; i += 4) {
                    registry.hello(sessions.get(i), hello("own" + i, "shared"));
                }
            }));
        }
        greeting.forEach(Thread::start);
        for (Thread t : greeting) {
            t.join();
        }
        await(() -> sessions.stream().allMatch(s -> registry.session(s.nodeId()).isPresent()));
        for (int i = 0; i < n; i++) {
            assertThat(registry.owner(MODEL, "own" + i)).contains("n" + i);
        }
        String sharedOwner = registry.owner(MODEL, "shared").orElseThrow();
        assertThat(registry.datasetOwners())
                .filteredOn(o -> o.dataset().equals("shared"))
                .extracting(DatasetOwner::node)
                .containsExactly(sharedOwner);
        // every other node announced "shared", which sharedOwner owns: a refused claim each, shown as a conflict
        assertThat(registry.conflicts(sharedOwner.equals("n0") ? "n1" : "n0"))
                .containsEntry(MODEL, java.util.Map.of("shared", sharedOwner));
        assertThat(claimCommits.get())
                .as("claims committed together, not one commit per node")
                .isLessThan(n / 2);
        // a reconnection of a node that owns what it announces is ready at once: no claim, no commit
        int before = claimCommits.get();
        NodeSession again = session(registry, "n7");
        registry.hello(again, hello("own7"));
        assertThat(registry.session("n7")).contains(again);
        assertThat(claimCommits.get()).isEqualTo(before);
    }

    private StateStore store() {
        return StateStore.create(
                dir.resolve("state.json"), new FederationState("w", "m", List.of(), List.of(), List.of()));
    }

    private static NodeSession session(NodeRegistry registry, String id) {
        NodeSession s = new NodeSession(id, new StreamObserver<ManagerMessage>() {
            @Override
            public void onNext(ManagerMessage value) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        registry.connected(s);
        return s;
    }

    private static NodeHello hello(String... datasets) {
        DataModelInfo.Builder model =
                DataModelInfo.newBuilder().setCode("dementia").setVersion("0.1");
        for (String d : datasets) {
            model.addDatasets(DatasetInfo.newBuilder().setCode(d));
        }
        return NodeHello.newBuilder().setHostname("h").addDataModels(model).build();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 60 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
