package org.mipfed.manager.replication;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.audit.ChainLines;
import org.mipfed.core.json.Json;
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
 * @param audit the head of the federation's audit chain; null until a manager started it ({@code import-audit})
 */
public record ReplicatedState(
        long version,
        FederationState federation,
        long usersVersion,
        UserStore.Content users,
        Map<String, Sessions.Session> sessions,
        Map<String, ExperimentLog.Run> experiments,
        CaKeys ca,
        AuditHead audit) {
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
        this(version, federation, 0, null, Map.of(), null, null, null);
    }

    private ReplicatedState withFederation(long newVersion, FederationState next) {
        return new ReplicatedState(newVersion, next, usersVersion, users, sessions, experiments, ca, audit);
    }

    private ReplicatedState withUsers(long newVersion, UserStore.Content next) {
        return new ReplicatedState(version, federation, newVersion, next, sessions, experiments, ca, audit);
    }

    private ReplicatedState withSessions(Map<String, Sessions.Session> next) {
        return new ReplicatedState(version, federation, usersVersion, users, next, experiments, ca, audit);
    }

    private ReplicatedState withExperiments(Map<String, ExperimentLog.Run> next) {
        return new ReplicatedState(version, federation, usersVersion, users, sessions, next, ca, audit);
    }

    private ReplicatedState withCa(CaKeys next) {
        return new ReplicatedState(version, federation, usersVersion, users, sessions, experiments, next, audit);
    }

    private ReplicatedState withAudit(AuditHead next) {
        return new ReplicatedState(version, federation, usersVersion, users, sessions, experiments, ca, next);
    }

    /**
     * The head of the federation's audit chain.
     *
     * @param seq the number of lines in the chain
     * @param hash the last line's hash (the chain's genesis when it has none)
     * @param shipped for each manager, the last line of its journal the chain holds ({@code local_seq})
     */
    public record AuditHead(long seq, String hash, Map<String, Long> shipped) {
        public AuditHead {
            java.util.Objects.requireNonNull(hash, "hash is null");
            shipped = shipped == null ? Map.of() : frozen(shipped);
        }
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
        if (command instanceof StateCommand.RemoveUserSessions remove) {
            Map<String, Sessions.Session> next = new TreeMap<>(sessions);
            next.values().removeIf(s -> s.username().equals(remove.username()) && !s.id().equals(remove.keep()));
            return new Outcome(next.size() == sessions.size() ? this : withSessions(next), null);
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
                ExperimentLog.Run known = next.get(run.experiment().id());
                // an experiment never goes back: a state committed late (a forwarded write that timed out for its
                // sender and was sent again by Ratis's client after a newer one) must not undo a newer one
                if (known == null || stage(run.experiment()) >= stage(known.experiment())) {
                    next.put(run.experiment().id(), run);
                }
            }
            return new Outcome(withExperiments(next), null);
        }
        if (command instanceof StateCommand.InterruptExperiments interrupt) {
            if (experiments == null) {
                return new Outcome(this, null);
            }
            Map<String, ExperimentLog.Run> next = new TreeMap<>(experiments);
            for (ExperimentLog.Run run : interrupt.runs()) {
                ExperimentLog.Run known = next.get(run.experiment().id());
                // only one still pending or running: an end that came meanwhile stays, an unknown one is not made
                if (known != null && known.experiment().unfinished()) {
                    next.put(run.experiment().id(), new ExperimentLog.Run(run.experiment(), known.manager()));
                }
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
                    new ReplicatedState(
                            index, r.federation(), index, r.users(), r.sessions(), r.experiments(), r.ca(), r.audit()),
                    null);
        }
        if (command instanceof StateCommand.ImportAudit imported) {
            if (audit != null) {
                return new Outcome(
                        this, "the federation's audit chain has started already (" + audit.seq() + " lines)");
            }
            return new Outcome(
                    withAudit(new AuditHead(imported.seq(), imported.hash(), imported.shipped())), null, List.of());
        }
        if (command instanceof StateCommand.AppendAudit append) {
            return appendAudit(append);
        }
        throw new IllegalArgumentException(
                "unknown command " + command.getClass().getName());
    }

    /** How far an experiment went: pending 0, running 1, ended (success, error, interrupted, cancelled) 2. */
    private static int stage(Experiment e) {
        if (Experiment.PENDING.equals(e.status())) {
            return 0;
        }
        return Experiment.RUNNING.equals(e.status()) ? 1 : 2;
    }

    /**
     * Extends the chain by the lines it does not hold yet, each bound to the one before: every manager computes the
     * same bytes from the same command and the same head.
     */
    private Outcome appendAudit(StateCommand.AppendAudit append) {
        if (audit == null) {
            return new Outcome(this, "the federation's audit chain has not started (no import-audit in the log yet)");
        }
        Map<String, Long> shipped = new TreeMap<>(audit.shipped());
        long seq = audit.seq();
        String hash = audit.hash();
        List<ChainLines.Line> lines = new ArrayList<>();
        for (StateCommand.AuditEntry entry : append.lines()) {
            if (entry.localSeq() <= shipped.getOrDefault(entry.manager(), 0L)) {
                continue;
            }
            ObjectNode fields = Json.mapper().createObjectNode();
            fields.put("manager", entry.manager());
            fields.put("local_seq", entry.localSeq());
            entry.fields().properties().forEach(e -> {
                if (!e.getKey().equals("manager") && !e.getKey().equals("local_seq")) {
                    fields.set(e.getKey(), e.getValue());
                }
            });
            ChainLines.Line line = ChainLines.encode(++seq, entry.time(), fields, hash);
            hash = line.hash();
            lines.add(line);
            shipped.put(entry.manager(), entry.localSeq());
        }
        if (lines.isEmpty()) {
            return new Outcome(this, null, List.of());
        }
        return new Outcome(withAudit(new AuditHead(seq, hash, shipped)), null, lines);
    }

    /**
     * What applying a command gave: the new state, or the same one and why the command was refused; and the lines an
     * {@code append-audit} added to the audit chain (each manager writes them into its {@code audit.log}).
     */
    record Outcome(ReplicatedState state, String refusal, List<ChainLines.Line> audit) {
        Outcome(ReplicatedState state, String refusal) {
            this(state, refusal, List.of());
        }

        boolean applied() {
            return refusal == null;
        }
    }
}
