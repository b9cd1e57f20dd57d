package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    /** Applies a change and persists it; returns the new state. */
    public synchronized FederationState update(UnaryOperator<FederationState> change) {
        FederationState next = change.apply(state);
        write(next);
        state = next;
        return next;
    }

    public synchronized Optional<NodeRecord> node(String id) {
        return state.nodes().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    public synchronized NodeRecord updateNode(String id, UnaryOperator<NodeRecord> change) {
        List<NodeRecord> nodes = new ArrayList<>();
        NodeRecord[] changed = new NodeRecord[1];
        for (NodeRecord n : state.nodes()) {
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
        update(s -> s.withNodes(nodes));
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
