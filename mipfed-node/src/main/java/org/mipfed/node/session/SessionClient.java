package org.mipfed.node.session;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.mipfed.core.session.SessionProtocol;
import org.mipfed.proto.v1.AnalysisCancelled;
import org.mipfed.proto.v1.CancelAnalysis;
import org.mipfed.proto.v1.Heartbeat;
import org.mipfed.proto.v1.ManagerDirectory;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's outbound session to one manager: opens it, says hello, sends heartbeats,
 * answers primitive requests, and when the manager is away reconnects with exponential backoff and
 * jitter, forever. The node never listens on the network. A node holds one per manager of the federation
 * ({@link ManagerLinks}), each reconnecting on its own.
 *
 * <p>With a {@link CertificateRenewal}, it also renews the node's certificate over the session and then
 * switches make-before-break: a new session opens with the new certificate, and the old one closes once it has
 * answered the requests it had taken, so no analysis loses an answer.
 */
public final class SessionClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionClient.class);
    /** How long a replaced session may take to finish the requests it had taken. */
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(30);

    private static final String RENEWED = "renewed";

    /** Answers a primitive request that came on the session of the manager {@code manager} (its certificate subject). */
    @FunctionalInterface
    public interface Answerer {
        PrimitiveResponse answer(PrimitiveRequest request, String manager);

        /**
         * The manager {@code manager} cancelled an analysis: stop its primitives.
         *
         * @return how many of them were running
         */
        default int cancel(CancelAnalysis cancel, String manager) {
            return 0;
        }
    }

    /** What the session tells the rest of the node besides requests. */
    public interface Events {
        Events NONE = new Events() {};

        /** The manager welcomed a new session. */
        default void welcomed(SessionClient client) {}

        /** The manager sent the federation's list of managers. */
        default void directory(SessionClient client, ManagerDirectory directory) {}

        /** This session renewed the node's certificate and is switching to it. */
        default void certificateRenewed(SessionClient client) {}
    }

    /** The session's state as {@code mipfed node status} shows it. */
    public enum State {
        /** Dialling the manager for the first time since the node started. */
        CONNECTING,
        /** The manager welcomed the session: it may send requests. */
        CONNECTED,
        /** The last session ended or the last attempt failed; the next attempt follows after the backoff. */
        DOWN,
        /** Closed for good (the node stops, or the manager left the federation's list). */
        CLOSED
    }

    /**
     * @param target the manager's address
     * @param state where the session is
     * @param since when it got there
     * @param lastError why the last session ended or the last attempt failed (empty if none did)
     * @param failures attempts failed in a row since the last welcome
     * @param manager the manager's certificate subject, once a session was up
     */
    public record LinkStatus(
            String target, State state, Instant since, String lastError, int failures, String manager) {}

    private final String target;
    private final Supplier<ChannelCredentials> credentials;
    private final Supplier<NodeHello> hello;
    private final Answerer answer;
    private final ExecutorService workers;
    private final CertificateRenewal renewal;
    private final Events events;
    private final Thread loop;
    private volatile boolean closed;
    private volatile Link current;
    private volatile long clockOffsetMillis;
    private volatile boolean clockKnown;
    private volatile State state = State.CONNECTING;
    private volatile Instant stateSince = Instant.now();
    private volatile String lastError = "";
    private volatile int failures;
    /**
     * The channel of the last session, kept while its connection is up and the credentials are the same object: the
     * next session opens on that connection without a new TLS handshake (a session the manager closed, e.g. as silent,
     * on a connection that lives on). A channel whose connection is gone is shut down at once: gRPC would otherwise
     * dial again on its own timer, outside this client's backoff and jitter.
     */
    private volatile ManagedChannel channel;
    /** The credentials {@link #channel} was built with: another object (a renewed certificate, new CAs) builds anew. */
    private ChannelCredentials channelCredentials;

    private final AtomicInteger channelsBuilt = new AtomicInteger();

    /** One session: its channel, its outbound stream and the requests it is still answering. */
    private static final class Link {
        final ManagedChannel channel;
        final AtomicInteger answering = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch welcomed = new CountDownLatch(1);
        volatile StreamObserver<NodeMessage> out;
        volatile boolean switchCertificate;
        volatile String why = "closed";
        /** When a message last went out on this link ({@link System#nanoTime}): any message tells the manager we live. */
        volatile long lastSent = System.nanoTime();

        Link(ManagedChannel channel) {
            this.channel = channel;
        }

        void send(NodeMessage message) {
            StreamObserver<NodeMessage> stream = out;
            if (stream == null) {
                return;
            }
            // StreamObserver is not thread-safe: answers come from worker threads.
            synchronized (this) {
                try {
                    stream.onNext(message);
                    lastSent = System.nanoTime();
                } catch (RuntimeException e) {
                    LOG.debug("cannot send on a closing session: {}", e.getMessage());
                }
            }
        }

        /**
         * How long until the next heartbeat is due: one {@link SessionProtocol#HEARTBEAT} after the last message of
         * any kind. The manager counts every message as a sign of life, so a node answering analyses several times a
         * second sends no heartbeat at all, and the manager still hears from every live node at least once a second.
         */
        long heartbeatDueInNanos() {
            return lastSent + SessionProtocol.HEARTBEAT.toNanos() - System.nanoTime();
        }

        void complete() {
            StreamObserver<NodeMessage> stream = out;
            if (stream != null) {
                synchronized (this) {
                    try {
                        stream.onCompleted();
                    } catch (RuntimeException ignored) {
                        // already closed
                    }
                }
            }
        }
    }

    private volatile String managerIdentity = "";
    private static final int MAX_WAITING = 100;
    /** Alerts raised while no session was up, sent once the next one is welcomed. */
    private final java.util.ArrayDeque<NodeMessage> waiting = new java.util.ArrayDeque<>();

    public SessionClient(
            String target,
            ChannelCredentials credentials,
            Supplier<NodeHello> hello,
            Function<PrimitiveRequest, PrimitiveResponse> answer,
            ExecutorService workers) {
        this(target, constant(requireNonNull(credentials, "credentials is null")), hello, answer, workers, null);
    }

    /** A session whose requests are answered without knowing the manager, and whose events nobody follows. */
    public SessionClient(
            String target,
            Supplier<ChannelCredentials> credentials,
            Supplier<NodeHello> hello,
            Function<PrimitiveRequest, PrimitiveResponse> answer,
            ExecutorService workers,
            CertificateRenewal renewal) {
        this(
                target,
                credentials,
                hello,
                adapt(requireNonNull(answer, "answer is null")),
                workers,
                renewal,
                Events.NONE);
    }

    private static Answerer adapt(Function<PrimitiveRequest, PrimitiveResponse> answer) {
        return (request, manager) -> answer.apply(request);
    }

    /**
     * @param credentials read at each connection, so a renewed certificate is used from the next session on
     * @param renewal renews the certificate over the session; null to never renew
     * @param events told of welcomes, of the managers' list and of renewals
     */
    public SessionClient(
            String target,
            Supplier<ChannelCredentials> credentials,
            Supplier<NodeHello> hello,
            Answerer answer,
            ExecutorService workers,
            CertificateRenewal renewal,
            Events events) {
        this.target = requireNonNull(target, "target is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.hello = requireNonNull(hello, "hello is null");
        this.answer = requireNonNull(answer, "answer is null");
        this.workers = requireNonNull(workers, "workers is null");
        this.renewal = renewal;
        this.events = requireNonNull(events, "events is null");
        this.loop = new Thread(this::run, "mipfed-session " + target);
        this.loop.setDaemon(true);
    }

    /** The manager's address this session dials. */
    public String target() {
        return target;
    }

    /** Where the session is now. */
    public LinkStatus status() {
        return new LinkStatus(target, state, stateSince, lastError, failures, managerIdentity);
    }

    /** Whether a session is up and welcomed now. */
    public boolean connected() {
        Link link = current;
        return !closed && link != null && link.welcomed.getCount() == 0 && link.done.getCount() > 0;
    }

    private void state(State next) {
        if (state != next) {
            state = next;
            stateSince = Instant.now();
        }
    }

    /**
     * Moves the session to the node's current certificate, make-before-break, as after a renewal on this session:
     * another manager's session renewed it. Nothing happens while no session is up (the next one uses it anyway).
     */
    public void switchCertificate() {
        Link link = current;
        if (link != null && link.welcomed.getCount() == 0 && !closed) {
            link.switchCertificate = true;
            link.done.countDown();
        }
    }

    private static Supplier<ChannelCredentials> constant(ChannelCredentials credentials) {
        return () -> credentials;
    }

    public void start() {
        loop.start();
    }

    /**
     * The manager of the current session as its TLS certificate proves it (the certificate's subject), for the
     * audit log; empty before the first session is up.
     */
    public String managerIdentity() {
        return managerIdentity;
    }

    /**
     * The manager's clock minus this node's, in milliseconds, as the last welcome showed it (within the welcome's
     * transit time); empty before a manager that tells its time has welcomed the node.
     */
    public java.util.OptionalLong clockOffsetMillis() {
        return clockKnown ? java.util.OptionalLong.of(clockOffsetMillis) : java.util.OptionalLong.empty();
    }

    /**
     * Sends a message outside the request/answer flow (a privacy alert) on the current session, or, while
     * none is up, once the next one is welcomed (the last {@value #MAX_WAITING} kept; the node's audit log
     * has every one).
     */
    public void send(NodeMessage message) {
        Link link = current;
        if (link != null && link.welcomed.getCount() == 0) {
            link.send(message);
            return;
        }
        synchronized (waiting) {
            waiting.addLast(message);
            while (waiting.size() > MAX_WAITING) {
                waiting.removeFirst();
            }
        }
        LOG.warn("no session to the manager yet: the {} will be sent once one is up", message.getKindCase());
    }

    private void flushWaiting(Link link) {
        synchronized (waiting) {
            while (!waiting.isEmpty()) {
                link.send(waiting.removeFirst());
            }
        }
    }

    /** Tells the manager the node's data changed (after an import), on the current session if any. */
    public void sendHello() {
        Link link = current;
        if (link != null) {
            link.send(NodeMessage.newBuilder().setHello(hello.get()).build());
        }
    }

    private void run() {
        ReconnectBackoff backoff = new ReconnectBackoff(
                SessionProtocol.RECONNECT_BASE, SessionProtocol.RECONNECT_CAP, ThreadLocalRandom.current());
        while (!closed) {
            long started = System.nanoTime();
            if (renewal != null) {
                renewal.expired();
            }
            String ended = session();
            if (closed) {
                break;
            }
            if (ended.equals(RENEWED)) {
                backoff.reset();
                continue;
            }
            lastError = ended;
            failures++;
            state(State.DOWN);
            if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(10)) {
                backoff.reset();
            }
            long wait = backoff.nextMillis();
            LOG.warn("session to manager {} ended ({}); reconnecting in {} ms", target, ended, wait);
            sleep(wait);
        }
        state(State.CLOSED);
    }

    /**
     * How many channels this client has built: one per attempt while the manager is away, none for a session that
     * opens on a kept connection. A channel is cheap when its credentials carry a prebuilt TLS context (as the node's
     * do: {@code NodeCredentials.sessionCredentials()}); the handshake is what costs.
     */
    public int channelsBuilt() {
        return channelsBuilt.get();
    }

    /**
     * The channel for the next session: the kept one while its connection is up and the credentials are the same,
     * else a new one. The old channel is shut down here unless a session still runs on it (a renewal's
     * make-before-break retires it).
     */
    private ManagedChannel channel() {
        ChannelCredentials wanted = credentials.get();
        ManagedChannel kept = channel;
        if (kept != null
                && wanted == channelCredentials
                && !kept.isShutdown()
                && kept.getState(false) == ConnectivityState.READY) {
            return kept;
        }
        ManagedChannel built = Grpc.newChannelBuilder(target, wanted)
                // the session contract the manager's ManagerServer keeps too
                .keepAliveTime(SessionProtocol.KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(SessionProtocol.KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(SessionProtocol.MAX_MESSAGE_BYTES)
                .build();
        channelsBuilt.incrementAndGet();
        channelCredentials = wanted;
        channel = built;
        Link running = current;
        if (kept != null && (running == null || running.channel != kept)) {
            kept.shutdownNow();
        }
        if (closed) {
            // close() ran while this one was being built
            built.shutdownNow();
        }
        return built;
    }

    /**
     * After a session ended or an attempt failed: a channel whose connection is still up is kept for the next session;
     * any other is shut down now, so that gRPC does not dial again on its own timer (its backoff is not this client's
     * full jitter: the next attempt is the loop's to time).
     */
    private static void keepIfConnected(ManagedChannel ch) {
        if (ch.getState(false) != ConnectivityState.READY) {
            ch.shutdownNow();
        }
    }

    /** One session, from connect to its end (or to its replacement after a renewal); returns why it ended. */
    private String session() {
        ManagedChannel ch = channel();
        Link link = new Link(ch);
        link.out = NodeSessionGrpc.newStub(ch)
                .withInterceptors(new ManagerCertificate())
                .open(new StreamObserver<>() {
                    @Override
                    public void onNext(ManagerMessage message) {
                        switch (message.getKindCase()) {
                            case WELCOME -> {
                                LOG.info(
                                        "session to manager {} is up: this is node {}{}",
                                        target,
                                        message.getWelcome().getNodeId(),
                                        message.getWelcome().getAlias().isEmpty()
                                                ? ""
                                                : " (" + message.getWelcome().getAlias() + ")");
                                if (renewal != null && message.getWelcome().hasTrust()) {
                                    renewal.trust(message.getWelcome().getTrust());
                                }
                                if (message.getWelcome().getUnixMillis() != 0) {
                                    clockOffsetMillis =
                                            message.getWelcome().getUnixMillis() - System.currentTimeMillis();
                                    clockKnown = true;
                                }
                                link.welcomed.countDown();
                                failures = 0;
                                state(State.CONNECTED);
                                flushWaiting(link);
                                events.welcomed(SessionClient.this);
                            }
                            case REQUEST -> {
                                link.answering.incrementAndGet();
                                workers.execute(() -> {
                                    try {
                                        // answered on the session the request came on, even if a newer one has opened
                                        // since
                                        link.send(NodeMessage.newBuilder()
                                                .setResponse(answer.answer(message.getRequest(), managerIdentity))
                                                .build());
                                    } finally {
                                        link.answering.decrementAndGet();
                                    }
                                });
                            }
                            case CANCEL -> {
                                // not on the workers: they may all be busy with the very primitives to stop
                                CancelAnalysis cancel = message.getCancel();
                                int interrupted = answer.cancel(cancel, managerIdentity);
                                link.send(NodeMessage.newBuilder()
                                        .setCancelled(AnalysisCancelled.newBuilder()
                                                .setAnalysisId(cancel.getAnalysisId())
                                                .setInterrupted(interrupted))
                                        .build());
                            }
                            case TRUST -> {
                                if (renewal != null) {
                                    renewal.trust(message.getTrust());
                                }
                            }
                            case RENEWED -> {
                                if (renewal != null && renewal.renewed(message.getRenewed())) {
                                    link.switchCertificate = true;
                                    link.done.countDown();
                                    events.certificateRenewed(SessionClient.this);
                                }
                            }
                            case DIRECTORY -> events.directory(SessionClient.this, message.getDirectory());
                            default -> {}
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        Status s = Status.fromThrowable(t);
                        link.why = s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
                        if (s.getCode() == Status.Code.PERMISSION_DENIED) {
                            LOG.error("the manager refuses this node: {}", s.getDescription());
                        }
                        link.done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        link.why = "the manager closed it";
                        link.done.countDown();
                    }
                });
        Link previous = current;
        current = link;
        sendHello();
        if (previous != null) {
            retireAfterWelcome(previous, link);
        }
        try {
            long period = SessionProtocol.HEARTBEAT.toNanos();
            long renewalCheck = System.nanoTime() + period;
            long wait = period;
            while (!closed && !link.done.await(Math.max(1, wait), TimeUnit.NANOSECONDS)) {
                // an answer (or any other message) sent within the last period counts as this heartbeat
                if (link.heartbeatDueInNanos() <= 0) {
                    link.send(NodeMessage.newBuilder()
                            .setHeartbeat(Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis()))
                            .build());
                }
                if (System.nanoTime() - renewalCheck >= 0) {
                    renewalCheck = System.nanoTime() + period;
                    if (renewal != null && link.welcomed.getCount() == 0) {
                        renewal.request().ifPresent(link::send);
                    }
                }
                wait = Math.min(link.heartbeatDueInNanos(), renewalCheck - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
        if (link.switchCertificate && !closed) {
            // keep this session until the next one is up and this one has answered what it took
            return RENEWED;
        }
        current = null;
        if (closed) {
            ch.shutdownNow();
        } else {
            keepIfConnected(ch);
        }
        return link.why;
    }

    /** Closes a replaced session once the new one is welcomed and the old one has answered what it took. */
    private void retireAfterWelcome(Link old, Link replacement) {
        Thread retiring = new Thread(
                () -> {
                    long deadline = System.nanoTime() + RETIRE_GRACE.toNanos();
                    try {
                        // the old session stays alive (heartbeats) until the new one is up, so the node is never seen
                        // down
                        while (!replacement.welcomed.await(SessionProtocol.HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)
                                && System.nanoTime() < deadline
                                && !closed) {
                            old.send(NodeMessage.newBuilder()
                                    .setHeartbeat(Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis()))
                                    .build());
                        }
                        while (old.answering.get() > 0 && System.nanoTime() < deadline) {
                            Thread.sleep(50);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    old.complete();
                    if (old.channel != replacement.channel) {
                        old.channel.shutdown();
                    }
                    LOG.info("switched the session to the renewed certificate");
                },
                "mipfed-session-retire");
        retiring.setDaemon(true);
        retiring.start();
    }

    /** Reads who the manager is from the session's TLS peer certificate once the manager answers the call. */
    private final class ManagerCertificate implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    ClientCall<Q, R> call = this;
                    super.start(
                            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                @Override
                                public void onHeaders(Metadata received) {
                                    managerIdentity =
                                            subject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                                    super.onHeaders(received);
                                }
                            },
                            headers);
                }
            };
        }
    }

    private static String subject(SSLSession tls) {
        if (tls == null) {
            return "";
        }
        try {
            Certificate[] chain = tls.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                    ? leaf.getSubjectX500Principal().getName()
                    : "";
        } catch (SSLPeerUnverifiedException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        state(State.CLOSED);
        Link link = current;
        if (link != null) {
            link.complete();
            link.channel.shutdownNow();
        }
        ManagedChannel kept = channel;
        if (kept != null) {
            kept.shutdownNow();
        }
        loop.interrupt();
    }
}
