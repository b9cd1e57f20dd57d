package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mipfed.node.store.QueryCancellation;

/**
 * The primitives running now, by the analysis they belong to, and the analyses cancelled lately: a cancel stops the
 * ones running, and a primitive of a cancelled analysis that comes later (it was queued, or sent before the manager
 * knew) is stopped before it reads anything.
 */
final class RunningAnalyses {
    /** Cancelled analyses remembered; a late primitive of an older one would only be computed in vain. */
    private static final int REMEMBERED = 4096;

    private static final long RETRY_MILLIS = 250;
    private static final ScheduledExecutorService RETRIES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mipfed-cancel");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, Set<QueryCancellation>> running = new HashMap<>();
    private final Map<String, Boolean> cancelled = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** A primitive of {@code analysisId} starts: its cancellation, already cancelled if the analysis was. */
    synchronized QueryCancellation begin(String analysisId) {
        requireNonNull(analysisId, "analysisId is null");
        QueryCancellation cancellation = new QueryCancellation("analysis " + analysisId);
        if (cancelled.containsKey(analysisId)) {
            cancellation.cancel();
        }
        running.computeIfAbsent(analysisId, k -> new HashSet<>()).add(cancellation);
        return cancellation;
    }

    /** The primitive ended, whichever way. */
    synchronized void end(String analysisId, QueryCancellation cancellation) {
        Set<QueryCancellation> of = running.get(analysisId);
        if (of != null && of.remove(cancellation) && of.isEmpty()) {
            running.remove(analysisId);
        }
    }

    /**
     * Cancels {@code analysisId}: stops its primitives running now and any that come later.
     *
     * @return how many were running
     */
    int cancel(String analysisId) {
        Set<QueryCancellation> now;
        synchronized (this) {
            cancelled.put(analysisId, Boolean.TRUE);
            now = Set.copyOf(running.getOrDefault(analysisId, Set.of()));
        }
        now.forEach(QueryCancellation::cancel);
        if (!now.isEmpty()) {
            // A statement cancelled in the instant between its preparing and its executing keeps running: cancel
            // again until every primitive of the analysis has ended.
            RETRIES.schedule(() -> cancelAgain(analysisId), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
        return now.size();
    }

    private void cancelAgain(String analysisId) {
        Set<QueryCancellation> still;
        synchronized (this) {
            still = Set.copyOf(running.getOrDefault(analysisId, Set.of()));
        }
        if (!still.isEmpty()) {
            still.forEach(QueryCancellation::cancel);
            RETRIES.schedule(() -> cancelAgain(analysisId), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
