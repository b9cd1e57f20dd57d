package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * The distinct row selections a node has answered over, per data model, as compressed bitmaps of
 * row ids, in memory and bounded: the oldest is forgotten first. Check and remember happen under one
 * lock, so two concurrent requests cannot both slip past each other.
 */
final class RowSetHistory {
    private final int capacity;
    private final Map<String, Deque<RoaringBitmap>> byModel = new HashMap<>();

    RowSetHistory(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Remembers {@code selected} unless it differs from a remembered selection by between 1 and
     * {@code minDifference - 1} rows.
     *
     * @return 0 if admitted (or already known), else the smallest such difference
     */
    synchronized long admit(String dataModel, RoaringBitmap selected, int minDifference) {
        requireNonNull(dataModel, "dataModel is null");
        if (capacity == 0) {
            return 0;
        }
        Deque<RoaringBitmap> known = byModel.computeIfAbsent(dataModel, k -> new ArrayDeque<>());
        long size = selected.getLongCardinality();
        long closest = 0;
        boolean seen = false;
        for (RoaringBitmap earlier : known) {
            // |A Δ B| ≥ ||A| − |B||: most selections are ruled out by their sizes alone.
            if (Math.abs(earlier.getLongCardinality() - size) >= minDifference) {
                continue;
            }
            long difference = RoaringBitmap.xorCardinality(earlier, selected);
            if (difference == 0) {
                seen = true;
            }
            else if (difference < minDifference && (closest == 0 || difference < closest)) {
                closest = difference;
            }
        }
        if (closest > 0) {
            return closest;
        }
        if (!seen) {
            RoaringBitmap copy = selected.clone();
            copy.runOptimize();
            known.addLast(copy);
            if (known.size() > capacity) {
                known.removeFirst();
            }
        }
        return 0;
    }
}
