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
 */
public final class StateStore {
    private final Path file;
    private FederationState state;
    private final List<BiConsumer<FederationState, FederationState>> listeners = new CopyOnWriteArrayList<>();

    private StateStore(Path file, FederationState state) {
        this.file = requireNonNull(file, "file is null");
        this.state = requireNonNull(state, "state is null");
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

    public synchronized FederationState get() {
        return state;
    }

    /** Applies a change and persists it, then tells the listeners; returns the new state. */
    public FederationState update(UnaryOperator<FederationState> change) {
        FederationState before;
        FederationState next;
        synchronized (this) {
            before = state;
            next = change.apply(state);
            write(next);
            state = next;
        }
        // outside the lock: a listener may read the store, or send to nodes, without holding up other changes
        for (BiConsumer<FederationState, FederationState> listener : listeners) {
            listener.accept(before, next);
        }
        return next;
    }

    /**
     * Calls {@code listener} with the state before and after each change, once it is persisted (e.g. the manager
     * sends nodes the new list of managers). Listeners run on the changing thread and must be quick.
     */
    public void onChange(BiConsumer<FederationState, FederationState> listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    public synchronized Optional<NodeRecord> node(String id) {
        return state.nodes().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    public NodeRecord updateNode(String id, UnaryOperator<NodeRecord> change) {
        NodeRecord[] changed = new NodeRecord[1];
        // computed from the state inside the update, so that no change made meanwhile is lost
        update(s -> {
            List<NodeRecord> nodes = new ArrayList<>();
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
