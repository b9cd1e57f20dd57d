package org.mipfed.manager.registry;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors;
import io.grpc.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.state.DatasetOwner;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.proto.v1.DataModelInfo;
import org.mipfed.proto.v1.DatasetInfo;
import org.mipfed.proto.v1.NodeHello;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes of the federation: their durable records (labels, availability) and their live
 * sessions (status, reported data). Administration goes through here.
 */
public final class NodeRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

    private final StateStore store;
    private final DatasetEvents datasetEvents;
    private final Map<String, NodeSession> sessions = new ConcurrentHashMap<>();
    /** The conflicts already reported, {@code node \t data model \t dataset}: each is told once, not at every hello. */
    private final Set<String> reportedConflicts = ConcurrentHashMap.newKeySet();
    /** Serializes claims, so that two nodes announcing one dataset at once cannot both own it. */
    private final Object ownership = new Object();
    /** The last data each node reported, kept while it is down so errors can name what is missing. */
    private final Map<String, NodeHello> lastHello = new ConcurrentHashMap<>();
    /** Nodes that confirmed an analysis' cancel, by analysis id: node id to the primitives it stopped (recent ones). */
    private final Map<String, Map<String, Integer>> cancelConfirmations =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, Integer>> eldest) {
                    return size() > 1024;
                }
            });
    /** When a node's last session ended, and when it was last heard then: kept so that "down since" can be told. */
    private final Map<String, Down> wentDown = new ConcurrentHashMap<>();

    private record Down(Instant since, Instant lastSeen) {}

    /** Hellos whose datasets wait to be claimed, by node (the latest of each); drained by {@link #claimer}. */
    private final Map<String, Greeting> greetings = new LinkedHashMap<>();

    private volatile java.util.concurrent.Executor claimer;

    private record Greeting(NodeSession session, NodeHello hello) {}

    /** Lookups by node id and by dataset over one version of the federation state, rebuilt when it changes. */
    private volatile Index index;

    private record Index(FederationState state, Map<String, NodeRecord> nodes, Map<String, String> owners) {
        static Index of(FederationState state) {
            Map<String, NodeRecord> nodes = new HashMap<>();
            state.nodes().forEach(n -> nodes.put(n.id(), n));
            Map<String, String> owners = new HashMap<>();
            // the first owner of a dataset counts, as the list's order decides elsewhere
            state.datasetOwners().forEach(o -> owners.putIfAbsent(o.dataModel() + "\t" + o.dataset(), o.node()));
            return new Index(state, nodes, owners);
        }

        String owner(String dataModel, String dataset) {
            return owners.get(dataModel + "\t" + dataset);
        }
    }

    /** The index over the current state: analyses look nodes and owners up per node, hundreds of times each. */
    private Index index() {
        FederationState state = store.get();
        Index i = index;
        if (i == null || i.state() != state) {
            i = Index.of(state);
            index = i;
        }
        return i;
    }

    private Optional<NodeRecord> node(String nodeId) {
        return Optional.ofNullable(index().nodes().get(nodeId));
    }

    public NodeRegistry(StateStore store) {
        this(store, DatasetEvents.NONE);
    }

    /** @param datasetEvents told of every dataset claim refused because another node owns the dataset */
    public NodeRegistry(StateStore store, DatasetEvents datasetEvents) {
        this.store = requireNonNull(store, "store is null");
        this.datasetEvents = requireNonNull(datasetEvents, "datasetEvents is null");
    }

    /** Records a newly joined node (pending until started). */
    public NodeRecord joined(String id, String hostname, String role, String certificateSerial) {
        return joined(id, hostname, role, certificateSerial, null, null);
    }

    /** Records a newly joined node (pending until started) with its certificate's expiry and CA digest. */
    public NodeRecord joined(
            String id,
            String hostname,
            String role,
            String certificateSerial,
            Instant certificateExpires,
            String certificateCa) {
        NodeRecord record = new NodeRecord(
                id,
                hostname,
                role,
                Map.of(),
                NodeRecord.PENDING,
                certificateSerial,
                Instant.now(),
                certificateExpires,
                certificateCa);
        store.update(s -> {
            List<NodeRecord> nodes = new ArrayList<>(s.nodes());
            nodes.add(record);
            return s.withNodes(nodes);
        });
        LOG.info("node {} ({}) joined as {}", id, hostname, role);
        return record;
    }

    /** Checks that a certificate still belongs to a member: a removed node is refused. */
    public Optional<NodeRecord> member(String nodeId, String certificateSerial) {
        FederationState state = store.get();
        if (certificateSerial != null && state.removedSerials().contains(certificateSerial)) {
            return Optional.empty();
        }
        return node(nodeId);
    }

    /** Records a node's new certificate (renewal, or its move to the federation's new CA). */
    public NodeRecord renewed(String nodeId, String serial, Instant expires, String caDigest) {
        NodeRecord updated = store.updateNode(nodeId, n -> n.withCertificate(serial, expires, caDigest));
        LOG.info(
                "node {} renewed its certificate (serial {}, expires {}, CA {})",
                label(nodeId),
                serial,
                expires,
                caDigest);
        return updated;
    }

    /**
     * A session opened: it replaces any older session of the same node. One opened with a new certificate (the node
     * renewed and switched) lets the old one deliver what it owes; otherwise the old one is dead and closes now.
     */
    public void connected(NodeSession session) {
        NodeSession previous = sessions.put(session.nodeId(), session);
        if (previous != null && previous != session) {
            if (previous.certificate() != null
                    && session.certificate() != null
                    && !previous.certificate()
                            .getSerialNumber()
                            .equals(session.certificate().getSerialNumber())) {
                // the same running node switching to its renewed certificate: it holds the same data, so it stays
                // ready without waiting for its hello on the new session (which follows at once)
                if (previous.greeted() && !session.greeted()) {
                    session.hello(previous.hello());
                }
                previous.retire();
            } else {
                previous.close(Status.ABORTED.withDescription("replaced by a newer session"));
            }
        }
        LOG.info("node {} connected", label(session.nodeId()));
    }

    /**
     * A node said what it holds. A node that owns every dataset it announces (any reconnection, every node after a
     * manager restart) is ready at once: nothing to claim, no lock, no commit. Otherwise its claim is queued and
     * committed together with the other claims waiting (one commit for all of them, on one thread of its own), and the
     * session counts as greeted once its datasets are claimed: a node shown ready has its datasets in the catalogue.
     * The hello never waits here for a lock nor a commit, so it never holds up the session's heartbeats (the messages
     * of one call are delivered in order) nor a gRPC thread (measured with 500 nodes, where hundreds of hellos
     * waiting for one lock starved their heartbeats until the manager judged the sessions silent).
     */
    public void hello(NodeSession session, NodeHello hello) {
        lastHello.put(session.nodeId(), hello);
        if (ownsAll(session.nodeId(), hello)) {
            reportedConflicts.removeIf(key -> key.startsWith(session.nodeId() + "\t"));
            greet(session, hello);
            return;
        }
        synchronized (greetings) {
            // the latest hello of a node replaces one still waiting
            greetings.put(session.nodeId(), new Greeting(session, hello));
            if (greetings.size() > 1) {
                return; // a drain is already scheduled and takes this one too
            }
        }
        claimer().execute(this::drainGreetings);
    }

    /** Claims the datasets of every node whose hello waits, in one commit, then counts their sessions as greeted. */
    private void drainGreetings() {
        List<Greeting> batch;
        synchronized (greetings) {
            batch = new ArrayList<>(greetings.values());
            greetings.clear();
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            claimDatasets(batch.stream().map(g -> g.session().nodeId()).toList());
        } catch (RuntimeException e) {
            // the nodes are up all the same; their unclaimed datasets are claimed at their next hello or start
            LOG.warn("claiming the datasets of {} node(s) failed: {}", batch.size(), e.getMessage());
        }
        for (Greeting g : batch) {
            if (!g.session().closed()) {
                // the node's latest hello: one sent meanwhile (and greeted at once) is not overwritten by this older
                // one
                NodeHello latest = lastHello.get(g.session().nodeId());
                greet(g.session(), latest != null ? latest : g.hello());
            }
        }
    }

    private void greet(NodeSession session, NodeHello hello) {
        boolean first = !session.greeted();
        session.hello(hello);
        wentDown.remove(session.nodeId());
        if (LOG.isInfoEnabled()) {
            int datasets = hello.getDataModelsList().stream()
                    .mapToInt(DataModelInfo::getDatasetsCount)
                    .sum();
            LOG.info(
                    "node {} {}: {} data model(s), {} dataset(s)",
                    label(session.nodeId()),
                    first ? "is ready" : "reports new data",
                    hello.getDataModelsCount(),
                    datasets);
        }
    }

    private java.util.concurrent.Executor claimer() {
        java.util.concurrent.Executor c = claimer;
        if (c == null) {
            synchronized (greetings) {
                if (claimer == null) {
                    claimer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "dataset-claims");
                        t.setDaemon(true);
                        return t;
                    });
                }
                c = claimer;
            }
        }
        return c;
    }

    public void disconnected(NodeSession session, String reason) {
        session.close(null);
        if (sessions.remove(session.nodeId(), session)) {
            wentDown.put(session.nodeId(), new Down(Instant.now(), session.lastSeen()));
            LOG.info("node {} is down: {}", label(session.nodeId()), reason);
        }
    }

    /**
     * The manager stops: ends every session at once, each with a status that tells its node to dial again (which it
     * does on its own backoff), and forgets them, so that the transport's cancellations that follow find nothing to
     * do (no line per node in the log: one for all). Returns how many sessions were open. Nothing waits on a node.
     */
    public int closeAllForStop() {
        List<NodeSession> open = new ArrayList<>(sessions.values());
        sessions.clear();
        Status stopping = Status.UNAVAILABLE.withDescription(
                "the manager is stopping; the node dials it again (or another manager of the federation) by itself");
        for (NodeSession s : open) {
            s.close(stopping);
        }
        LOG.info("closed the sessions of {} node(s): the manager stops", open.size());
        return open.size();
    }

    /** Closes sessions that have been silent longer than {@code silence}: their node is down. */
    public void reapSilent(java.time.Duration silence) {
        Instant limit = Instant.now().minus(silence);
        for (NodeSession s : sessions.values()) {
            if (s.lastSeen().isBefore(limit)) {
                s.close(Status.UNAVAILABLE.withDescription("no heartbeat for " + silence.toMillis() + " ms"));
                disconnected(s, "silent for more than " + silence.toMillis() + " ms");
            }
        }
    }

    /** Closes every open session that {@code which} selects (e.g. certificates from a CA no longer trusted). */
    public void closeSessions(Predicate<NodeSession> which, String reason) {
        for (NodeSession s : sessions.values()) {
            if (which.test(s)) {
                s.close(Status.UNAUTHENTICATED.withDescription(reason));
                disconnected(s, reason);
            }
        }
    }

    /** Closes sessions whose certificate has expired: the manager accepts no expired certificate. */
    public void reapExpired() {
        Instant now = Instant.now();
        closeSessions(
                s -> s.certificate() != null
                        && s.certificate().getNotAfter().toInstant().isBefore(now),
                "the node's certificate has expired; the node must join again with a current token");
    }

    /** The open sessions, greeted or not. */
    public List<NodeSession> openSessions() {
        return sessions.values().stream().filter(s -> !s.closed()).toList();
    }

    public Optional<NodeSession> session(String nodeId) {
        NodeSession s = sessions.get(nodeId);
        return s == null || s.closed() || !s.greeted() ? Optional.empty() : Optional.of(s);
    }

    /** A node confirmed that it stopped an analysis ({@code AnalysisCancelled}), having {@code interrupted} running. */
    void cancelConfirmed(String nodeId, String analysisId, int interrupted) {
        cancelConfirmations
                .computeIfAbsent(analysisId, k -> new ConcurrentHashMap<>())
                .put(nodeId, interrupted);
    }

    /**
     * The nodes that confirmed the cancel of an analysis, by display name, with how many of its primitives each
     * stopped while they ran; empty if none did (yet).
     */
    public Map<String, Integer> cancelConfirmations(String analysisId) {
        Map<String, Integer> byId = cancelConfirmations.getOrDefault(analysisId, Map.of());
        Map<String, Integer> out = new java.util.TreeMap<>();
        byId.forEach((node, n) -> out.put(displayName(node), n));
        return out;
    }

    /** What a node last reported, whether or not it is up now. */
    public Optional<NodeHello> lastHello(String nodeId) {
        return Optional.ofNullable(lastHello.get(nodeId));
    }

    public List<NodeRecord> records() {
        return store.get().nodes();
    }

    public List<NodeView> views() {
        List<NodeView> out = new ArrayList<>();
        for (NodeRecord r : records()) {
            Optional<NodeSession> s = session(r.id());
            Map<String, List<String>> datasets = new TreeMap<>();
            Optional.ofNullable(lastHello.get(r.id()))
                    .ifPresent(h -> h.getDataModelsList()
                            .forEach(m -> datasets.put(
                                    m.getCode() + ":" + m.getVersion(),
                                    m.getDatasetsList().stream()
                                            .map(DatasetInfo::getCode)
                                            .sorted()
                                            .toList())));
            Map<String, Map<String, String>> conflicts = new TreeMap<>();
            conflicts(r.id())
                    .forEach((model, owners) -> owners.forEach((dataset, owner) -> conflicts
                            .computeIfAbsent(model, k -> new TreeMap<>())
                            .put(dataset, label(owner))));
            Map<String, Object> privacy = Optional.ofNullable(lastHello.get(r.id()))
                    .filter(NodeHello::hasPrivacy)
                    .map(h -> policy(h.getPrivacy()))
                    .orElse(null);
            out.add(new NodeView(
                    r.id(),
                    s.map(x -> x.hello().getHostname())
                            .filter(h -> !h.isBlank())
                            .orElse(r.hostname()),
                    r.alias(),
                    r.role(),
                    s.isPresent() ? "ready" : "down",
                    r.availability(),
                    r.labels(),
                    datasets,
                    conflicts,
                    privacy,
                    s.map(NodeSession::lastSeen)
                            .orElse(Optional.ofNullable(wentDown.get(r.id()))
                                    .map(Down::lastSeen)
                                    .orElse(null)),
                    s.isPresent()
                            ? null
                            : Optional.ofNullable(wentDown.get(r.id()))
                                    .map(Down::since)
                                    .orElse(null),
                    r.joinedAt(),
                    r.certificateExpires()));
        }
        return out;
    }

    /**
     * A node's privacy policy as it announced it, every field of the message under its own name (those
     * of {@code node.json}), so a rule added to the policy shows without a change here.
     */
    private static Map<String, Object> policy(org.mipfed.proto.v1.PrivacyPolicy policy) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Descriptors.FieldDescriptor field : policy.getDescriptorForType().getFields()) {
            Object value = policy.getField(field);
            out.put(
                    field.getName(),
                    value instanceof Descriptors.EnumValueDescriptor e
                            ? e.getName()
                            : value instanceof com.google.protobuf.Message m ? m.toString() : value);
        }
        return out;
    }

    /** Finds a node by id, unique id prefix, alias or hostname, as docker does. */
    public NodeRecord resolve(String ref) {
        List<NodeRecord> nodes = records();
        for (NodeRecord n : nodes) {
            if (n.id().equals(ref) || ref.equals(n.alias())) {
                return n;
            }
        }
        List<NodeRecord> matches = nodes.stream()
                .filter(n -> n.id().startsWith(ref) || ref.equals(n.hostname()))
                .toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw Problem.notFound(
                    "No node '" + ref + "': give a node id, an id prefix, an alias or a hostname (see mipfed node ls)");
        }
        throw Problem.badRequest("'" + ref + "' matches " + matches.size() + " nodes; give more of the id");
    }

    /** Adds or removes labels; {@code name} is the alias and must stay unique. */
    public NodeRecord label(String ref, Map<String, String> add, List<String> remove) {
        NodeRecord node = resolve(ref);
        String alias = add.get("name");
        if (alias != null) {
            if (!alias.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,62}")) {
                throw Problem.badRequest("The alias '" + alias
                        + "' must be letters, digits, '.', '-' or '_' (at most 63), starting with a letter or digit");
            }
            for (NodeRecord other : records()) {
                if (!other.id().equals(node.id()) && alias.equals(other.alias())) {
                    throw new Problem(
                            ProblemType.UNPROCESSABLE,
                            "The alias '" + alias + "' already names node " + other.id()
                                    + "; remove it there first or choose another");
                }
            }
        }
        NodeRecord updated = store.updateNode(node.id(), n -> {
            Map<String, String> labels = new LinkedHashMap<>(n.labels());
            remove.forEach(labels::remove);
            labels.putAll(add);
            return n.withLabels(labels);
        });
        LOG.info("node {} labels are now {}", label(node.id()), updated.labels());
        return updated;
    }

    /** Starts or stops nodes given by alias (or id); "all" means every node. */
    public List<NodeRecord> setAvailability(List<String> refs, boolean active) {
        List<NodeRecord> targets = refs.size() == 1 && refs.get(0).equals("all")
                ? records()
                : refs.stream().map(this::resolve).toList();
        // one committed change for all of them: "all" with hundreds of nodes was as many commits in a row
        Set<String> ids = new HashSet<>();
        targets.forEach(t -> ids.add(t.id()));
        String availability = active ? NodeRecord.ACTIVE : NodeRecord.PENDING;
        FederationState changed = store.update(s -> s.withNodes(s.nodes().stream()
                .map(n -> ids.contains(n.id()) ? n.withAvailability(availability) : n)
                .toList()));
        Map<String, NodeRecord> byId = new HashMap<>();
        changed.nodes().forEach(n -> byId.put(n.id(), n));
        List<NodeRecord> out = new ArrayList<>();
        for (NodeRecord t : targets) {
            LOG.info("node {} is {}", label(t.id()), active ? "started (active)" : "stopped (pending)");
            out.add(byId.getOrDefault(t.id(), t));
        }
        if (active) {
            claimDatasets(targets.stream().map(NodeRecord::id).toList());
        }
        return out;
    }

    /** Removes a node: its certificate is refused from now on and its session is closed. */
    public NodeRecord remove(String ref) {
        NodeRecord node = resolve(ref);
        store.update(s -> {
            List<NodeRecord> nodes =
                    s.nodes().stream().filter(n -> !n.id().equals(node.id())).toList();
            List<String> removed = new ArrayList<>(s.removedSerials());
            if (node.certificateSerial() != null) {
                removed.add(node.certificateSerial());
            }
            // a removed node releases its datasets
            return s.withMembership(
                    nodes,
                    removed,
                    s.datasetOwners().stream()
                            .filter(o -> !o.node().equals(node.id()))
                            .toList());
        });
        reportedConflicts.removeIf(key -> key.startsWith(node.id() + "\t"));
        lastHello.remove(node.id());
        NodeSession s = sessions.remove(node.id());
        if (s != null) {
            s.close(Status.PERMISSION_DENIED.withDescription("this node was removed from the federation"));
        }
        LOG.info(
                "node {} removed; its certificate is refused from now on",
                node.alias() == null ? node.id() : node.alias() + " (" + node.id() + ")");
        // what it owned goes to the first started node (in joining order) that announces it, as if it were announced
        // now
        claimDatasets(records().stream().map(NodeRecord::id).toList());
        return node;
    }

    /**
     * Claims, for a started node, every dataset it announced that no node owns yet, and reports each
     * dataset it announced that another node owns (a refused claim: that dataset of this node is not
     * used). A pending node claims nothing until it is started, so that only a node an administrator
     * admitted can take a dataset code; its conflicts are reported all the same.
     */
    private void claimDatasets(String nodeId) {
        claimDatasets(List.of(nodeId));
    }

    /**
     * {@link #claimDatasets(String)} for several nodes, in their order (the first to announce a free dataset gets
     * it), with one committed change for all their claims: starting hundreds of nodes at once was as many commits in
     * a row, each holding up the claims behind it.
     */
    private void claimDatasets(List<String> nodeIds) {
        List<String> claiming = new ArrayList<>();
        for (String nodeId : nodeIds) {
            NodeHello hello = lastHello.get(nodeId);
            if (hello == null || node(nodeId).isEmpty()) {
                continue;
            }
            if (ownsAll(nodeId, hello)) {
                // a node greeting again (a reconnection, a manager restart) owns what it announces: nothing to claim
                reportedConflicts.removeIf(key -> key.startsWith(nodeId + "\t"));
            } else {
                claiming.add(nodeId);
            }
        }
        if (claiming.isEmpty()) {
            return;
        }
        List<String[]> conflicts = new ArrayList<>();
        synchronized (ownership) {
            FederationState state = store.get();
            List<DatasetOwner> owners = new ArrayList<>(state.datasetOwners());
            Map<String, String> ownerOf = new HashMap<>(Index.of(state).owners());
            List<DatasetOwner> claimed = new ArrayList<>();
            for (String nodeId : claiming) {
                NodeHello hello = lastHello.get(nodeId);
                Optional<NodeRecord> record = node(nodeId);
                if (hello == null || record.isEmpty()) {
                    continue;
                }
                boolean active = record.get().active();
                Set<String> current = new HashSet<>();
                for (DataModelInfo m : hello.getDataModelsList()) {
                    String model = m.getCode() + ":" + m.getVersion();
                    for (DatasetInfo d : m.getDatasetsList()) {
                        String key = model + "\t" + d.getCode();
                        String owner = ownerOf.get(key);
                        if (owner == null && active) {
                            DatasetOwner claim = new DatasetOwner(model, d.getCode(), nodeId, Instant.now());
                            owners.add(claim);
                            claimed.add(claim);
                            ownerOf.put(key, nodeId);
                        } else if (owner != null && !owner.equals(nodeId)) {
                            String conflict = conflictKey(nodeId, model, d.getCode());
                            current.add(conflict);
                            if (reportedConflicts.add(conflict)) {
                                conflicts.add(new String[] {model, d.getCode(), owner, nodeId});
                            }
                        }
                    }
                }
                reportedConflicts.removeIf(key -> key.startsWith(nodeId + "\t") && !current.contains(key));
            }
            if (!claimed.isEmpty()) {
                store.update(s -> s.withDatasetOwners(owners));
                Map<String, List<String>> byNode = new LinkedHashMap<>();
                claimed.forEach(c -> byNode.computeIfAbsent(c.node(), k -> new ArrayList<>())
                        .add(c.dataset() + " (" + c.dataModel() + ")"));
                byNode.forEach((nodeId, datasets) ->
                        LOG.info("node {} owns {} new dataset(s): {}", label(nodeId), datasets.size(), datasets));
            }
        }
        for (String[] c : conflicts) {
            LOG.warn(
                    "node {} announced dataset {} of {}, which node {} owns: refused, that dataset of {} is not used",
                    label(c[3]),
                    c[1],
                    c[0],
                    label(c[2]),
                    label(c[3]));
            datasetEvents.conflict(c[3], c[0], c[1], c[2]);
        }
    }

    /** Whether the node owns every dataset it announced (read without the ownership lock: an owner only changes under it). */
    private boolean ownsAll(String nodeId, NodeHello hello) {
        Index i = index();
        for (DataModelInfo m : hello.getDataModelsList()) {
            String model = m.getCode() + ":" + m.getVersion();
            for (DatasetInfo d : m.getDatasetsList()) {
                if (!nodeId.equals(i.owner(model, d.getCode()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String conflictKey(String nodeId, String dataModel, String dataset) {
        return nodeId + "\t" + dataModel + "\t" + dataset;
    }

    /** The node that owns a dataset, if any node announced it (or an administrator placed it). */
    public Optional<String> owner(String dataModel, String dataset) {
        return Optional.ofNullable(index().owner(dataModel, dataset));
    }

    /** Every dataset's owner, by data model then dataset. */
    public List<DatasetOwner> datasetOwners() {
        return store.get().datasetOwners().stream()
                .sorted(java.util.Comparator.comparing(DatasetOwner::dataModel).thenComparing(DatasetOwner::dataset))
                .toList();
    }

    /**
     * Moves a dataset to another node, deliberately (an administrator's decision: the dataset really
     * moved, or the first claim was wrong). The node need not announce it yet; until it does, the
     * dataset is not available. The node that owned it, if it still announces it, is then in conflict.
     *
     * @return the new owner
     * @throws Problem 404 if no node announced the dataset and none owns it, or the node is unknown
     */
    public DatasetOwner moveDataset(String dataModel, String dataset, String nodeRef) {
        NodeRecord node = resolve(nodeRef);
        DatasetOwner moved = new DatasetOwner(dataModel, dataset, node.id(), Instant.now());
        synchronized (ownership) {
            boolean known = owner(dataModel, dataset).isPresent()
                    || lastHello.values().stream()
                            .anyMatch(h -> h.getDataModelsList().stream()
                                    .anyMatch(m -> (m.getCode() + ":" + m.getVersion()).equals(dataModel)
                                            && m.getDatasetsList().stream()
                                                    .anyMatch(d -> d.getCode().equals(dataset))));
            if (!known) {
                throw Problem.notFound("No node announced the dataset '" + dataset + "' of the data model '" + dataModel
                        + "' and none owns it; check both (GET /admin/datasets lists every dataset and its owner)");
            }
            store.update(s -> {
                List<DatasetOwner> owners = new ArrayList<>(s.datasetOwners().stream()
                        .filter(o -> !o.is(dataModel, dataset))
                        .toList());
                owners.add(moved);
                return s.withDatasetOwners(owners);
            });
            // the new owner is no longer in conflict; the old one, if it still announces the dataset, is (and is told
            // at its next hello)
            reportedConflicts.remove(conflictKey(node.id(), dataModel, dataset));
        }
        LOG.info("dataset {} of {} now belongs to node {}", dataset, dataModel, label(node.id()));
        return moved;
    }

    /** The datasets a node announced that another node owns: data model id to dataset code to owner id. */
    public Map<String, Map<String, String>> conflicts(String nodeId) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        NodeHello hello = lastHello.get(nodeId);
        if (hello == null) {
            return out;
        }
        Index i = index();
        for (DataModelInfo m : hello.getDataModelsList()) {
            String model = m.getCode() + ":" + m.getVersion();
            for (DatasetInfo d : m.getDatasetsList()) {
                String owner = i.owner(model, d.getCode());
                if (owner != null && !owner.equals(nodeId)) {
                    out.computeIfAbsent(model, k -> new TreeMap<>()).put(d.getCode(), owner);
                }
            }
        }
        return out;
    }

    /** Whether analyses may use this dataset of this node: only if the node owns it. */
    public boolean serves(String nodeId, String dataModel, String dataset) {
        return owner(dataModel, dataset).map(nodeId::equals).orElse(false);
    }

    /** A human name for logs: alias (id) or the id. */
    public String label(String nodeId) {
        return node(nodeId)
                .map(NodeRecord::alias)
                .map(a -> a + " (" + nodeId + ")")
                .orElse(nodeId);
    }

    /** The name shown to researchers: the alias, or the id. */
    public String displayName(String nodeId) {
        return node(nodeId).map(NodeRecord::alias).orElse(nodeId);
    }
}
