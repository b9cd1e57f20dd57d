package org.mipfed.manager.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;

class TestExperimentStore {
    @TempDir
    Path dir;

    private static Experiment finished(String algorithm) {
        Experiment pending = Experiment.pending(
                UUID.randomUUID().toString(),
                algorithm,
                "admin",
                Json.mapper().createObjectNode().put("algorithm", algorithm));
        return pending.running()
                .succeeded(
                        Json.mapper().createObjectNode().put("n_obs", 42),
                        List.of(new Experiment.Contribution("chuv", List.of("edsd0"), 42L)));
    }

    @Test
    void aRecordedExperimentIsSeenByTheNextReadAndSurvivesARestart() {
        Experiment e = finished("linear_regression");
        try (ExperimentStore store = new ExperimentStore(dir)) {
            store.record(e);
            assertThat(store.get(e.id())).hasValueSatisfying(read -> {
                assertThat(read.status()).isEqualTo(Experiment.SUCCESS);
                assertThat(read.result().path("n_obs").asInt()).isEqualTo(42);
            });
        }
        try (ExperimentStore reopened = new ExperimentStore(dir)) {
            assertThat(reopened.list()).extracting(Experiment::id).containsExactly(e.id());
            assertThat(reopened.get(e.id()).orElseThrow().contributions())
                    .extracting(Experiment.Contribution::rows)
                    .containsExactly(42L);
        }
    }

    /**
     * On the managers' log each batch is one commit, so records that come a few milliseconds apart share one: at most
     * one batch per {@link ExperimentStore#MIN_INTERVAL_MILLIS} (plus the first), and every record is committed. The
     * bound is counted from the time the records took to hand over, so it holds on a slow machine too.
     */
    @Test
    void aReplicatedStoreCommitsRecordsThatComeTogetherInFewEntries() {
        CountingLog log = new CountingLog();
        List<Experiment> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(finished("linear_regression"));
        }
        long started = System.nanoTime();
        try (ExperimentStore store = ExperimentStore.replicated(dir, log)) {
            for (Experiment e : all) {
                store.record(e);
                assertThat(store.get(e.id())).isPresent();
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(log.committed.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        all.stream().map(Experiment::id).toList());
        assertThat(log.entries.size()).isLessThanOrEqualTo(2 + (int) (millis / ExperimentStore.MIN_INTERVAL_MILLIS));
        assertThat(log.entries.size()).isLessThan(all.size() / 2);
    }

    /** The managers' log as the store sees it, in memory: what was committed, and in how many entries. */
    private static final class CountingLog implements ExperimentLog {
        final Map<String, Run> committed = new ConcurrentHashMap<>();
        final List<Integer> entries = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, Run> experiments() {
            return Map.copyOf(committed);
        }

        @Override
        public void putExperiments(List<Experiment> experiments) {
            entries.add(experiments.size());
            experiments.forEach(e -> committed.put(e.id(), new Run(e, self())));
        }

        @Override
        public void putRuns(List<Run> runs) {
            entries.add(runs.size());
            runs.forEach(r -> committed.put(r.experiment().id(), r));
        }

        @Override
        public void interruptExperiments(List<Run> runs) {
            entries.add(runs.size());
            runs.forEach(r -> committed.computeIfPresent(
                    r.experiment().id(), (id, now) -> now.experiment().unfinished() ? r : now));
        }

        @Override
        public void importExperiments(List<Experiment> experiments) {
            experiments.forEach(e -> committed.putIfAbsent(e.id(), new Run(e, null)));
        }

        @Override
        public void removeExperiments(Collection<String> ids) {
            ids.forEach(committed::remove);
        }

        @Override
        public String self() {
            return "manager-1";
        }
    }

    @Test
    void closeWritesEveryQueuedRecordFromManyThreadsAndLeavesNoTemporaryFile() throws Exception {
        List<String> ids = new ArrayList<>();
        ExperimentStore store = new ExperimentStore(dir);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Experiment> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            all.add(finished("pca"));
        }
        all.forEach(x -> ids.add(x.id()));
        all.forEach(x -> clients.execute(() -> store.record(x)));
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        store.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .hasSize(400)
                    .allMatch(n -> n.endsWith(".json") && !n.startsWith("."));
        }
        try (ExperimentStore reopened = new ExperimentStore(dir)) {
            assertThat(reopened.list()).extracting(Experiment::id).containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void savedStatesAreOnDiskWhenSaveReturnsAndDeleteSeesQueuedRecords() throws Exception {
        try (ExperimentStore store = new ExperimentStore(dir)) {
            Experiment pending = Experiment.pending(
                    UUID.randomUUID().toString(),
                    "kmeans",
                    "admin",
                    Json.mapper().createObjectNode());
            store.save(pending);
            assertThat(Json.mapper()
                            .readTree(dir.resolve(pending.id() + ".json").toFile())
                            .path("status")
                            .asText())
                    .isEqualTo(Experiment.PENDING);
            Experiment recorded = finished("kmeans");
            store.record(recorded);
            assertThat(store.delete(recorded.id())).isTrue();
            assertThat(store.get(recorded.id())).isEmpty();
            assertThat(store.interruptUnfinished("stopped")).isEqualTo(1);
            assertThat(store.get(pending.id()).orElseThrow().status()).isEqualTo(Experiment.INTERRUPTED);
        }
    }

    @Test
    void listComesFromMemoryWithoutResultsAndSkipsAnUnreadableFile() throws Exception {
        Experiment first = finished("pca");
        Experiment second = finished("kmeans");
        Experiment gone = finished("linear_regression");
        Experiment pending = Experiment.pending(
                UUID.randomUUID().toString(),
                "anova",
                "alice",
                Json.mapper().createObjectNode().put("x", 1));
        try (ExperimentStore store = new ExperimentStore(dir)) {
            store.record(first);
            Thread.sleep(5);
            store.record(second);
            store.record(gone);
            assertThat(store.delete(gone.id())).isTrue();
            Thread.sleep(5);
            store.save(pending);
            assertThat(store.list()).extracting(Experiment::id).containsExactly(pending.id(), second.id(), first.id());
        }
        Files.writeString(dir.resolve(UUID.randomUUID() + ".json"), "{\"id\": \"cut off by a full disk");
        try (ExperimentStore reopened = new ExperimentStore(dir)) {
            List<Experiment> listed = reopened.list();
            assertThat(listed).extracting(Experiment::id).containsExactly(pending.id(), second.id(), first.id());
            // the results stay on disk; the requests (a few hundred bytes) stay so that History shows the variables
            assertThat(listed).allSatisfy(e -> assertThat(e.result()).isNull());
            assertThat(listed.get(0).request()).isEqualTo(pending.request());
            assertThat(listed.get(0).status()).isEqualTo(Experiment.PENDING);
            assertThat(listed.get(0).user()).isEqualTo("alice");
            assertThat(listed.get(1).contributions())
                    .extracting(Experiment.Contribution::rows)
                    .containsExactly(42L);
            assertThat(reopened.get(second.id())
                            .orElseThrow()
                            .result()
                            .path("n_obs")
                            .asInt())
                    .isEqualTo(42);
            // Interrupting keeps the request, which the list does not hold.
            assertThat(reopened.interruptUnfinished("stopped")).isEqualTo(1);
            assertThat(reopened.get(pending.id())
                            .orElseThrow()
                            .request()
                            .path("x")
                            .asInt())
                    .isEqualTo(1);
            assertThat(reopened.list().get(0).status()).isEqualTo(Experiment.INTERRUPTED);
        }
    }
}
