package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

/**
 * The changes of one piece of replicated state that every manager may make at the same moment (the users, the
 * federation state), made one at a time on this manager. Each is computed from the version this manager read and
 * committed only if the state is still at that version (so no change made meanwhile is lost); when another
 * manager's change committed first, it is computed again on the newer state after a pause drawn at random between 0
 * and a bound that doubles with each lost race ("full jitter"), within a time budget, after which nothing was
 * changed and the caller is told so (409) and to send it again.
 *
 * <p>Backoff alone would not be fair: the leader commits its own changes in-process and reads the state the moment
 * its change applied, while a follower learns of it one message later and forwards its change one more round trip
 * later. A leader with changes queued back to back would win every race (six clients changing one user through three
 * managers saw the followers' changes lose ten times in a row). So a manager that has seen another manager change the
 * same state within the last second ({@link #CONTENDED_MILLIS}) and has more changes of it queued leaves a pause
 * after each of its commits (about two of its commit times, at random) before the next one: the other managers'
 * changes get their turn, and a manager alone, or one that no other manager contends with, pays nothing.
 */
public final class ContendedChange {
    /** How long a change is tried again, in all, while other managers' changes race it. */
    public static final long BUDGET_MILLIS = 8_000;
    /** The first pause's bound after a lost race; each lost race doubles it, up to {@link #MAX_PAUSE_MILLIS}. */
    static final long FIRST_PAUSE_MILLIS = 4;

    static final long MAX_PAUSE_MILLIS = 400;
    /** How long after another manager's change (or a lost race) this manager leaves pauses between its own. */
    static final long CONTENDED_MILLIS = 1_000;

    /** Where the state is: its version and content on this manager, and the conditional commit. */
    public interface Versioned<S> {
        /**
         * Waits until this manager applied what the managers' leader had (a restarted manager is behind it).
         *
         * @throws Problem 503 when it has not caught up within {@code timeoutMillis}
         */
        void awaitCurrent(long timeoutMillis);

        /** The state this manager applied, and its version. */
        Read<S> read();

        /**
         * Commits {@code next} if the state is still at {@code basedOn}; returns whether it was.
         *
         * @throws Problem 503 when the managers have no majority to commit it
         */
        boolean commit(long basedOn, S next);

        /** The state behind these three operations of a store's log. */
        static <S> Versioned<S> of(
                LongConsumer awaitCurrent, Supplier<Read<S>> read, java.util.function.BiPredicate<Long, S> commit) {
            requireNonNull(awaitCurrent, "awaitCurrent is null");
            requireNonNull(read, "read is null");
            requireNonNull(commit, "commit is null");
            return new Versioned<>() {
                @Override
                public void awaitCurrent(long timeoutMillis) {
                    awaitCurrent.accept(timeoutMillis);
                }

                @Override
                public Read<S> read() {
                    return read.get();
                }

                @Override
                public boolean commit(long basedOn, S next) {
                    return commit.test(basedOn, next);
                }
            };
        }
    }

    /** A state and its version. */
    public record Read<S>(long version, S state) {}

    /** A committed change: the state it was computed from, and the state it made. */
    public record Change<S>(S before, S after) {}

    private final String what;
    /** Fair: changes waiting here get their turn in the order they came. */
    private final ReentrantLock turn = new ReentrantLock(true);
    /** The version this manager's last committed change made, or -1; guarded by {@link #turn}. */
    private long ownVersion = -1;
    /** Until when (System.nanoTime) another manager is known to change the same state; guarded by {@link #turn}. */
    private long contendedUntil;

    /** @param what what changes, for the refusal: "the users", "the federation's state" */
    public ContendedChange(String what) {
        this.what = requireNonNull(what, "what is null");
    }

    /**
     * Makes {@code change} of the state in {@code log}, in turn with this manager's other changes of it, within
     * {@code budgetMillis} from its turn.
     *
     * @throws Problem 409 {@link ProblemType#CONFLICT} when other managers' changes raced it for the whole budget;
     *     503 when this manager did not catch up or the managers have no majority (nothing was changed either way)
     */
    public <S> Change<S> commit(long budgetMillis, Versioned<S> log, UnaryOperator<S> change) {
        requireNonNull(log, "log is null");
        requireNonNull(change, "change is null");
        turn.lock();
        try {
            long started = System.nanoTime();
            long deadline = started + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
            long bound = FIRST_PAUSE_MILLIS;
            int lost = 0;
            while (true) {
                if (lost == 0) {
                    // after a lost race there is no need: the refusal was applied here, after the change that won
                    log.awaitCurrent(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
                Read<S> read = log.read();
                if (ownVersion >= 0 && read.version() != ownVersion) {
                    contended(); // another manager changed it since this one's last change
                }
                S next = change.apply(read.state());
                long sent = System.nanoTime();
                if (log.commit(read.version(), next)) {
                    long commitNanos = System.nanoTime() - sent;
                    ownVersion = log.read().version();
                    if (System.nanoTime() < contendedUntil && turn.hasQueuedThreads()) {
                        // leave the others a turn before this manager's next change of it
                        long commitMillis = TimeUnit.NANOSECONDS.toMillis(commitNanos);
                        long pause = Math.min(
                                MAX_PAUSE_MILLIS,
                                commitMillis + ThreadLocalRandom.current().nextLong(2 * commitMillis + 2));
                        try {
                            Thread.sleep(pause);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // the change is committed: it is answered as such
                        }
                    }
                    return new Change<>(read.state(), next);
                }
                contended();
                lost++;
                long pause = ThreadLocalRandom.current().nextLong(bound + 1);
                bound = Math.min(MAX_PAUSE_MILLIS, bound * 2);
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) >= deadline) {
                    throw new Problem(
                            ProblemType.CONFLICT,
                            "Other managers changed " + what + " at the same moment, " + lost + " times over in "
                                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                                    + " ms, while this change was computed: nothing was changed. Send it again.");
                }
                sleep(pause);
            }
        } finally {
            turn.unlock();
        }
    }

    private void contended() {
        contendedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONTENDED_MILLIS);
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(
                    ProblemType.MANAGER_UNAVAILABLE,
                    "The manager is stopping while this change of " + what + " waited for its turn: nothing was"
                            + " changed. Send it again (to another manager if this one stays down).");
        }
    }
}
