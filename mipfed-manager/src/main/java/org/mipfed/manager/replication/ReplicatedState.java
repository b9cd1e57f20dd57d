package org.mipfed.manager.replication;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.state.FederationState;

/**
 * Everything the managers replicate, as one immutable value: what a snapshot holds and what reads see.
 *
 * @param version the log index of the last command that changed the federation state (0: nothing yet)
 * @param federation the federation state ({@code state.json}); null until the first manager imported its files
 * @param ca the federation's CA, keys included, and a rotation in progress; null until the first manager put it in
 */
public record ReplicatedState(long version, FederationState federation, CaKeys ca) {
    /** The state of a log that holds nothing yet. */
    public static final ReplicatedState EMPTY = new ReplicatedState(0, null, null);

    @JsonCreator
    public ReplicatedState(
            @JsonProperty("version") long version,
            @JsonProperty("federation") FederationState federation,
            @JsonProperty("ca") CaKeys ca) {
        this.version = version;
        this.federation = federation;
        this.ca = ca;
    }

    /** A state without the CA (a snapshot made before the CA was replicated reads as this). */
    public ReplicatedState(long version, FederationState federation) {
        this(version, federation, null);
    }

    /** The state after {@code command}, applied at log index {@code index}, and whether it was applied. */
    Outcome apply(StateCommand command, long index) {
        if (command instanceof StateCommand.ImportFiles imported) {
            return new Outcome(new ReplicatedState(index, imported.federation(), ca), null);
        }
        if (command instanceof StateCommand.ChangeFederationState change) {
            if (change.basedOn() != version) {
                return new Outcome(
                        this,
                        "the state changed (version " + version + ", the change read version " + change.basedOn()
                                + ")");
            }
            return new Outcome(new ReplicatedState(index, change.next(), ca), null);
        }
        if (command instanceof StateCommand.PutCa put) {
            // the federation state's version stays: a CA change does not conflict with a change of the registry
            return new Outcome(new ReplicatedState(version, federation, put.ca()), null);
        }
        throw new IllegalArgumentException(
                "unknown command " + command.getClass().getName());
    }

    /** What applying a command gave: the new state, or the same one and why the command was refused. */
    record Outcome(ReplicatedState state, String refusal) {
        boolean applied() {
            return refusal == null;
        }
    }
}
