package org.mipfed.node.session;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.mipfed.proto.v1.ManagerDirectory;
import org.mipfed.proto.v1.ManagerEndpoint;
import org.mipfed.proto.v1.NodeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's sessions to every manager of the federation, one {@link SessionClient} each, so that a manager's death
 * costs no analysis on the others: each reconnects on its own, with backoff and jitter, forever; requests are
 * answered on whichever session they came (the node's privacy guard and refusal budget are the node's own, whatever
 * manager relays a request). The list comes from the managers' directory: a manager that joins is dialled, one that
 * left is disconnected and forgotten, and the list is kept in {@code node.json} for the next start.
 */
public final class ManagerLinks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerLinks.class);
    /** More managers than a Raft group sensibly has: a directory this long is refused as a fault or an attack. */
    public static final int MAX_MANAGERS = 9;

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):\\d{1,5}");
    private static final int MAX_WAITING = 100;

    /** Makes the session to one manager, telling {@code events} what it hears. */
    @FunctionalInterface
    public interface SessionFactory {
        SessionClient create(String target, SessionClient.Events events);
    }

    /** Keeps the list for the next start (node.json). */
    @FunctionalInterface
    public interface DirectoryStore {
        void save(List<KnownManager> managers, long version);
    }

    /** One manager's session as {@code mipfed node status} shows it. */
    public record Link(KnownManager manager, SessionClient.LinkStatus status) {}

    private final SessionFactory factory;
    private final DirectoryStore store;
    private final Map<String, SessionClient> clients = new LinkedHashMap<>();
    private final ArrayDeque<NodeMessage> waiting = new ArrayDeque<>();
    private final SessionClient.Events events = new Events();
    private List<KnownManager> managers;
    private long version;
    private boolean started;
    private boolean closed;

    /**
     * @param managers the managers known at start (node.json)
     * @param version the version of that list (0 for a node.json written before the directory existed)
     */
    public ManagerLinks(List<KnownManager> managers, long version, SessionFactory factory, DirectoryStore store) {
        this.managers = List.copyOf(requireNonNull(managers, "managers is null"));
        if (this.managers.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one manager address");
        }
        this.version = version;
        this.factory = requireNonNull(factory, "factory is null");
        this.store = requireNonNull(store, "store is null");
    }

    /** Dials every known manager. */
    public synchronized void start() {
        started = true;
        for (KnownManager m : managers) {
            open(m.address());
        }
    }

    private void open(String address) {
        SessionClient client = factory.create(address, events);
        clients.put(address, client);
        client.start();
    }

    /** The managers the node holds sessions to, and the version of that list. */
    public synchronized List<KnownManager> managers() {
        return managers;
    }

    public synchronized long version() {
        return version;
    }

    /** Every manager's session, in the list's order. */
    public synchronized List<Link> links() {
        List<Link> out = new ArrayList<>();
        for (KnownManager m : managers) {
            SessionClient c = clients.get(m.address());
            if (c != null) {
                out.add(new Link(m, c.status()));
            }
        }
        return out;
    }

    /** Whether the session to at least one manager is up. */
    public synchronized boolean anyConnected() {
        return clients.values().stream().anyMatch(SessionClient::connected);
    }

    /**
     * The managers' clock minus this node's, in milliseconds, as the welcome of a session that is up showed it; empty
     * while no session is up to a manager that tells its time.
     */
    public synchronized java.util.OptionalLong clockOffsetMillis() {
        return clients.values().stream()
                .filter(SessionClient::connected)
                .map(SessionClient::clockOffsetMillis)
                .filter(java.util.OptionalLong::isPresent)
                .findFirst()
                .orElse(java.util.OptionalLong.empty());
    }

    /** Tells every manager the node's data changed (after an import). */
    public synchronized void sendHello() {
        clients.values().forEach(SessionClient::sendHello);
    }

    /**
     * Sends a message outside the request/answer flow (a privacy alert) to one manager whose session is up — the
     * managers share their audit trail, so one is enough — or, while none is, to the first that comes up (the last
     * {@value #MAX_WAITING} kept; the node's audit log has every one).
     */
    public synchronized void send(NodeMessage message) {
        for (SessionClient c : clients.values()) {
            if (c.connected()) {
                c.send(message);
                return;
            }
        }
        waiting.addLast(message);
        while (waiting.size() > MAX_WAITING) {
            waiting.removeFirst();
        }
        LOG.warn("no session to any manager is up: the {} will be sent once one is", message.getKindCase());
    }

    private synchronized void welcomed(SessionClient client) {
        while (!waiting.isEmpty() && clients.get(client.target()) == client) {
            client.send(waiting.removeFirst());
        }
    }

    /**
     * Takes a manager's directory: an older one than the node holds is ignored (that manager's state lags), a newer
     * one replaces the list, dialling the managers that joined and disconnecting those that left.
     */
    synchronized void directory(SessionClient from, ManagerDirectory directory) {
        if (closed) {
            return;
        }
        List<KnownManager> next = parse(from.target(), directory);
        if (next == null) {
            return;
        }
        if (directory.getVersion() < version) {
            LOG.debug(
                    "ignoring the managers' list version {} from {}: this node holds version {}",
                    directory.getVersion(),
                    from.target(),
                    version);
            return;
        }
        if (next.equals(managers)) {
            return;
        }
        if (directory.getVersion() == version && !addresses(next).equals(addresses(managers))) {
            LOG.warn(
                    "manager {} sends another list of managers ({}) than this node holds ({}) under the same version {};"
                            + " keeping this node's",
                    from.target(),
                    addresses(next),
                    addresses(managers),
                    version);
            return;
        }
        Set<String> before = addresses(managers);
        Set<String> after = addresses(next);
        try {
            store.save(next, directory.getVersion());
        } catch (RuntimeException e) {
            // the sessions follow the list all the same; the next start dials the managers node.json still names
            LOG.error("cannot keep the federation's managers in node.json: {}", e.getMessage());
        }
        managers = next;
        version = directory.getVersion();
        LOG.info("the federation's managers are now {} (version {}, from {})", after, version, from.target());
        if (!started) {
            return;
        }
        for (String address : after) {
            if (!before.contains(address) || !clients.containsKey(address)) {
                LOG.info("dialling manager {}, new in the list", address);
                open(address);
            }
        }
        for (String address : before) {
            if (!after.contains(address)) {
                SessionClient gone = clients.remove(address);
                if (gone != null) {
                    LOG.info("manager {} left the federation's list: disconnecting from it", address);
                    gone.close();
                }
            }
        }
    }

    /** The directory's managers, or null (and a log line) if the directory is not one to follow. */
    private static List<KnownManager> parse(String from, ManagerDirectory directory) {
        if (directory.getManagersCount() == 0) {
            LOG.warn("ignoring an empty list of managers from {}", from);
            return null;
        }
        if (directory.getManagersCount() > MAX_MANAGERS) {
            LOG.error(
                    "ignoring a list of {} managers from {}: more than {} is not a federation's",
                    directory.getManagersCount(),
                    from,
                    MAX_MANAGERS);
            return null;
        }
        List<KnownManager> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ManagerEndpoint m : directory.getManagersList()) {
            if (!HOST_PORT.matcher(m.getAddress()).matches()) {
                LOG.error("ignoring the list of managers from {}: '{}' is not host:port", from, m.getAddress());
                return null;
            }
            if (seen.add(m.getAddress())) {
                out.add(new KnownManager(m.getId(), m.getAddress()));
            }
        }
        return List.copyOf(out);
    }

    private static Set<String> addresses(List<KnownManager> list) {
        Set<String> out = new LinkedHashSet<>();
        list.forEach(m -> out.add(m.address()));
        return out;
    }

    /** One session renewed the node's certificate: the others move to it too (each make-before-break). */
    private synchronized void renewed(SessionClient by) {
        for (SessionClient c : clients.values()) {
            if (c != by) {
                c.switchCertificate();
            }
        }
    }

    @Override
    public void close() {
        List<SessionClient> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(clients.values());
            clients.clear();
        }
        all.forEach(SessionClient::close);
    }

    private final class Events implements SessionClient.Events {
        @Override
        public void welcomed(SessionClient client) {
            ManagerLinks.this.welcomed(client);
        }

        @Override
        public void directory(SessionClient client, ManagerDirectory directory) {
            ManagerLinks.this.directory(client, directory);
        }

        @Override
        public void certificateRenewed(SessionClient client) {
            renewed(client);
        }
    }
}
