package org.mipfed.manager.session;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.proto.v1.ManagerDirectory;
import org.mipfed.proto.v1.ManagerEndpoint;
import org.mipfed.proto.v1.ManagerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The federation's managers as nodes learn them: sent on every session after the welcome, and to every connected
 * node whenever the list changes, so that each node holds a session to every manager and drops one that left.
 */
public final class ManagerDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerDirectories.class);

    private final StateStore store;
    private final Supplier<ManagerRecord> self;

    /**
     * @param self this manager, as nodes reach it: the list when the state names no managers (a group of one, or a
     *     state written before the list existed)
     */
    public ManagerDirectories(StateStore store, Supplier<ManagerRecord> self) {
        this.store = requireNonNull(store, "store is null");
        this.self = requireNonNull(self, "self is null");
    }

    /** The directory of the current state. */
    public ManagerDirectory current() {
        return of(store.get(), self.get());
    }

    /** The directory a state gives, {@code self} alone when it names no managers. */
    public static ManagerDirectory of(FederationState state, ManagerRecord self) {
        ManagerDirectory.Builder directory = ManagerDirectory.newBuilder().setVersion(state.managersVersion());
        for (ManagerRecord m : state.managersOr(self)) {
            directory.addManagers(ManagerEndpoint.newBuilder()
                    .setId(m.id())
                    .setAddress(m.address())
                    .setHttpAddress(m.httpAddress()));
        }
        return directory.build();
    }

    /** The list's version last sent to the nodes connected here. */
    private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong(-1);

    /**
     * Sends the directory to every node connected here when the list changed since it was last sent: a change
     * committed through another manager (a manager joined there, or was demoted) reaches this manager's nodes too.
     */
    public void resendIfChanged(NodeRegistry registry) {
        requireNonNull(registry, "registry is null");
        FederationState now = store.get();
        long last = sent.get();
        if (last >= 0 && last != now.managersVersion() && sent.compareAndSet(last, now.managersVersion())) {
            send(registry, now);
        }
    }

    /** Sends the new directory to every node connected here whenever a change of the state changes the list. */
    public void followChanges(NodeRegistry registry) {
        requireNonNull(registry, "registry is null");
        sent.compareAndSet(-1, store.get().managersVersion());
        store.onChange((before, after) -> {
            if (before.managersVersion() == after.managersVersion()
                    && before.managers().equals(after.managers())) {
                return;
            }
            if (sent.getAndSet(after.managersVersion()) != after.managersVersion()) {
                send(registry, after);
            }
        });
    }

    private void send(NodeRegistry registry, FederationState after) {
        ManagerMessage message =
                ManagerMessage.newBuilder().setDirectory(of(after, self.get())).build();
        int told = 0;
        for (var session : registry.openSessions()) {
            if (session.offer(message)) {
                told++;
            }
        }
        LOG.info(
                "the federation's managers are now {} (version {}): told {} connected node(s)",
                after.managersOr(self.get()).stream()
                        .map(ManagerRecord::address)
                        .toList(),
                after.managersVersion(),
                told);
    }

    /** {@code host:port}, with an IPv6 host in brackets. */
    public static String hostPort(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}
