package org.mipfed.manager;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.analysis.DataCatalogue;
import org.mipfed.manager.api.RestApi;
import org.mipfed.manager.ca.CaRotation;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.join.JoinService;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.session.CertificateRenewals;
import org.mipfed.manager.session.NodeSessionService;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.tls.ManagerTls;
import org.mipfed.manager.tls.PeerCertificateInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code mipfed manager start}: the node-facing gRPC server and the REST API, in one process. */
public final class ManagerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerServer.class);
    /** A session with nothing heard for this long is down (nodes send a heartbeat every second). */
    private static final Duration SILENCE = Duration.ofMillis(3500);

    private final ManagerPaths paths;
    private final FederationConfig config;
    private final Server grpc;
    private final RestApi api;
    private final NodeRegistry registry;
    private final AnalysisService analyses;
    private CaRotation rotation;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mipfed-liveness");
        t.setDaemon(true);
        return t;
    });

    private ManagerServer(ManagerPaths paths, FederationConfig config, Server grpc, RestApi api, NodeRegistry registry, AnalysisService analyses) {
        this.analyses = analyses;
        this.paths = paths;
        this.config = config;
        this.grpc = grpc;
        this.api = api;
        this.registry = registry;
    }

    /** Starts a manager from its data directory; ports of 0 in the overrides pick free ones (tests). */
    public static ManagerServer start(ManagerPaths paths, Integer grpcPortOverride, Integer httpPortOverride) {
        requireNonNull(paths, "paths is null");
        FederationConfig config = FederationInit.config(paths);
        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        StateStore store = StateStore.load(paths.state());
        NodeRegistry registry = new NodeRegistry(store);
        JoinTokens tokens = new JoinTokens(store, ca::digest);
        CertificateRenewals renewals = new CertificateRenewals(ca, registry, config.nodeCertificateValidity());
        CaRotation rotation = new CaRotation(ca, registry, renewals, tokens);
        int grpcPort = grpcPortOverride != null ? grpcPortOverride : config.grpcPort();
        int httpPort = httpPortOverride != null ? httpPortOverride : config.httpPort();
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(grpcPort))
                .sslContext(ManagerTls.serverContext(ca))
                .addService(new JoinService(ca::joinCa, tokens, registry, config.federationId(), config.nodeCertificateValidity()))
                .addService(ServerInterceptors.intercept(new NodeSessionService(registry, config.federationId(), renewals), new PeerCertificateInterceptor()))
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(10, TimeUnit.SECONDS)
                .keepAliveTimeout(5, TimeUnit.SECONDS)
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
        try {
            grpc.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot listen for nodes on port " + grpcPort + ": " + e.getMessage()
                    + ". Is another manager running? Choose another port with --grpc-port.", e);
        }
        ExperimentStore experiments = new ExperimentStore(paths.experiments());
        int interrupted = experiments.interruptUnfinished("The manager stopped (crash or restart) while this experiment was running; run it again.");
        if (interrupted > 0) {
            LOG.warn("{} experiment(s) were interrupted by the previous manager's stop", interrupted);
        }
        AnalysisService analyses = new AnalysisService(registry, new DataCatalogue(registry), experiments, Algorithms.standard());
        RestApi api = new RestApi(analyses, registry, tokens, role -> tokens.rotate(role, ca.joinCa().certificate()), FederationInit.adminToken(paths));
        api.caAdministration(new RestApi.CaAdministration() {
            @Override
            public JsonNode status() {
                return rotation.status();
            }

            @Override
            public JsonNode rotate() {
                return rotation.start();
            }

            @Override
            public JsonNode finish() {
                return rotation.finish();
            }
        });
        try {
            api.start(config.httpHost(), httpPort);
        }
        catch (RuntimeException e) {
            grpc.shutdownNow();
            throw new IllegalStateException("Cannot serve the REST API on port " + httpPort + ": " + e.getMessage()
                    + ". Is another manager running? Choose another port with --http-port.", e);
        }
        ManagerServer server = new ManagerServer(paths, config, grpc, api, registry, analyses);
        server.rotation = rotation;
        server.timer.scheduleWithFixedDelay(() -> registry.reapSilent(SILENCE), 500, 500, TimeUnit.MILLISECONDS);
        server.timer.scheduleWithFixedDelay(() -> {
            try {
                registry.reapExpired();
                rotation.finishIfAllMoved();
            }
            catch (RuntimeException e) {
                LOG.error("checking certificates and the CA rotation failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        LOG.info("manager of federation {} listening: nodes on {} (mutual TLS), REST API on http://{}:{}", config.federationId(), grpc.getPort(), config.httpHost(), api.port());
        return server;
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    public int httpPort() {
        return api.port();
    }

    public FederationConfig config() {
        return config;
    }

    public NodeRegistry registry() {
        return registry;
    }

    /** The CA rotation ({@code mipfed manager ca}). */
    public CaRotation caRotation() {
        return rotation;
    }

    public ManagerPaths paths() {
        return paths;
    }

    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        api.stop();
        analyses.close();
        grpc.shutdownNow();
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
