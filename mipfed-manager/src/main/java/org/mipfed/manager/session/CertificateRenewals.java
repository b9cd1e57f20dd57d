package org.mipfed.manager.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Role;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.RenewalRequest;
import org.mipfed.proto.v1.RenewalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews node certificates over their sessions. A certificate is signed only for the node id of the certificate
 * the session was opened with, only while that node is a member (a removed node cannot renew), and under the
 * newest CA, so renewal is also how nodes move to a new CA during a rotation.
 */
public final class CertificateRenewals {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewals.class);

    private final FederationCa ca;
    private final NodeRegistry registry;
    private final Duration validity;

    public CertificateRenewals(FederationCa ca, NodeRegistry registry, Duration validity) {
        this.ca = requireNonNull(ca, "ca is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.validity = requireNonNull(validity, "validity is null");
    }

    /** How long the certificates this manager signs live (joins and renewals alike). */
    public Duration validity() {
        return validity;
    }

    public FederationCa ca() {
        return ca;
    }

    /** Answers a node's renewal request; {@code peer} is the identity its session was opened with. */
    public RenewalResponse renew(PeerIdentity peer, RenewalRequest request) {
        Optional<NodeRecord> member = registry.member(peer.nodeId(), null);
        if (member.isEmpty()) {
            LOG.warn("renewal refused for node {}: it is not a member (removed)", peer.nodeId());
            return refusal(
                    "node " + peer.nodeId() + " is not a member of this federation (it was removed); it cannot renew");
        }
        CertificateAuthority signer = ca.renewalCa();
        X509Certificate certificate;
        try {
            certificate = signer.signNodeCsr(
                    request.getCsrDer().toByteArray(),
                    peer.nodeId(),
                    Role.parse(member.get().role()),
                    validity);
        } catch (IllegalArgumentException e) {
            return refusal("the certificate request is not valid: " + e.getMessage());
        }
        registry.renewed(
                peer.nodeId(),
                certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant(),
                CaDigest.of(signer.certificate()));
        try {
            return RenewalResponse.newBuilder()
                    .setCertificateDer(ByteString.copyFrom(certificate.getEncoded()))
                    .setTrust(ca.trustUpdate(certificate))
                    .build();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just signed", e);
        }
    }

    /** Tells every connected node to trust the new CA and move to it (called when a rotation starts). */
    public int pushTrust() {
        int told = 0;
        for (var session : registry.openSessions()) {
            if (session.offer(ManagerMessage.newBuilder()
                    .setTrust(ca.trustUpdate(session.certificate()))
                    .build())) {
                told++;
            }
        }
        return told;
    }

    private static RenewalResponse refusal(String why) {
        return RenewalResponse.newBuilder().setRefusal(why).build();
    }
}
