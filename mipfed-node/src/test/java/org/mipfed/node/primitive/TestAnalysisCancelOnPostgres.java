package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mipfed.node.primitive.PrimitiveQueries.describe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mipfed.node.store.NeedsPostgres;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;

@NeedsPostgres
class TestAnalysisCancelOnPostgres extends AbstractAnalysisCancelTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }

    @Override
    String queryRunningForHours() {
        return "SELECT pg_sleep(36000)";
    }

    /**
     * A real primitive kept waiting by the store (another session holds the data table locked, as a long import or a
     * vacuum would): the cancel of its analysis stops it on the server, it answers {@code cancelled}, and the cancel's
     * audit line counts it as interrupted.
     */
    @Test
    void aPrimitiveWaitingInTheStoreIsStoppedByTheCancelOfItsAnalysis() throws Exception {
        String schema = store.withConnection(c -> {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT current_schema()")) {
                r.next();
                return r.getString(1);
            }
        });
        try (Connection locker = DriverManager.getConnection(TestStore.withSchema(schema))) {
            locker.setAutoCommit(false);
            try (Statement lock = locker.createStatement()) {
                lock.execute("LOCK TABLE data_dementia_0_1 IN ACCESS EXCLUSIVE MODE");
            }
            PrimitiveRequest request = PrimitiveRequest.newBuilder()
                    .setRequestId("waiting-primitive")
                    .setRequester("rita")
                    .setAnalysisId("analysis-to-stop")
                    .setQuery(describe(DATASETS, null, List.of("rightamygdala"), List.of("gender")))
                    .build();
            CompletableFuture<PrimitiveResponse> answer =
                    CompletableFuture.supplyAsync(() -> guarded.answer(request, "CN=manager"));
            awaitWaitingForTheLock(locker);
            assertThat(answer).isNotDone();
            assertThat(guarded.cancel("analysis-to-stop", "rita", "CN=manager")).isEqualTo(1);
            PrimitiveResponse response = answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(response.getRefusal().getRule()).isEqualTo(RefusalException.CANCELLED);
            locker.rollback();
        }
        assertThat(auditLines())
                .anySatisfy(line -> {
                    assertThat(line.path("event").asText()).isEqualTo("analysis_cancel");
                    assertThat(line.path("analysis_id").asText()).isEqualTo("analysis-to-stop");
                    assertThat(line.path("interrupted").asInt()).isEqualTo(1);
                })
                .anySatisfy(line -> {
                    assertThat(line.path("request_id").asText()).isEqualTo("waiting-primitive");
                    assertThat(line.path("rule").asText()).isEqualTo("cancelled");
                });
    }

    /** Waits until a session of the test database waits for a lock: the primitive is inside the store. */
    private static void awaitWaitingForTheLock(Connection connection) throws Exception {
        long until = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < until) {
            try (PreparedStatement s = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                            + "WHERE pg_blocking_pids(pid) @> ARRAY[pg_backend_pid()]");
                    ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the primitive never waited for the locked table");
    }
}
