package org.mipfed.node.session;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.mipfed.proto.v1.Heartbeat;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's one outbound session to its manager: opens it, says hello, sends heartbeats,
 * answers primitive requests, and when the manager is away reconnects with exponential backoff and
 * jitter, forever. The node never listens on the network.
 */
public final class SessionClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionClient.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(3);

    private final String target;
    private final ChannelCredentials credentials;
    private final Supplier<NodeHello> hello;
    private final Function<PrimitiveRequest, PrimitiveResponse> answer;
    private final ExecutorService workers;
    private final Thread loop;
    private volatile boolean closed;
    private volatile ManagedChannel channel;
    private volatile StreamObserver<NodeMessage> current;
    private volatile String managerIdentity = "";

    public SessionClient(String target, ChannelCredentials credentials, Supplier<NodeHello> hello,
            Function<PrimitiveRequest, PrimitiveResponse> answer, ExecutorService workers) {
        this.target = requireNonNull(target, "target is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.hello = requireNonNull(hello, "hello is null");
        this.answer = requireNonNull(answer, "answer is null");
        this.workers = requireNonNull(workers, "workers is null");
        this.loop = new Thread(this::run, "mipfed-session");
        this.loop.setDaemon(true);
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

    /** Tells the manager the node's data changed (after an import), on the current session if any. */
    public void sendHello() {
        send(NodeMessage.newBuilder().setHello(hello.get()).build());
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (!closed) {
            long started = System.nanoTime();
            String ended = session();
            if (closed) {
                break;
            }
            if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(10)) {
                backoff = MIN_BACKOFF;
            }
            long jittered = (long) (backoff.toMillis() * (0.5 + ThreadLocalRandom.current().nextDouble()));
            LOG.warn("session to manager {} ended ({}); reconnecting in {} ms", target, ended, jittered);
            sleep(jittered);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** One session, from connect to its end; returns why it ended. */
    private String session() {
        ManagedChannel ch = Grpc.newChannelBuilder(target, credentials)
                .keepAliveTime(10, TimeUnit.SECONDS)
                .keepAliveTimeout(5, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
        channel = ch;
        CountDownLatch done = new CountDownLatch(1);
        String[] why = {"closed"};
        StreamObserver<NodeMessage> out = NodeSessionGrpc.newStub(ch).withInterceptors(new ManagerCertificate()).open(new StreamObserver<>() {
            @Override
            public void onNext(ManagerMessage message) {
                switch (message.getKindCase()) {
                    case WELCOME -> LOG.info("session to manager {} is up: this is node {}{}", target, message.getWelcome().getNodeId(),
                            message.getWelcome().getAlias().isEmpty() ? "" : " (" + message.getWelcome().getAlias() + ")");
                    case REQUEST -> workers.execute(() -> send(NodeMessage.newBuilder().setResponse(answer.apply(message.getRequest())).build()));
                    default -> { }
                }
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                why[0] = s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
                if (s.getCode() == Status.Code.PERMISSION_DENIED) {
                    LOG.error("the manager refuses this node: {}", s.getDescription());
                }
                done.countDown();
            }

            @Override
            public void onCompleted() {
                why[0] = "the manager closed it";
                done.countDown();
            }
        });
        current = out;
        sendHello();
        try {
            while (!closed && !done.await(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)) {
                send(NodeMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis())).build());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
        current = null;
        ch.shutdownNow();
        return why[0];
    }

    private void send(NodeMessage message) {
        StreamObserver<NodeMessage> out = current;
        if (out == null) {
            return;
        }
        // StreamObserver is not thread-safe: answers come from worker threads.
        synchronized (this) {
            try {
                out.onNext(message);
            }
            catch (RuntimeException e) {
                LOG.debug("cannot send on a closing session: {}", e.getMessage());
            }
        }
    }

    /** Reads who the manager is from the session's TLS peer certificate once the manager answers the call. */
    private final class ManagerCertificate implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    ClientCall<Q, R> call = this;
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata received) {
                            managerIdentity = subject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                            super.onHeaders(received);
                        }
                    }, headers);
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
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf.getSubjectX500Principal().getName() : "";
        }
        catch (SSLPeerUnverifiedException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        StreamObserver<NodeMessage> out = current;
        if (out != null) {
            synchronized (this) {
                try {
                    out.onCompleted();
                }
                catch (RuntimeException ignored) {
                    // already closed
                }
            }
        }
        ManagedChannel ch = channel;
        if (ch != null) {
            ch.shutdownNow();
        }
        loop.interrupt();
    }
}
