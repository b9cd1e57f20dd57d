package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.state.FederationState;

/**
 * A change to the managers' replicated state, as it is written to the Raft log. Every manager applies the same
 * commands in the same order, so every manager holds the same state. Commands are JSON (one mapper, one shape on
 * disk and on the wire) and typed by their {@code type} field.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = StateCommand.ImportFiles.class, name = "import-files"),
    @JsonSubTypes.Type(value = StateCommand.ChangeFederationState.class, name = "change-federation-state"),
    @JsonSubTypes.Type(value = StateCommand.PutCa.class, name = "put-ca"),
})
public sealed interface StateCommand {
    /**
     * Takes the federation state a manager found in its files into the log: once, when a data directory made before
     * replication (or edited while the manager was stopped) starts as a group of one.
     */
    record ImportFiles(FederationState federation) implements StateCommand {
        public ImportFiles {
            requireNonNull(federation, "federation is null");
        }
    }

    /**
     * Replaces the federation state, but only if it is still the one the change was computed from ({@code basedOn},
     * the version it read): two managers changing the state at once cannot lose each other's change, the later one
     * is refused and computes its change again on the newer state.
     */
    record ChangeFederationState(long basedOn, FederationState next) implements StateCommand {
        public ChangeFederationState {
            requireNonNull(next, "next is null");
        }
    }

    /**
     * Sets the federation's CA (certificate and key) and a rotation in progress: put by the first manager of a group,
     * and by the manager that starts or finishes a rotation; every manager then signs under it and follows the
     * rotation.
     */
    record PutCa(CaKeys ca) implements StateCommand {
        public PutCa {
            requireNonNull(ca, "ca is null");
        }
    }
}
