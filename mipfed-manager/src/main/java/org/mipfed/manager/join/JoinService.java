package org.mipfed.manager.join;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
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
    /** Node certificates are renewed over the session before they expire (see the security work). */
    private static final Duration NODE_CERTIFICATE_VALIDITY = Duration.ofDays(365);

    private final CertificateAuthority ca;
    private final JoinTokens tokens;
    private final NodeRegistry registry;
    private final String federationId;

    public JoinService(CertificateAuthority ca, JoinTokens tokens, NodeRegistry registry, String federationId) {
        this.ca = requireNonNull(ca, "ca is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.federationId = requireNonNull(federationId, "federationId is null");
    }

    @Override
    public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
        Optional<String> role = tokens.roleOf(request.getToken());
        if (role.isEmpty()) {
            LOG.warn("join refused for host '{}': the token is not a current join token of this federation", request.getHostname());
            response.onError(Status.PERMISSION_DENIED
                    .withDescription("The join token is not valid for this federation (wrong or rotated token). Ask the manager's administrator for the current one: mipfed join-token worker")
                    .asRuntimeException());
            return;
        }
        String nodeId = NodeIds.newId();
        X509Certificate certificate;
        try {
            certificate = ca.signNodeCsr(request.getCsrDer().toByteArray(), nodeId, role.get(), NODE_CERTIFICATE_VALIDITY);
        }
        catch (RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("The certificate request is not valid: " + e.getMessage()).asRuntimeException());
            return;
        }
        String hostname = request.getHostname().isBlank() ? "unknown" : request.getHostname();
        registry.joined(nodeId, hostname, role.get(), certificate.getSerialNumber().toString(16));
        try {
            response.onNext(JoinResponse.newBuilder()
                    .setNodeId(nodeId)
                    .setFederationId(federationId)
                    .setRole(role.get())
                    .setCertificateDer(ByteString.copyFrom(certificate.getEncoded()))
                    .setCaCertificateDer(ByteString.copyFrom(ca.certificate().getEncoded()))
                    .build());
            response.onCompleted();
        }
        catch (CertificateEncodingException e) {
            response.onError(Status.INTERNAL.withDescription("cannot encode the certificate").asRuntimeException());
        }
    }
}
