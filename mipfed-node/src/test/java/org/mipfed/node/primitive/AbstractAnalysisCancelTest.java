package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mipfed.node.primitive.PrimitiveQueries.describe;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mipfed.core.json.Json;
import org.mipfed.node.store.QueryCancellation;
import org.mipfed.node.store.StoreException;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;

/**
 * Cancelling an analysis on a node: the store stops the query it runs (DuckDB interrupts its connection, PostgreSQL
 * cancels the statement on the server), a primitive of a cancelled analysis is refused with the rule
 * {@code cancelled} before it reads anything, and the cancel is audited.
 */
abstract class AbstractAnalysisCancelTest extends DementiaStoreTest {
    /** Far longer than the test's deadline: a query that ends before it did so because it was cancelled. */
    abstract String queryRunningForHours();

    /** Long enough for any loaded machine; the query would run for hours. */
    static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void aQueryRunningInTheStoreIsStoppedByTheCancelOfItsAnalysis() throws Exception {
        RunningAnalyses running = new RunningAnalyses();
        QueryCancellation cancellation = running.begin("slow-analysis");
        CompletableFuture<Object> work =
                CompletableFuture.supplyAsync(() -> cancellation.within(() -> store.withConnection(connection -> {
                    try (PreparedStatement statement = BoundSql.builder()
                                    .sql(queryRunningForHours())
                                    .build()
                                    .prepare(connection);
                            ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        return rows.getObject(1);
                    }
                })));
        // let it start; a cancel in the instant before it executes is repeated until it ends
        Thread.sleep(500);
        assertThat(work).isNotDone();
        assertThat(running.cancel("slow-analysis")).isEqualTo(1);
        try {
            work.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the query finished instead of being cancelled");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StoreException.class);
        }
        assertThat(cancellation.cancelled()).isTrue();
        running.end("slow-analysis", cancellation);
        // the store's connections still serve the next request
        int answer = store.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 41 + 1");
                    ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        });
        assertThat(answer).isEqualTo(42);
    }

    @Test
    void aPrimitiveOfACancelledAnalysisIsRefusedAsCancelledAndBothAreAudited() throws IOException {
        PrimitiveRequest request = PrimitiveRequest.newBuilder()
                .setRequestId("late-primitive")
                .setRequester("rita")
                .setAnalysisId("cancelled-analysis")
                .setQuery(describe(DATASETS, null, List.of("leftamygdala"), List.of()))
                .build();
        assertThat(guarded.cancel("cancelled-analysis", "rita", "CN=manager")).isZero();
        PrimitiveResponse response = guarded.answer(request, "CN=manager");
        assertThat(response.hasRefusal()).isTrue();
        assertThat(response.getRefusal().getRule()).isEqualTo(RefusalException.CANCELLED);
        assertThat(response.getRefusal().getCallerError()).isFalse();
        // says nothing about the rows: not counted by the refusal budget
        assertThat(PrimitiveExecutor.dependsOnData(RefusalException.CANCELLED)).isFalse();

        // another analysis is not touched
        PrimitiveResponse other = guarded.answer(
                request.toBuilder()
                        .setRequestId("other")
                        .setAnalysisId("other-analysis")
                        .build(),
                "CN=manager");
        assertThat(other.hasResult()).isTrue();

        List<JsonNode> lines = auditLines();
        assertThat(lines)
                .anySatisfy(line -> {
                    assertThat(line.path("event").asText()).isEqualTo("analysis_cancel");
                    assertThat(line.path("analysis_id").asText()).isEqualTo("cancelled-analysis");
                    assertThat(line.path("requester").asText()).isEqualTo("rita");
                    assertThat(line.path("manager").asText()).isEqualTo("CN=manager");
                    assertThat(line.path("interrupted").asInt()).isZero();
                })
                .anySatisfy(line -> {
                    assertThat(line.path("request_id").asText()).isEqualTo("late-primitive");
                    assertThat(line.path("outcome").asText()).isEqualTo("refused");
                    assertThat(line.path("rule").asText()).isEqualTo("cancelled");
                });
    }

    List<JsonNode> auditLines() throws IOException {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(auditFile)) {
            out.add(Json.mapper().readTree(line));
        }
        return out;
    }
}
