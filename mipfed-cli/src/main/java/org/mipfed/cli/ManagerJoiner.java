package org.mipfed.cli;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mipfed.core.io.Directories;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.replication.MemberFile;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.tls.Csr;
import org.mipfed.node.tls.NodeTls;
import org.mipfed.node.tls.PinnedCaTrustManager;
import org.mipfed.proto.v1.AddManagerRequest;
import org.mipfed.proto.v1.AddManagerResponse;
import org.mipfed.proto.v1.ManagerJoinGrpc;
import org.mipfed.proto.v1.ManagerJoinRequest;
import org.mipfed.proto.v1.ManagerJoinResponse;

/**
 * The joining side of {@code mipfed manager join}: checks the running manager's CA against the token's digest (in
 * the TLS handshake, before the token is sent), trades the token and a certificate request for a manager
 * certificate (the new key never leaves this machine), writes the new manager's data directory, and later asks the
 * leader to add its Raft server ({@link #add}). A data directory it made is removed again when the join fails.
 */
final class ManagerJoiner {
    /** How long the leader may take to add the new manager (it catches up first); asked again until then. */
    static final Duration ADD_TIMEOUT = Duration.ofSeconds(180);

    private final String token;
    private final String target;
    private final JoinToken parsed;

    /** What joining takes from the command line. */
    record Settings(String advertiseAddr, int grpcPort, int httpPort, String httpHost, int raftPort) {}

    ManagerJoiner(String tokenText, String managerAddress) {
        requireNonNull(tokenText, "tokenText is null");
        requireNonNull(managerAddress, "managerAddress is null");
        try {
            this.parsed = JoinToken.parse(tokenText.trim());
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("--token: " + e.getMessage()
                    + ". Give the manager token of the federation (mipfed join-token manager, on a running manager).");
        }
        this.token = tokenText.trim();
        this.target = managerAddress.contains(":") ? managerAddress : managerAddress + ":2377";
    }

