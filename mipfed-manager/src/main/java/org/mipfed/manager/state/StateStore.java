package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.mipfed.core.json.ConfigFile;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;

/**
 * The manager's durable state. Every change is written to disk (temp file + atomic rename) before
 * the call returns, so a crash never loses an acknowledged change and never leaves a half file.
 *
 * <p>A running manager keeps it {@linkplain #replicated replicated}: a change is committed to the managers' Raft log
 * (by a majority of them) before the call returns, and reads are this manager's applied state. Without a running
 * manager (the CLI working on a stopped one's files), it is the file alone.
 */
public final class StateStore {
    /** How often a change computed from a state another manager changed meanwhile is computed again. */
    private static final int ATTEMPTS = 10;
    /**
     * How long a change waits, in all, for this manager to catch up with the managers' leader before it is computed
     * (then it answers 503): a manager that restarted applies the log behind the leader for a while.
     */
    static final long CATCH_UP_MILLIS = 8_000;

    private final Path file;
    private final StateLog replication;
    private FederationState state;
    private final List<BiConsumer<FederationState, FederationState>> listeners = new CopyOnWriteArrayList<>();

    private StateStore(Path file, FederationState state) {
        this.file = requireNonNull(file, "file is null");
        this.state = requireNonNull(state, "state is null");
        this.replication = null;
    }

    private StateStore(StateLog replication) {
        this.file = null;
        this.state = null;
        this.replication = requireNonNull(replication, "replication is null");
    }

    /**
     * The state of a running manager, replicated by {@code replication}, which must hold a federation state already
     * (imported from the files, or received from the other managers).
     */
    public static StateStore replicated(StateLog replication) {
        if (replication.read().state() == null) {
            throw new IllegalStateException("the managers' replicated state holds no federation yet");
        }
        return new StateStore(replication);
    }

    public static StateStore create(Path file, FederationState initial) {
        StateStore store = new StateStore(file, initial);
        store.write(initial);
        return store;
    }

    /** Reads the state strictly: a hand edit with an unknown key or a wrong type stops the manager at start, saying where. */
    public static StateStore load(Path file) {
        return new StateStore(file, ConfigFile.read(file, FederationState.class));
    }

    public FederationState get() {
        if (replication != null) {
            return replication.read().state();
        }
        synchronized (this) {
            return state;
        }
    }

    /**
     * Applies a change and persists it (replicated: commits it to the managers' log), then tells the listeners;
     * returns the new state.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    public FederationState update(UnaryOperator<FederationState> change) {
        FederationState before;
        FederationState next;
        synchronized (this) {
            if (replication != null) {
                next = null;
                before = null;
                long catchUpUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_MILLIS);
                for (int attempt = 0; attempt < ATTEMPTS && next == null; attempt++) {
                    // computed on a state as current as the leader's: not on the stale one of a manager that restarted
                    replication.awaitCurrent(
                            Math.max(1, TimeUnit.NANOSECONDS.toMillis(catchUpUntil - System.nanoTime())));
                    StateLog.Versioned read = replication.read();
                    FederationState candidate = change.apply(read.state());
                    if (replication.change(read.version(), candidate)) {
                        before = read.state();
                        next = candidate;
                    }
                }
                if (next == null) {
                    throw new org.mipfed.core.problem.Problem(
                            org.mipfed.core.problem.ProblemType.CONFLICT,
                            "Other managers changed the federation's state at the same moment, " + ATTEMPTS
                                    + " times over, while this change was computed: nothing was changed. Send it"
                                    + " again.");
                }
            } else {
                before = state;
                next = change.apply(state);
                write(next);
                state = next;
            }
        }
        // outside the lock: a listener may read the store, or send to nodes, without holding up other changes
        for (BiConsumer<FederationState, FederationState> listener : listeners) {
            listener.accept(before, next);
        }
        return next;
    }

    /**
     * Calls {@code listener} with the state before and after each change this manager makes, once it is persisted
     * (e.g. the manager sends nodes the new list of managers). Listeners run on the changing thread and must be quick.
     */
    public void onChange(BiConsumer<FederationState, FederationState> listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    public Optional<NodeRecord> node(String id) {
        return get().nodes().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    public NodeRecord updateNode(String id, UnaryOperator<NodeRecord> change) {
        NodeRecord[] changed = new NodeRecord[1];
        // computed from the state inside the update (a replicated change may be computed again on a newer state),
        // so that no change made meanwhile is lost
        update(s -> {
            List<NodeRecord> nodes = new ArrayList<>();
            changed[0] = null;
            for (NodeRecord n : s.nodes()) {
                if (n.id().equals(id)) {
                    changed[0] = change.apply(n);
                    nodes.add(changed[0]);
                } else {
                    nodes.add(n);
                }
            }
            if (changed[0] == null) {
                throw new IllegalArgumentException("no node " + id);
            }
            return s.withNodes(nodes);
        });
        return changed[0];
    }

    private void write(FederationState next) {
        try {
            Pem.writeAtomically(file, Json.pretty().writeValueAsBytes(next), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the manager state " + file + ": " + e.getMessage(), e);
        }
    }
}
