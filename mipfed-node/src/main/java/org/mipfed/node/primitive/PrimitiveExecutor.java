package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.mipfed.core.request.Filters;
import org.mipfed.node.audit.AuditEntry;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.privacy.RefusalBudget;
import org.mipfed.node.store.AttachedSources;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.QueryCancellation;
import org.mipfed.node.store.SqlWork;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.node.store.StoreException;
import org.mipfed.node.store.StoredDataModel;
import org.mipfed.node.store.StoredDataset;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrimitiveResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the manager's primitives from the node's store: checks the request against the node's
 * own data models and datasets, compiles it to bound SQL, passes the aggregates through the
 * privacy guard and writes one audit line per request, answered or refused. Thread-safe.
 */
public final class PrimitiveExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(PrimitiveExecutor.class);

    private final DataStore store;
    private final PrivacyGuard guard;
    /**
     * Row selections the guard admitted lately, by their SQL: a multi-round flow asks for the same rows in
     * every round, and the same rows again can only be admitted again, so they are not read once more.
     * Entries live {@link #ADMITTED_FOR} at most (a PostgreSQL store may change under the node) and go
     * whenever the node imports data.
     */
    private final Map<String, Admitted> admitted = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Admitted> eldest) {
            return size() > 1024;
        }
    });

    private static final Duration ADMITTED_FOR = Duration.ofMinutes(1);

    private record Admitted(Set<String> withheld, Instant at) {}

    private final AuditLog audit;
    private final AttachedSources sources;
    private final RunningAnalyses running = new RunningAnalyses();
    private volatile Consumer<RefusalBudget.Alert> alerts = alert -> {};

    public PrimitiveExecutor(DataStore store, PrivacyPolicy policy, AuditLog audit) {
        this(store, new PrivacyGuard(requireNonNull(policy, "policy is null")), audit);
    }

    public PrimitiveExecutor(DataStore store, PrivacyGuard guard, AuditLog audit) {
        this.store = requireNonNull(store, "store is null");
        this.guard = requireNonNull(guard, "guard is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.sources = new AttachedSources(store);
        // A changed source has other rows: admitted selections must be checked anew.
        sources.onChange(this::dataChanged);
    }

    /** The data models read in place from attached sources, checked before each analysis. */
    public AttachedSources sources() {
        return sources;
    }

    /** The node's data changed (an import): selections must be checked anew. */
    public void dataChanged() {
        admitted.clear();
    }

    public PrivacyGuard guard() {
        return guard;
    }

    /** Answers a request that came over no session: {@link #answer(PrimitiveRequest, String)} with no manager to name. */
    public PrimitiveResponse answer(PrimitiveRequest request) {
        return answer(request, "");
    }

    /**
     * Answers a request from the session: a result or a refusal, never an exception.
     *
     * @param manager the sender as the session's certificate proves it, for the audit log
     */
    public PrimitiveResponse answer(PrimitiveRequest request, String manager) {
        PrimitiveResponse.Builder response = PrimitiveResponse.newBuilder().setRequestId(request.getRequestId());
        String analysis = request.getAnalysisId();
        QueryCancellation cancellation = analysis.isEmpty() ? null : running.begin(analysis);
        try {
            PrimitiveResult result = cancellation == null
                    ? execute(request.getQuery(), request.getRequester(), request.getRequestId(), manager)
                    : cancellation.within(
                            () -> execute(request.getQuery(), request.getRequester(), request.getRequestId(), manager));
            return response.setResult(result).build();
        } catch (RefusalException e) {
            return response.setRefusal(e.toProto()).build();
        } finally {
            if (cancellation != null) {
                running.end(analysis, cancellation);
            }
        }
    }

    /**
     * The manager cancelled an analysis: its primitives running now stop (their queries are cancelled in the store)
     * and answer the refusal {@value RefusalException#CANCELLED}, as will any of its primitives that comes later.
     * Audited with who cancelled it.
     *
     * @param analysisId {@code PrimitiveRequest.analysis_id}
     * @param requester who cancelled it, as the manager says
     * @param manager the session's certificate subject
     * @return how many of its primitives were running
     */
    public int cancel(String analysisId, String requester, String manager) {
        requireNonNull(analysisId, "analysisId is null");
        int interrupted = running.cancel(analysisId);
        audit.recordCancel(Instant.now(), analysisId, nullToEmpty(requester), nullToEmpty(manager), interrupted);
        LOG.info("analysis {} cancelled by {}: {} primitive(s) of it stopped", analysisId, requester, interrupted);
        return interrupted;
    }

    /** {@link #execute(PrimitiveQuery, String, String)} under a fresh request id. */
    public PrimitiveResult execute(PrimitiveQuery query, String requester) {
        return execute(query, requester, UUID.randomUUID().toString());
    }

    /**
     * Computes a primitive.
     *
     * @param requester who asked, as the manager says, for the audit log
     * @throws RefusalException when the request is wrong, the privacy policy forbids the answer, or
     *     the node failed ({@link RefusalException#callerError()} false); the refusal is audited too
     */
    public PrimitiveResult execute(PrimitiveQuery query, String requester, String requestId) {
        return execute(query, requester, requestId, "");
    }

    /** {@link #execute(PrimitiveQuery, String, String)}, auditing {@code manager} as the sender the session proves. */
    public PrimitiveResult execute(PrimitiveQuery query, String requester, String requestId, String manager) {
        requireNonNull(query, "query is null");
        String who = nullToEmpty(requester);
        long started = System.nanoTime();
        Instant now = Instant.now();
        PrimitiveResult result = null;
        RefusalException refusal = null;
        Probe probe = new Probe(who);
        try {
            checkLockout(query, who, now);
            result = compute(query, probe);
        } catch (RefusalException e) {
            refusal = e;
        } catch (RuntimeException e) {
            if (QueryCancellation.currentCancelled()) {
                // stopped on purpose: the store's error is the interruption, not a fault of the node
                refusal = new RefusalException(
                        RefusalException.CANCELLED,
                        "The analysis was cancelled; the node stopped computing " + primitive(query),
                        false,
                        e);
            } else {
                // Anything else is the node's own fault (store down, a bug): refused, audited, logged with its stack.
                LOG.error("primitive {} ({}) failed", requestId, primitive(query), e);
                refusal = new RefusalException(
                        RefusalException.INTERNAL_ERROR,
                        "The node could not compute " + primitive(query) + " ("
                                + e.getClass().getSimpleName()
                                + "); its operator will find the details in the node's log",
                        false,
                        e);
            }
        }
        if (refusal != null
                && !refusal.rule().equals(RefusalException.CANCELLED)
                && QueryCancellation.currentCancelled()) {
            // a refusal that the interruption caused (or that nobody waits for any more) is the cancel's
            refusal = new RefusalException(
                    RefusalException.CANCELLED,
                    "The analysis was cancelled; the node stopped computing " + primitive(query),
                    false,
                    refusal);
        }
        try {
            audit.record(new AuditEntry(
                    Instant.now(),
                    nullToEmpty(requestId),
                    nullToEmpty(requester),
                    primitive(query),
                    query.getDataModel(),
                    query.getDatasetsList(),
                    variables(query),
                    List.copyOf(Filters.variables(query.hasFilter() ? query.getFilter() : null)),
                    result == null ? -1 : result.getRowsUsed(),
                    refusal == null ? AuditEntry.ANSWERED : AuditEntry.REFUSED,
                    refusal == null ? null : refusal.rule(),
                    (System.nanoTime() - started) / 1_000_000,
                    manager,
                    refusal == null ? null : refusal.getMessage()));
            if (refusal != null && dependsOnData(refusal)) {
                spend(query, who, refusal.rule(), now);
            } else if (probe.repeated) {
                spend(query, who, REPEATED_SELECTION, now);
            }
        } catch (UncheckedIOException e) {
            LOG.error("audit log unwritable; refusing request {}", requestId, e);
            throw new RefusalException(
                    RefusalException.INTERNAL_ERROR,
                    "The node cannot write its audit log, so it answers nothing; "
                            + "its operator must fix the audit log",
                    false,
                    e);
        }
        if (refusal != null) {
            throw refusal;
        }
        return result;
    }

    /**
     * Rules decided on the request alone (or the node's own faults): their refusals say nothing about
     * the rows and cost nothing of the refusal budget. Every other rule, including ones added later,
     * is counted.
     */
    public static final Set<String> REQUEST_ONLY = Set.of(
            RefusalException.UNKNOWN_DATA_MODEL,
            RefusalException.UNKNOWN_DATASET,
            RefusalException.UNKNOWN_VARIABLE,
            RefusalException.VARIABLE_TYPE,
            RefusalException.UNKNOWN_LEVEL,
            RefusalException.INVALID_FILTER,
            RefusalException.INVALID_QUERY,
            RefusalException.INTERNAL_ERROR,
            RefusalException.CANCELLED,
            RefusalException.SOURCE_UNAVAILABLE,
            PrivacyGuard.ALLOWED_PRIMITIVES,
            PrivacyGuard.RELEASE_EXTREMES,
            PrivacyGuard.MAX_LEVELS,
            PrivacyGuard.FILTER_POLICY,
            PrivacyGuard.REFUSAL_BUDGET);
    /** What the budget counts for an answered selection reached again through another filter (see PrivacyGuard.checkSelection). */
    public static final String REPEATED_SELECTION = "repeated_selection";

    /** Whether a refusal depends on the rows (and so is counted by the refusal budget, and its text checked by the tests). */
    public static boolean dependsOnData(RefusalException refusal) {
        return refusal.callerError() && dependsOnData(refusal.rule());
    }

    /** Whether a rule's refusals depend on the rows. */
    public static boolean dependsOnData(String rule) {
        return !REQUEST_ONLY.contains(rule);
    }

    /** One request's requester, and whether its selection check found its rows reached before through another filter. */
    private static final class Probe {
        final String requester;
        volatile boolean repeated;

        Probe(String requester) {
            this.requester = requester;
        }
    }

    private void checkLockout(PrimitiveQuery query, String requester, Instant now) {
        for (String dataset : new LinkedHashSet<>(query.getDatasetsList())) {
            guard.budget()
                    .lockedUntil(requester, query.getDataModel(), dataset, now)
                    .ifPresent(until -> {
                        PrivacyViolation v =
                                PrivacyRefusals.lockedOut(guard.policy(), SqlFilterCompiler.shorten(dataset), until);
                        throw RefusalException.caller(v.rule(), v.message());
                    });
        }
    }

    /** Counts a refusal (or probe) against each requested dataset; a lockout is audited and raised as an alert. */
    private void spend(PrimitiveQuery query, String requester, String rule, Instant now) {
        for (String dataset : new LinkedHashSet<>(query.getDatasetsList())) {
            guard.budget()
                    .count(requester, query.getDataModel(), dataset, rule, now)
                    .ifPresent(alert -> {
                        LOG.warn(
                                "privacy alert: requester '{}' spent the refusal budget on dataset {} of {} ({} within {} h); locked out until {}",
                                alert.requester(),
                                alert.dataset(),
                                alert.dataModel(),
                                alert.refusalsByRule(),
                                alert.windowHours(),
                                alert.lockedUntil());
                        audit.recordAlert(
                                now,
                                alert.requester(),
                                alert.dataModel(),
                                alert.dataset(),
                                alert.refusalsByRule(),
                                alert.windowHours(),
                                alert.lockedUntil());
                        try {
                            alerts.accept(alert);
                        } catch (RuntimeException e) {
                            LOG.error("cannot send the privacy alert to the manager", e);
                        }
                    });
        }
    }

    /** The operator lifts {@code requester}'s lockouts and forgets their refusals; audited. */
    public void unlock(String requester) {
        guard.budget().reset(requester);
        audit.recordUnlock(Instant.now(), requester);
        LOG.warn("the operator lifted the lockouts of requester '{}'", requester);
    }

    /** Where alerts go besides the audit log and the node's log: the manager, over the session. */
    public void onAlert(Consumer<RefusalBudget.Alert> listener) {
        this.alerts = requireNonNull(listener, "listener is null");
    }

    private Set<String> checkSelection(
            Connection connection, QueryScope scope, boolean perDataset, long filter, Probe probe) throws SQLException {
        String key = probe.requester + "\u0000" + perDataset + "\u0000" + scope.table() + "\u0000"
                + scope.where().sql() + "\u0000" + scope.where().parameters();
        Admitted earlier = admitted.get(key);
        Instant now = Instant.now();
        if (earlier != null && earlier.at().plus(ADMITTED_FOR).isAfter(now)) {
            return earlier.withheld();
        }
        RowSelection.Checked checked;
        try {
            checked = RowSelection.check(connection, scope, guard, perDataset, filter, probe.requester);
        } catch (RefusalException e) {
            // A refused selection poisons those near it: none admitted lately may skip the check now.
            admitted.clear();
            throw e;
        }
        probe.repeated = checked.repeated();
        admitted.put(key, new Admitted(Set.copyOf(checked.withheld()), now));
        return checked.withheld();
    }

    /**
     * A fingerprint of what chose the rows besides the datasets (filter, fold, longitudinal pairing) and of who
     * asked, 0 for nothing: the same rows through another filter count per requester, so one requester's
     * filters do not make another's free.
     */
    static long fingerprint(PrimitiveQuery query, String requester) {
        if (!query.hasFilter() && !query.hasFold() && !query.hasLongitudinal()) {
            return 0;
        }
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(query.getFilter().toByteArray());
            sha.update((byte) 0);
            sha.update(query.getFold().toByteArray());
            sha.update((byte) 0);
            sha.update(query.getLongitudinal().toByteArray());
            sha.update((byte) 0);
            sha.update(requester.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long value = java.nio.ByteBuffer.wrap(sha.digest()).getLong();
            return value == 0 ? 1 : value;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private PrimitiveResult compute(PrimitiveQuery query, Probe probe) {
        Primitive<?> primitive = Primitives.of(query)
                .orElseThrow(() -> RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "The request names no primitive; this node computes " + Primitives.names()));
        guard.checkPrimitive(primitive.name()).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        StoredDataModel stored = available(sources.beforeQuery(store.dataModel(query.getDataModel())
                .orElseThrow(() -> RefusalException.caller(
                        RefusalException.UNKNOWN_DATA_MODEL,
                        "This node has no data model '" + SqlFilterCompiler.shorten(query.getDataModel())
                                + "'; it has "
                                + describe(store.dataModels().stream()
                                        .map(StoredDataModel::id)
                                        .toList())
                                + ". Ask for one of those"))));
        List<String> datasets = datasets(stored, query.getDatasetsList());
        LongitudinalTable longitudinal = null;
        if (query.hasLongitudinal()) {
            longitudinal = LongitudinalTable.of(stored.model(), store.dialect(), query.getLongitudinal());
            Set<String> missing = new LinkedHashSet<>(Filters.variables(query.hasFilter() ? query.getFilter() : null));
            missing.removeAll(longitudinal.variables());
            if (!missing.isEmpty()) {
                throw RefusalException.caller(
                        RefusalException.INVALID_FILTER,
                        "The filters use " + String.join(", ", missing)
                                + ", which the longitudinal transformation does not keep; filters apply to the paired visits, so give "
                                + "those variables a strategy too");
            }
        }
        guard.checkFilter(query.hasFilter() ? query.getFilter() : null, stored.model())
                .ifPresent(v -> {
                    throw RefusalException.caller(v.rule(), v.message());
                });
        QueryScope scope = QueryScope.of(
                stored.model(),
                store.dialect(),
                StoreCatalog.rows(stored, store.dialect()),
                datasets,
                new SqlFilterCompiler(stored.model(), store.dialect())
                        .compile(query.hasFilter() ? query.getFilter() : null),
                longitudinal,
                guard,
                query.hasFold() ? query.getFold() : null);
        SqlWork<PrimitiveResult> work = connection -> {
            Set<String> withheld = checkSelection(
                    connection, scope, primitive.perDataset(), fingerprint(query, probe.requester), probe);
            return Primitives.run(primitive, connection, scope, query, withheld);
        };
        if (!stored.attached()) {
            return store.withConnection(work);
        }
        try {
            return store.readOnly(work);
        } catch (StoreException e) {
            // The source may have gone since it was checked: then say so, as for any unavailable source.
            available(sources.afterFailure(stored));
            throw e;
        }
    }

    /**
     * Refuses a data model whose attached source could not be read at its last check. The reason stays
     * with the node's operator ({@code mipfed data ls}): the researcher learns only that it is unavailable.
     * Refused as the request's fault (a 4xx for the researcher, not a node failure): it names data the
     * node has just withdrawn, and the node keeps answering for its other data.
     */
    private static StoredDataModel available(StoredDataModel stored) {
        if (stored.attached() && stored.status() != null && !stored.status().available()) {
            throw RefusalException.caller(
                    RefusalException.SOURCE_UNAVAILABLE,
                    "The datasets of " + stored.id() + " on this node are unavailable: the node cannot read the"
                            + " source they are attached to; its operator sees why (mipfed data ls) and must restore it");
        }
        return stored;
    }

    /** The requested datasets, each once, in order; all must be datasets this node holds for the model. */
    private static List<String> datasets(StoredDataModel stored, List<String> requested) {
        Set<String> distinct = new LinkedHashSet<>(requested);
        if (distinct.isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.UNKNOWN_DATASET,
                    "The request names no dataset; this node holds " + describe(held(stored)) + " of " + stored.id());
        }
        List<String> unknown = distinct.stream()
                .filter(d -> stored.dataset(d).isEmpty())
                .map(SqlFilterCompiler::shorten)
                .toList();
        if (!unknown.isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.UNKNOWN_DATASET,
                    "This node holds no dataset "
                            + unknown.stream().map(d -> "'" + d + "'").collect(Collectors.joining(", ")) + " of "
                            + stored.id() + "; it holds "
                            + describe(held(stored)) + ". Ask only for datasets the node announced");
        }
        return new ArrayList<>(distinct);
    }

    private static List<String> held(StoredDataModel stored) {
        return stored.datasets().stream()
                .filter(d -> d.rows() > 0)
                .map(StoredDataset::code)
                .toList();
    }

    private static String describe(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** The name of the primitive {@code query} asks for (a name of the fixed vocabulary, or {@code none}). */
    public static String primitive(PrimitiveQuery query) {
        return Primitives.name(query);
    }

    /** Every variable a primitive names (filters apart), each once, for the audit log. */
    static List<String> variables(PrimitiveQuery query) {
        return Primitives.variables(query);
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
