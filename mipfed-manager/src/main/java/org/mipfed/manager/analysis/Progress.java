package org.mipfed.manager.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * How far a running analysis has got on each node: the queries sent to it and those it has answered; for a
 * cross-validation, also the fold it has reached. Only counts of
 * the manager's own messages, nothing of a node's rows; shown while the experiment runs, so that a researcher sees
 * which hospital it waits for.
 */
public final class Progress {
    private final Map<String, AtomicLong[]> byNode = new ConcurrentHashMap<>();
    /** Cross-validation: the folds reached (0-based), each with the rounds sent for it; the last one runs now. */
    private final Map<Integer, AtomicLong> roundsByFold = new ConcurrentHashMap<>();

    private volatile int splits;
    private volatile int currentFold = -1;

    /** A round restricted to fold {@code fold} of {@code nSplits} was sent (cross-validations go fold by fold). */
    void fold(int fold, int nSplits) {
        splits = nSplits;
        currentFold = fold;
        roundsByFold.computeIfAbsent(fold, k -> new AtomicLong()).incrementAndGet();
    }

    /**
     * For a cross-validation, each fold's state: {@code n_splits}, {@code current} (1-based, the fold whose rounds are
     * being sent now) and {@code folds}, one entry per fold ({@code fold} 1-based, {@code state} "done", "running" or
     * "to do", {@code rounds} sent for it); empty before any round of a fold was sent.
     */
    public java.util.Optional<Map<String, Object>> folds() {
        int n = splits;
        int current = currentFold;
        if (n == 0 || current < 0) {
            return java.util.Optional.empty();
        }
        java.util.List<Map<String, Object>> folds = new java.util.ArrayList<>();
        for (int k = 0; k < n; k++) {
            Map<String, Object> fold = new LinkedHashMap<>();
            fold.put("fold", k + 1);
            AtomicLong rounds = roundsByFold.get(k);
            // the folds run in order; one before the current one is done (the flow fits and scores each once)
            fold.put("state", k == current ? "running" : rounds != null && k < current ? "done" : "to do");
            fold.put("rounds", rounds == null ? 0 : rounds.get());
            folds.add(fold);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n_splits", n);
        out.put("current", current + 1);
        out.put("folds", folds);
        return java.util.Optional.of(out);
    }

    void asked(String nodeId) {
        counts(nodeId)[0].incrementAndGet();
    }

    void answered(String nodeId) {
        counts(nodeId)[1].incrementAndGet();
    }

    /** The nodes the analysis has asked so far, by id. */
    java.util.Set<String> nodes() {
        return java.util.Set.copyOf(byNode.keySet());
    }

    private AtomicLong[] counts(String nodeId) {
        return byNode.computeIfAbsent(nodeId, k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
    }

    /** Node (by its display name) to {@code asked} and {@code answered}, sorted by name. */
    public Map<String, Map<String, Long>> snapshot(Function<String, String> displayName) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byNode.forEach((node, counts) -> {
            Map<String, Long> c = new LinkedHashMap<>();
            c.put("asked", counts[0].get());
            c.put("answered", counts[1].get());
            out.put(displayName.apply(node), c);
        });
        return out;
    }
}
