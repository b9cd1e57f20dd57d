package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserStore;

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
    @JsonSubTypes.Type(value = StateCommand.ImportUsers.class, name = "import-users"),
    @JsonSubTypes.Type(value = StateCommand.ChangeUsers.class, name = "change-users"),
    @JsonSubTypes.Type(value = StateCommand.PutSession.class, name = "put-session"),
    @JsonSubTypes.Type(value = StateCommand.RemoveSessions.class, name = "remove-sessions"),
    @JsonSubTypes.Type(value = StateCommand.RemoveUserSessions.class, name = "remove-user-sessions"),
    @JsonSubTypes.Type(value = StateCommand.ImportExperiments.class, name = "import-experiments"),
    @JsonSubTypes.Type(value = StateCommand.PutExperiments.class, name = "put-experiments"),
    @JsonSubTypes.Type(value = StateCommand.InterruptExperiments.class, name = "interrupt-experiments"),
    @JsonSubTypes.Type(value = StateCommand.RemoveExperiments.class, name = "remove-experiments"),
    @JsonSubTypes.Type(value = StateCommand.RestoreState.class, name = "restore-state"),
    @JsonSubTypes.Type(value = StateCommand.ImportAudit.class, name = "import-audit"),
    @JsonSubTypes.Type(value = StateCommand.AppendAudit.class, name = "append-audit"),
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

    /** Takes the users a manager found in {@code users.json} into the log (as {@link ImportFiles} does the state). */
    record ImportUsers(UserStore.Content users) implements StateCommand {
        public ImportUsers {
            requireNonNull(users, "users is null");
        }
    }

    /** Replaces the users and API tokens if they are still at {@code basedOn} (as {@link ChangeFederationState}). */
    record ChangeUsers(long basedOn, UserStore.Content next) implements StateCommand {
        public ChangeUsers {
            requireNonNull(next, "next is null");
        }
    }

    /** A user signed in (or a session's last use refreshed): the session, keyed by the SHA-256 of its id. */
    record PutSession(Sessions.Session session) implements StateCommand {
        public PutSession {
            requireNonNull(session, "session is null");
        }
    }

    /** Sessions ended (signed out, expired, their user removed or disabled), by the SHA-256 of their ids. */
    record RemoveSessions(List<String> ids) implements StateCommand {
        public RemoveSessions {
            ids = List.copyOf(requireNonNull(ids, "ids is null"));
        }
    }

    /**
     * A user signed out everywhere (removed, disabled, their password reset), but in session {@code keep} (the SHA-256
     * of its id; null: none kept): every session of theirs the log holds when the command applies, including one
     * committed through another manager an instant before, which the sending manager may not have applied yet.
     */
    record RemoveUserSessions(String username, String keep) implements StateCommand {
        public RemoveUserSessions {
            requireNonNull(username, "username is null");
        }
    }

    /**
     * Takes experiments a manager found in {@code experiments/} and the log does not know into the log (a data
     * directory from before replication, or restored), with no manager running them.
     */
    record ImportExperiments(List<Experiment> experiments) implements StateCommand {
        public ImportExperiments {
            experiments = List.copyOf(requireNonNull(experiments, "experiments is null"));
        }
    }

    /**
     * New experiment records, or newer states of known ones, each with the manager that runs it. A record never takes
     * an experiment back (pending, then running, then ended): one that would (a write committed late, after a newer
     * one) is skipped.
     */
    record PutExperiments(List<ExperimentLog.Run> runs) implements StateCommand {
        public PutExperiments {
            runs = List.copyOf(requireNonNull(runs, "runs is null"));
        }
    }

    /**
     * Interrupted records of experiments whose manager no longer runs them (it died, it restarted, or their submission
     * was refused and committed after all), each taken only if the experiment is still pending or running when the
     * command applies: an end committed meanwhile (a result) stays, and an experiment the log does not hold is not
     * made. The manager each one names stays. The records are made by the sender (with their time), so every manager
     * applies the same bytes.
     */
    record InterruptExperiments(List<ExperimentLog.Run> runs) implements StateCommand {
        public InterruptExperiments {
            runs = List.copyOf(requireNonNull(runs, "runs is null"));
        }
    }

    /** Experiments removed by their user or an admin. */
    record RemoveExperiments(List<String> ids) implements StateCommand {
        public RemoveExperiments {
            ids = List.copyOf(requireNonNull(ids, "ids is null"));
        }
    }

    /**
     * Replaces the whole state with {@code state}: the first command of the group of one that {@code mipfed manager
     * recover --force-new-cluster} makes from a survivor's applied state (its experiments follow in
     * {@link PutExperiments} entries of a bounded size, so no log entry grows with the number of experiments).
     */
    record RestoreState(ReplicatedState state) implements StateCommand {
        public RestoreState {
            requireNonNull(state, "state is null");
        }
    }

    /**
     * Starts the federation's audit chain (once, when the log has none): at the head of the chain a manager found in
     * its {@code audit.log} (a data directory from before the chain was replicated, or a restored one), with the last
     * local line of each manager's journal that chain already holds. Refused when the chain has started.
     */
    record ImportAudit(long seq, String hash, Map<String, Long> shipped) implements StateCommand {
        public ImportAudit {
            requireNonNull(hash, "hash is null");
            shipped = Map.copyOf(requireNonNull(shipped, "shipped is null"));
        }
    }

    /**
     * Lines of managers' local audit journals for the federation's chain, in each journal's order. A line the chain
     * holds already (its manager's {@code local_seq} at or below the last one taken) is skipped, so a batch sent
     * again adds nothing twice.
     */
    record AppendAudit(List<AuditEntry> lines) implements StateCommand {
        public AppendAudit {
            lines = List.copyOf(requireNonNull(lines, "lines is null"));
        }
    }

    /**
     * One line of a manager's journal.
     *
     * @param manager the manager that served the action (and wrote the journal line)
     * @param localSeq the line's seq in that manager's journal
     * @param time when the action was recorded (ISO-8601, as the journal has it)
     * @param fields {@code user}, {@code action}, {@code outcome}, {@code details}
     */
    record AuditEntry(
            String manager, @JsonProperty("local_seq") long localSeq, String time, ObjectNode fields) {
        public AuditEntry {
            requireNonNull(manager, "manager is null");
            requireNonNull(time, "time is null");
            requireNonNull(fields, "fields is null");
        }
    }
}
