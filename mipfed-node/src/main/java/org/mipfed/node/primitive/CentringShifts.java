package org.mipfed.node.primitive;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code cross_products} centred each column on for a row selection lately, by the selection's SQL and bound
 * values: the same selection asked again (a dashboard, a cross-validation's folds, the same model from another
 * researcher) binds them instead of computing them anew, so its statement reads the rows once, not twice (the
 * shifts' sample and the sums), which took about a quarter of the statement's CPU on a small selection.
 *
 * <p>Only the precision depends on the shifts, never the answer: the sums of deviations from any finite shift,
 * corrected by the deviations' own sums, give the same n, means and co-moments (see
 * {@link CrossProductsPrimitive}). Kept shifts are never released; they are the values the first statement
 * computed on these very rows, so the answer is the same to the last bit while the rows stay the same, and the
 * node forgets them whenever its data change ({@link #clear()}). One per node (its {@link PrimitiveExecutor}): a
 * node never centres on what another node's rows gave. Thread-safe.
 */
final class CentringShifts {
    /** Selections kept; the least recently used goes beyond it. */
    private static final int KEPT = 1024;

    private final Map<Key, double[]> shifts = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, double[]> eldest) {
            return size() > KEPT;
        }
    };

    /** A selection: the SQL of its columns and rows, and the values bound to it. */
    record Key(String sql, List<Object> parameters) {
        static Key of(BoundSql selection) {
            return new Key(selection.sql(), List.copyOf(selection.parameters()));
        }
    }

    /** The shifts kept for {@code selection}, a copy; empty when there are none. */
    synchronized Optional<double[]> get(Key selection) {
        double[] kept = shifts.get(selection);
        return kept == null ? Optional.empty() : Optional.of(kept.clone());
    }

    /** Keeps the shifts a statement computed for {@code selection} (finite values only; otherwise nothing is kept). */
    synchronized void put(Key selection, double[] computed) {
        for (double shift : computed) {
            if (!Double.isFinite(shift)) {
                return;
            }
        }
        shifts.put(selection, computed.clone());
    }

    /** How many selections' shifts are kept. */
    synchronized int size() {
        return shifts.size();
    }

    /** Forgets every selection's shifts: the node's data changed. */
    synchronized void clear() {
        shifts.clear();
    }
}
