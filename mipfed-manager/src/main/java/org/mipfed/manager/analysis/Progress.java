package org.mipfed.manager.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * How far a running analysis has got on each node: the queries sent to it and those it has answered. Only counts of
 * the manager's own messages, nothing of a node's rows; shown while the experiment runs, so that a researcher sees
 * which hospital it waits for.
 */
public final class Progress {
    private final Map<String, AtomicLong[]> byNode = new ConcurrentHashMap<>();

    void asked(String nodeId) {
        counts(nodeId)[0].incrementAndGet();
    }

    void answered(String nodeId) {
        counts(nodeId)[1].incrementAndGet();
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