    /**
     * Refuses a data directory that holds a federation or anything else already: joining writes a new one whole, or
     * nothing.
     */
    static void checkEmpty(ManagerPaths paths) {
        if (Files.exists(paths.federation())) {
            throw new Problem(
                    ProblemType.ALREADY_JOINED,
                    paths.dataDir() + " already holds a federation's manager (federation.json). mipfed never "
                            + "overwrites one: run it with 'mipfed manager start --data-dir " + paths.dataDir()
                            + "', or join with another --data-dir.");
        }
        if (Files.isDirectory(paths.dataDir())) {
            try (Stream<Path> entries = Files.list(paths.dataDir())) {
                if (entries.findAny().isPresent()) {
                    throw new Problem(
                            ProblemType.CONFLICT,
                            paths.dataDir() + " is not empty. A manager joins into a new or empty --data-dir.");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + paths.dataDir() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The certificate exchange: writes the data directory of the new manager (configuration, its key and manager
     * certificate, the CA's certificate, its admin token, {@code raft/member.json}) and returns its configuration.
     */
    FederationConfig exchange(ManagerPaths paths, Settings settings) {
        checkEmpty(paths);
        KeyPair keys = KeyPairs.generate();
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(parsed.digest());
        ManagedChannel channel = Grpc.newChannelBuilder(target, NodeTls.joinChannelCredentials(pinning))
                .build();
        ManagerJoinResponse response;
        try {
            response = ManagerJoinGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .join(ManagerJoinRequest.newBuilder()
                            .setToken(token)
                            .setCsrDer(ByteString.copyFrom(Csr.create(keys, settings.advertiseAddr())))
                            .setAdvertiseAddr(settings.advertiseAddr())
                            .build());
        } catch (StatusRuntimeException e) {
            throw failure(e, target, pinning);
        } finally {
            channel.shutdownNow();
        }
        X509Certificate ca = pinning.pinnedCa()
                .orElseThrow(() ->
                        new Problem(ProblemType.JOIN_FAILED, "The manager's CA was not pinned during the handshake"));
        if (!ca.equals(Pem.certificate(response.getCaCertificateDer().toByteArray()))) {
            throw new Problem(
                    ProblemType.JOIN_FAILED,
                    "The manager answered with a CA certificate other than the one it presented in the handshake; "
                            + "not joining.");
        }
        X509Certificate certificate =
                Pem.certificate(response.getCertificateDer().toByteArray());
        FederationConfig config = new FederationConfig(
                response.getFederationId(),
                settings.advertiseAddr(),
                settings.grpcPort(),
                settings.httpPort(),
                settings.httpHost(),
                Instant.now(),
                Duration.ofSeconds(response.getNodeCertificateValiditySeconds()));
        boolean existed = Files.isDirectory(paths.dataDir());
        try {
            Files.createDirectories(paths.tlsKey().getParent());
            Files.createDirectories(paths.caDir());
            Pem.writePrivateKey(paths.tlsKey(), keys.getPrivate());
            Pem.writeCertificate(paths.tlsCertificate(), certificate);
            Pem.writeCertificate(paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE), ca);
            // this manager's own admin token for the CLI on its machine (users and their API tokens are replicated)
            byte[] adminBytes = new byte[32];
            new SecureRandom().nextBytes(adminBytes);
            Pem.writeAtomically(
                    paths.adminToken(),
                    ("mipfed-admin-" + HexFormat.of().formatHex(adminBytes) + "\n").getBytes(StandardCharsets.UTF_8),
                    true);
            MemberFile.readOrCreate(paths.raftDir(), settings.advertiseAddr(), settings.raftPort());
            // federation.json last: its presence means the data directory is complete
            Pem.writeAtomically(paths.federation(), Json.pretty().writeValueAsBytes(config), false);
        } catch (IOException | RuntimeException e) {
            undo(paths, existed);
            throw new IllegalStateException(
                    "Cannot write the new manager's data directory " + paths.dataDir() + ": " + e.getMessage(), e);
        }
        return config;
    }

    /**
     * Asks the leader to add this manager's running Raft server to the group: at the manager given, then at the
     * leader it names, until added or {@link #ADD_TIMEOUT} passed.
     */
    void add(String memberId, String raftAddress, String address, String httpAddress) {
        long deadline = System.nanoTime() + ADD_TIMEOUT.toNanos();
        String at = target;
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            PinnedCaTrustManager pinning = new PinnedCaTrustManager(parsed.digest());
            ManagedChannel channel = Grpc.newChannelBuilder(at, NodeTls.joinChannelCredentials(pinning))
                    .build();
            try {
                AddManagerResponse response = ManagerJoinGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(ADD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        .add(AddManagerRequest.newBuilder()
                                .setToken(token)
                                .setMemberId(memberId)
                                .setRaftAddress(raftAddress)
                                .setAddress(address)
                                .setHttpAddress(httpAddress)
                                .build());
                if (response.getAdded()) {
                    return;
                }
                last = response.getMessage();
                if (!response.getLeaderAddress().isBlank()) {
                    at = response.getLeaderAddress();
                }
            } catch (StatusRuntimeException e) {
                Problem problem = failure(e, at, pinning);
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw problem;
                }
                last = problem.detail();
            } finally {
                channel.shutdownNow();
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new Problem(
                ProblemType.MANAGER_UNAVAILABLE,
                "The managers' leader did not add this manager within " + ADD_TIMEOUT.toSeconds() + " s (" + last
                        + "). Check that the managers can reach this one's Raft port (--raft-port) and try again.");
    }

    /** Removes what a failed join wrote: the whole directory it made, or the contents of an empty one it was given. */
    static void undo(ManagerPaths paths, boolean existed) {
        if (!existed) {
            Directories.deleteTree(paths.dataDir());
            return;
        }
        try (Stream<Path> entries = Files.list(paths.dataDir())) {
            entries.forEach(p -> {
                if (Files.isDirectory(p)) {
                    Directories.deleteTree(p);
                } else {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clean up " + paths.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static Problem failure(StatusRuntimeException e, String target, PinnedCaTrustManager pinning) {
        Status status = e.getStatus();
        if (pinning.mismatch() != null) {
            return new Problem(
                    ProblemType.MANAGER_NOT_TRUSTED,
                    "The manager at " + target + " was not trusted: " + pinning.mismatch()
                            + ". Check the token and the address; the token was not sent.");
        }
        if (status.getCode() == Status.Code.PERMISSION_DENIED) {
            return new Problem(ProblemType.JOIN_REFUSED, String.valueOf(status.getDescription()));
        }
        if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new Problem(
                    ProblemType.MANAGER_UNAVAILABLE,
                    "Cannot reach the manager at " + target + " (" + status.getCode() + ": " + status.getDescription()
                            + "). Check the address and port (default 2377) and that the manager is running.");
        }
        return new Problem(
                ProblemType.JOIN_FAILED,
                "Joining the managers at " + target + " failed: " + status.getCode() + " " + status.getDescription());
    }
}
