package org.mipfed.node.join;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.tls.Csr;
import org.mipfed.node.tls.NodeTls;
import org.mipfed.node.tls.PinnedCaTrustManager;
import org.mipfed.proto.v1.JoinGrpc;
import org.mipfed.proto.v1.JoinRequest;
import org.mipfed.proto.v1.JoinResponse;

/**
 * {@code mipfed node join}: proves the manager is the one the token names (its CA digest is checked
 * during the TLS handshake, before the token is sent), then trades the token for a certificate.
 * Nothing is written unless the whole exchange succeeds.
 */
public final class NodeJoiner {
    private NodeJoiner() {}

    /** {@link #join(NodePaths, String, String, String, PrivacyPolicy)} with the default policy and this minimum of rows. */
    public static NodeConfig join(NodePaths paths, String tokenText, String managerAddress, String store, int minRows) {
        return join(paths, tokenText, managerAddress, store, PrivacyPolicy.DEFAULT.withMinRows(minRows));
    }

    /** Joins and writes the node's identity and configuration, its privacy policy included, into its data directory. */
    public static NodeConfig join(
            NodePaths paths, String tokenText, String managerAddress, String store, PrivacyPolicy privacy) {
        requireNonNull(paths, "paths is null");
        if (Files.exists(paths.config())) {
            throw new Problem(
                    ProblemType.ALREADY_JOINED,
                    paths.dataDir()
                            + " already holds a node (node.json). Use another --data-dir, or run it: mipfed node run --data-dir "
                            + paths.dataDir());
        }
        JoinToken token;
        try {
            token = JoinToken.parse(tokenText);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest(e.getMessage());
        }
        String target = managerAddress.contains(":") ? managerAddress : managerAddress + ":2377";
        KeyPair keys = KeyPairs.generate();
        String hostname = hostname();
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(token.digest());
        ManagedChannel channel = Grpc.newChannelBuilder(target, NodeTls.joinChannelCredentials(pinning))
                .build();
        JoinResponse response;
        try {
            response = JoinGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .join(JoinRequest.newBuilder()
                            .setToken(tokenText.trim())
                            .setCsrDer(ByteString.copyFrom(Csr.create(keys, hostname)))
                            .setHostname(hostname)
                            .build());
        } catch (StatusRuntimeException e) {
            throw failure(e, target, pinning);
        } finally {
            channel.shutdownNow();
        }
        X509Certificate certificate =
                Pem.certificate(response.getCertificateDer().toByteArray());
        // Keep the CA pinned in the handshake, not whatever the response body claims.
        X509Certificate ca = pinning.pinnedCa()
                .orElseThrow(() ->
                        new Problem(ProblemType.JOIN_FAILED, "The manager's CA was not pinned during the handshake"));
        if (!ca.equals(Pem.certificate(response.getCaCertificateDer().toByteArray()))) {
            throw new Problem(
                    ProblemType.JOIN_FAILED,
                    "The manager answered with a CA certificate other than the one it presented in the handshake; not joining.");
        }
        try {
            Files.createDirectories(paths.key().getParent());
            Pem.writePrivateKey(paths.key(), keys.getPrivate());
            Pem.writeCertificate(paths.certificate(), certificate);
            Pem.writeCertificate(paths.caCertificate(), ca);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot write the node's identity into " + paths.dataDir() + ": " + e.getMessage(), e);
        }
        // the caller chose this policy in code (the CLI refuses one below a floor before it gets here): it is
        // deliberate
        NodeConfig config = new NodeConfig(
                        response.getNodeId(), response.getFederationId(), response.getRole(), target, store, privacy)
                .acknowledgingFloors();
        config.save(paths);
        return config;
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
                "Joining " + target + " failed: " + status.getCode() + " " + status.getDescription());
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
