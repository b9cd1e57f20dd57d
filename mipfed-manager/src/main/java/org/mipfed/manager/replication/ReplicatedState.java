package org.mipfed.manager.replication;

import org.mipfed.manager.state.FederationState;

/**
 * Everything the managers replicate, as one immutable value: what a snapshot holds and what reads see.
 *
 * @param version the log index of the last command that changed the federation state (0: nothing yet)
 * @param federation the federation state ({@code state.json}); null until the first manager imported its files
 */
public record ReplicatedState(long version, FederationState federation) {
    /** The state of a log that holds nothing yet. */
    public static final ReplicatedState EMPTY = new ReplicatedState(0, null);

    /** The state after {@code command}, applied at log index {@code index}, and whether it was applied. */
    Outcome apply(StateCommand command, long index) {
        if (command instanceof StateCommand.ImportFiles imported) {
            return new Outcome(new ReplicatedState(index, imported.federation()), null);
        }
        if (command instanceof StateCommand.ChangeFederationState change) {
            if (change.basedOn() != version) {
                return new Outcome(
                        this,
                        "the state changed (version " + version + ", the change read version " + change.basedOn()
                                + ")");
            }
            return new Outcome(new ReplicatedState(index, change.next()), null);
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
