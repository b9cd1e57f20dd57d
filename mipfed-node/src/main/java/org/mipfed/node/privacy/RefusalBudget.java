package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mipfed.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's refusal budget ({@link PrivacyPolicy#refusalBudget()}): the refusals that depend on the
 * rows, per requester and dataset, within a sliding window. The refusal that reaches the budget locks
 * the requester out of the dataset for the lockout period and yields an {@link Alert}. Each refusal is
 * one bit about the rows; a requester reading a value through refusals needs many, an honest one
 * mis-choosing a filter a few (docs/security.md, "Refusals").
 *
 * <p>Kept in a small JSON file ({@code privacy-budget.json} in the data dir), rewritten whole at each
 * change, so that a restart neither forgets a lockout nor hands out a fresh budget. Thread-safe.
 */
public final class RefusalBudget {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalBudget.class);

    /** A requester locked out of a dataset: who, where, what was refused how often, until when. */
    public record Alert(
            String requester,
            String dataModel,
            String dataset,
            Map<String, Integer> refusalsByRule,
            int windowHours,
            Instant lockedUntil,
            Instant at) {
        public Alert {
            requireNonNull(requester, "requester is null");
            requireNonNull(dataModel, "dataModel is null");
            requireNonNull(dataset, "dataset is null");
            refusalsByRule = Map.copyOf(refusalsByRule);
            requireNonNull(lockedUntil, "lockedUntil is null");
            requireNonNull(at, "at is null");
        }
    }

    private record Refusal(Instant at, String rule) {}

    private record Key(String requester, String dataModel, String dataset) {}

    private final PrivacyPolicy policy;
    private final Path file;
    private final Map<Key, Deque<Refusal>> refusals = new HashMap<>();
    private final Map<Key, Instant> lockouts = new HashMap<>();

    /** @param file where the budget is kept, or null for memory only */
    public RefusalBudget(PrivacyPolicy policy, Path file) {
        this.policy = requireNonNull(policy, "policy is null");
        this.file = file;
        if (file != null && policy.refusalBudget() > 0) {
            load();
        }
    }

    public boolean enabled() {
        return policy.refusalBudget() > 0;
    }

    /** Until when {@code requester} gets nothing from {@code dataset}, if locked out now. */
    public synchronized Optional<Instant> lockedUntil(String requester, String dataModel, String dataset, Instant now) {
        if (!enabled()) {
            return Optional.empty();
        }
        Instant until = lockouts.get(new Key(requester, dataModel, dataset));
        return until != null && until.isAfter(now) ? Optional.of(until) : Optional.empty();
    }

    /**
     * Counts a refusal (or a probe) of {@code rule} for {@code requester} on {@code dataset}.
     *
     * @return the alert if this one reaches the budget and locks the requester out
     */
    public synchronized Optional<Alert> count(
            String requester, String dataModel, String dataset, String rule, Instant now) {
        if (!enabled()) {
            return Optional.empty();
        }
        Key key = new Key(requester, dataModel, dataset);
        Deque<Refusal> recent = refusals.computeIfAbsent(key, k -> new ArrayDeque<>());
        recent.addLast(new Refusal(now, rule));
        Instant since = now.minus(Duration.ofHours(policy.refusalWindowHours()));
        while (!recent.isEmpty() && !recent.peekFirst().at().isAfter(since)) {
            recent.removeFirst();
        }
        Optional<Alert> alert = Optional.empty();
        Instant locked = lockouts.get(key);
        if (recent.size() >= policy.refusalBudget() && (locked == null || !locked.isAfter(now))) {
            Instant until = now.plus(Duration.ofHours(policy.lockoutHours()));
            lockouts.put(key, until);
            Map<String, Integer> byRule = new TreeMap<>();
            recent.forEach(r -> byRule.merge(r.rule(), 1, Integer::sum));
            alert = Optional.of(
                    new Alert(requester, dataModel, dataset, byRule, policy.refusalWindowHours(), until, now));
        }
        save(now);
        return alert;
    }

    /** Lifts every lockout and forgets every refusal of {@code requester} (an operator's decision). */
    public synchronized void reset(String requester) {
        refusals.keySet().removeIf(k -> k.requester().equals(requester));
        lockouts.keySet().removeIf(k -> k.requester().equals(requester));
        save(Instant.now());
    }

    private void save(Instant now) {
        if (file == null) {
            return;
        }
        Instant since = now.minus(Duration.ofHours(policy.refusalWindowHours()));
        ArrayNode entries = Json.mapper().createArrayNode();
        for (Map.Entry<Key, Deque<Refusal>> e : refusals.entrySet()) {
            Instant until = lockouts.get(e.getKey());
            ObjectNode entry = key(entries.addObject(), e.getKey());
            if (until != null && until.isAfter(now)) {
                entry.put("locked_until", until.toString());
            }
            ArrayNode list = entry.putArray("refusals");
            e.getValue().stream()
                    .filter(r -> r.at().isAfter(since))
                    .forEach(r -> list.addObject().put("at", r.at().toString()).put("rule", r.rule()));
        }
        try {
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.write(
                    next,
                    Json.mapper()
                            .writeValueAsBytes(Json.mapper().createObjectNode().set("budget", entries)));
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the refusal budget " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode key(ObjectNode node, Key key) {
        return node.put("requester", key.requester())
                .put("data_model", key.dataModel())
                .put("dataset", key.dataset());
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            JsonNode root = Json.mapper().readTree(file.toFile());
            for (JsonNode entry : root.path("budget")) {
                Key key = new Key(
                        entry.path("requester").asText(),
                        entry.path("data_model").asText(),
                        entry.path("dataset").asText());
                Deque<Refusal> list = refusals.computeIfAbsent(key, k -> new ArrayDeque<>());
                for (JsonNode r : entry.path("refusals")) {
                    list.addLast(new Refusal(
                            Instant.parse(r.path("at").asText()), r.path("rule").asText()));
                }
                if (entry.hasNonNull("locked_until")) {
                    lockouts.put(key, Instant.parse(entry.path("locked_until").asText()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Refusing everything would stop the node; starting afresh forgets at most one window. Said loudly.
            LOG.error("the refusal budget {} is unreadable ({}); starting with an empty budget", file, e.getMessage());
        }
    }
}
