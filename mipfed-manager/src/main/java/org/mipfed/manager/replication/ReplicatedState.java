package org.mipfed.manager.replication;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserStore;

/**
 * Everything the managers replicate, as one immutable value: what a snapshot holds and what reads see.
 *
 * @param version the log index of the last command that changed the federation state (0: nothing yet)
 * @param federation the federation state ({@code state.json}); null until the first manager imported its files
 * @param usersVersion the log index of the last command that changed the users (0: nothing yet)
 * @param users the users and API tokens ({@code users.json}); null until the first manager imported its files
 * @param sessions the signed-in sessions by the SHA-256 of their id (the cookie itself is never in the log)
 * @param experiments every experiment by id, with the manager that runs it; null until the first manager imported
 *     its files
 * @param ca the federation's CA, keys included, and a rotation in progress; null until the first manager put it in
 */
public record ReplicatedState(
        long version,
        FederationState federation,
        long usersVersion,
        UserStore.Content users,
        Map<String, Sessions.Session> sessions,
        Map<String, ExperimentLog.Run> experiments,
        CaKeys ca) {
    /** The class of a map {@link #frozen} made: such a map is kept as it is, not copied again. */
    private static final Class<?> FROZEN =
            Collections.unmodifiableSortedMap(new TreeMap<>()).getClass();

    /** The state of a log that holds nothing yet. */
    public static final ReplicatedState EMPTY = new ReplicatedState(0, null);

    public ReplicatedState {
        sessions = sessions == null ? Map.of() : frozen(sessions);
        experiments = experiments == null ? null : frozen(experiments);
    }

    /**
     * A sorted, unmodifiable copy of {@code map}, or {@code map} itself when it is one already: every command copies
     * only the part it changes (the experiments are not copied again when a session or a label changes).
     */
    private static <V> Map<String, V> frozen(Map<String, V> map) {
        return map.getClass() == FROZEN ? map : Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }

    /** A state holding the federation state only (what a log written before users were replicated holds). */
    public ReplicatedState(long version, FederationState federation) {
        this(version, federation, 0, null, Map.of(), null, null);
    }

    private ReplicatedState withFederation(long newVersion, FederationState next) {
        return new ReplicatedState(newVersion, next, usersVersion, users, sessions, experiments, ca);
    }

    private ReplicatedState withUsers(long newVersion, UserStore.Content next) {
        return new ReplicatedState(version, federation, newVersion, next, sessions, experiments, ca);
    }

    private ReplicatedState withSessions(Map<String, Sessions.Session> next) {
        return new ReplicatedState(version, federation, usersVersion, users, next, experiments, ca);
    }

    private ReplicatedState withExperiments(Map<String, ExperimentLog.Run> next) {
        return new ReplicatedState(version, federation, usersVersion, users, sessions, next, ca);
    }

    private ReplicatedState withCa(CaKeys next) {
        return new ReplicatedState(version, federation, usersVersion, users, sessions, experiments, next);
    }

    /** The state after {@code command}, applied at log index {@code index}, and whether it was applied. */
    Outcome apply(StateCommand command, long index) {
        if (command instanceof StateCommand.ImportFiles imported) {
            return new Outcome(withFederation(index, imported.federation()), null);
        }
        if (command instanceof StateCommand.ChangeFederationState change) {
            if (change.basedOn() != version) {
                return new Outcome(
                        this,
                        "the state changed (version " + version + ", the change read version " + change.basedOn()
                                + ")");
            }
            return new Outcome(withFederation(index, change.next()), null);
        }
        if (command instanceof StateCommand.PutCa put) {
            // the federation state's version stays: a CA change does not conflict with a change of the registry
            return new Outcome(withCa(put.ca()), null);
        }
        if (command instanceof StateCommand.ImportUsers imported) {
            return new Outcome(withUsers(index, imported.users()), null);
        }
        if (command instanceof StateCommand.ChangeUsers change) {
            if (change.basedOn() != usersVersion) {
                return new Outcome(
                        this,
                        "the users changed (version " + usersVersion + ", the change read version " + change.basedOn()
                                + ")");
            }
            return new Outcome(withUsers(index, change.next()), null);
        }
        if (command instanceof StateCommand.PutSession put) {
            Map<String, Sessions.Session> next = new TreeMap<>(sessions);
            next.put(put.session().id(), put.session());
            return new Outcome(withSessions(next), null);
        }
        if (command instanceof StateCommand.RemoveSessions remove) {
            Map<String, Sessions.Session> next = new TreeMap<>(sessions);
            next.keySet().removeAll(new HashSet<>(remove.ids()));
            return new Outcome(withSessions(next), null);
        }
        if (command instanceof StateCommand.ImportExperiments imported) {
            // adds what the log does not know yet: an import in several entries, or one cut short, completes later
            Map<String, ExperimentLog.Run> next = experiments == null ? new TreeMap<>() : new TreeMap<>(experiments);
            for (Experiment e : imported.experiments()) {
                next.putIfAbsent(e.id(), new ExperimentLog.Run(e, null));
            }
            return new Outcome(withExperiments(next), null);
        }
        if (command instanceof StateCommand.PutExperiments put) {
            Map<String, ExperimentLog.Run> next = experiments == null ? new TreeMap<>() : new TreeMap<>(experiments);
            for (ExperimentLog.Run run : put.runs()) {
                next.put(run.experiment().id(), run);
            }
            return new Outcome(withExperiments(next), null);
        }
        if (command instanceof StateCommand.RemoveExperiments remove) {
            if (experiments == null) {
                return new Outcome(this, null);
            }
            Map<String, ExperimentLog.Run> next = new TreeMap<>(experiments);
            Set<String> ids = new HashSet<>(remove.ids());
            next.keySet().removeAll(ids);
            return new Outcome(withExperiments(next), null);
        }
        if (command instanceof StateCommand.RestoreState restore) {
            // the versions restart at this index: a change computed on a state read before cannot apply
            ReplicatedState r = restore.state();
            return new Outcome(
                    new ReplicatedState(index, r.federation(), index, r.users(), r.sessions(), r.experiments(), r.ca()),
                    null);
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
