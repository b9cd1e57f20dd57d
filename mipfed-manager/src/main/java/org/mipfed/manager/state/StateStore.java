package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /**
     * How long a change may take, in all, before it answers: waiting for this manager to catch up with the managers'
     * leader (a manager that restarted applies the log behind it for a while; then 503) and computing it again when
     * other managers' changes of the state raced it (then 409).
     */
    static final long CHANGE_MILLIS = ContendedChange.BUDGET_MILLIS;

    private final Path file;
    private final StateLog replication;
    /** The state in {@link #replication}, as the changes made in turn see it; null without it. */
    private final ContendedChange.Versioned<FederationState> replicatedState;
    /** This manager's changes of the state, one at a time, in turn with the other managers'. */
    private final ContendedChange contention = new ContendedChange("the federation's state");

    private FederationState state;
    private final List<BiConsumer<FederationState, FederationState>> listeners = new CopyOnWriteArrayList<>();

    private StateStore(Path file, FederationState state) {
        this.file = requireNonNull(file, "file is null");
        this.state = requireNonNull(state, "state is null");
        this.replication = null;
        this.replicatedState = null;
    }

    private StateStore(StateLog replication) {
        this.file = null;
        this.state = null;
        this.replication = requireNonNull(replication, "replication is null");
        this.replicatedState = ContendedChange.Versioned.of(
                replication::awaitCurrent,
                () -> {
                    StateLog.Versioned read = replication.read();
                    return new ContendedChange.Read<>(read.version(), read.state());
                },
                replication::change);
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
        if (replication != null) {
            // computed on a state as current as the leader's (not on the stale one of a manager that restarted),
            // and again, after a random pause, when another manager's change of the state committed first
            ContendedChange.Change<FederationState> made = contention.commit(CHANGE_MILLIS, replicatedState, change);
            before = made.before();
            next = made.after();
        } else {
            synchronized (this) {
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
