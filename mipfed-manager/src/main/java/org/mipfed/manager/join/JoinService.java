package org.mipfed.manager.join;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.Role;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.NodeIds;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.proto.v1.JoinGrpc;
import org.mipfed.proto.v1.JoinRequest;
import org.mipfed.proto.v1.JoinResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Admits a node that presents a current join token: signs its certificate request. */
public final class JoinService extends JoinGrpc.JoinImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(JoinService.class);
    private final Supplier<CertificateAuthority> ca;
    private final JoinTokens tokens;
    private final NodeRegistry registry;
    private final String federationId;
    private final Duration validity;

    /**
     * @param ca the CA that signs joins: the one the manager's presented certificate is under, whose digest the
     *     join tokens carry (during a CA rotation the joined node then moves to the new CA like every other)
     * @param validity the lifetime of a node certificate; nodes renew over their session before it ends
     */
    public JoinService(
            Supplier<CertificateAuthority> ca,
            JoinTokens tokens,
            NodeRegistry registry,
            String federationId,
            Duration validity) {
        this.ca = requireNonNull(ca, "ca is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.federationId = requireNonNull(federationId, "federationId is null");
        this.validity = requireNonNull(validity, "validity is null");
    }

    @Override
    public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
        Optional<Role> role = tokens.roleOf(request.getToken());
        if (role.isEmpty()) {
            LOG.warn(
                    "join refused for host '{}': the token is not a current join token of this federation",
                    request.getHostname());
            response.onError(Status.PERMISSION_DENIED
                    .withDescription(
                            "The join token is not valid for this federation (wrong or rotated token). Ask the manager's administrator for the current one: mipfed join-token worker")
                    .asRuntimeException());
            return;
        }
        if (role.get() == Role.MANAGER) {
            // the manager token makes managers (mipfed manager join), whose certificates serve Raft; a node never
            LOG.warn("join refused for host '{}': a manager token cannot make a node", request.getHostname());
            response.onError(Status.PERMISSION_DENIED
                    .withDescription("This is the federation's manager token: it adds a manager (mipfed manager join), "
                            + "never a node. Join a node with the worker token: mipfed join-token worker")
                    .asRuntimeException());
            return;
        }
        String nodeId = NodeIds.newId();
        CertificateAuthority signer = ca.get();
        X509Certificate certificate;
        try {
            // the token decides the role: a worker token yields a worker certificate, never a manager's
            certificate = signer.signNodeCsr(request.getCsrDer().toByteArray(), nodeId, role.get(), validity);
        } catch (RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("The certificate request is not valid: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        String hostname = request.getHostname().isBlank() ? "unknown" : request.getHostname();
        registry.joined(
                nodeId,
                hostname,
                role.get().label(),
                certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant(),
                CaDigest.of(signer.certificate()));
        try {
            response.onNext(JoinResponse.newBuilder()
                    .setNodeId(nodeId)
                    .setFederationId(federationId)
                    .setRole(role.get().label())
                    .setCertificateDer(ByteString.copyFrom(certificate.getEncoded()))
                    .setCaCertificateDer(
                            ByteString.copyFrom(signer.certificate().getEncoded()))
                    .build());
            response.onCompleted();
        } catch (CertificateEncodingException e) {
            response.onError(Status.INTERNAL
                    .withDescription("cannot encode the certificate")
                    .asRuntimeException());
        }
    }
}
