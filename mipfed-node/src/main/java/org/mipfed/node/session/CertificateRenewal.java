package org.mipfed.node.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mipfed.core.security.CaEndorsement;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Pem;
import org.mipfed.node.tls.Csr;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.RenewalRequest;
import org.mipfed.proto.v1.RenewalResponse;
import org.mipfed.proto.v1.TrustUpdate;
import org.mipfed.proto.v1.TrustedCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's certificate current: at two thirds of its lifetime (or at once when the manager says the
 * federation moved to a new CA) the node makes a new key, asks for a certificate over its session, checks the
 * answer, stores key and certificate together and switches its session to them. It also keeps the node's trusted
 * CAs: a CA is added only with an endorsement by a CA the node already trusts.
 */
public final class CertificateRenewal {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
    /** A request not answered in this time is made again, with a new key. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final NodeCredentials credentials;
    private final String nodeId;
    private KeyPair pendingKey;
    private Instant requestedAt;
    private boolean renewNow;
    private Instant expiredLogged;

    public CertificateRenewal(NodeCredentials credentials, String nodeId) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
    }

    public NodeCredentials credentials() {
        return credentials;
    }

    /** When the current certificate should be renewed: two thirds into its lifetime. */
    public static Instant renewalTime(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        Instant to = certificate.getNotAfter().toInstant();
        return from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3));
    }

    /**
     * Whether the certificate has expired; if so says, once per expiry, that the node must join again (a node offline
     * past its certificate's lifetime cannot renew: the manager refuses an expired certificate).
     */
    public synchronized boolean expired() {
        X509Certificate certificate = credentials.current().certificate();
        try {
            certificate.checkValidity();
            return false;
        } catch (CertificateException e) {
            Instant notAfter = certificate.getNotAfter().toInstant();
            if (!notAfter.equals(expiredLogged)) {
                expiredLogged = notAfter;
                LOG.error(
                        "this node's certificate expired at {} (the node was away past its lifetime), so the manager refuses it. "
                                + "Join again with a current token: mipfed node join --token <token from 'mipfed join-token worker'> --data-dir <a new directory> <manager>:2377",
                        notAfter);
            }
            return true;
        }
    }

    /** A renewal request to send now, if one is due and none is waiting for its answer. */
    public synchronized Optional<NodeMessage> request() {
        Instant now = Instant.now();
        X509Certificate certificate = credentials.current().certificate();
        boolean due = renewNow || !now.isBefore(renewalTime(certificate));
        if (!due || expired()) {
            return Optional.empty();
        }
        if (pendingKey != null && Duration.between(requestedAt, now).compareTo(ANSWER_TIMEOUT) < 0) {
            return Optional.empty();
        }
        pendingKey = KeyPairs.generate();
        requestedAt = now;
        LOG.info(
                "renewing this node's certificate (expires {}{})",
                certificate.getNotAfter().toInstant(),
                renewNow ? ", the federation moved to a new CA" : "");
        return Optional.of(NodeMessage.newBuilder()
                .setRenew(RenewalRequest.newBuilder().setCsrDer(ByteString.copyFrom(Csr.create(pendingKey, nodeId))))
                .build());
    }

    /**
     * Takes the manager's answer: checks the certificate (this node's id, the new key, from a CA the node trusts,
     * current) and stores it with its key. Returns true when the node now holds a new certificate and should
     * switch its session to it.
     */
    public synchronized boolean renewed(RenewalResponse response) {
        KeyPair key = pendingKey;
        pendingKey = null;
        if (response.hasTrust()) {
            trust(response.getTrust());
        }
        if (!response.getRefusal().isEmpty()) {
            LOG.error("the manager refused to renew this node's certificate: {}", response.getRefusal());
            return false;
        }
        if (key == null) {
            LOG.warn("ignoring a certificate this node did not ask for");
            return false;
        }
        X509Certificate certificate;
        try {
            certificate = Pem.certificate(response.getCertificateDer().toByteArray());
            check(certificate, key);
        } catch (IllegalArgumentException | CertificateException e) {
            LOG.error("the renewed certificate is not acceptable, keeping the current one: {}", e.getMessage());
            return false;
        }
        credentials.replaceIdentity(key.getPrivate(), certificate);
        renewNow = response.hasTrust() && response.getTrust().getRenewNow();
        LOG.info(
                "certificate renewed: serial {}, valid until {}",
                certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant());
        return true;
    }

    /** Takes the CAs the manager says to trust (see the class comment), and whether to renew now. */
    public synchronized void trust(TrustUpdate update) {
        List<X509Certificate> trusted = credentials.current().trusted();
        List<X509Certificate> accepted = new ArrayList<>();
        for (TrustedCa offered : update.getCasList()) {
            X509Certificate ca;
            try {
                ca = Pem.certificate(offered.getCertificateDer().toByteArray());
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring an unreadable CA certificate from the manager: {}", e.getMessage());
                continue;
            }
            if (trusted.contains(ca) || accepted.contains(ca)) {
                accepted.add(ca);
                continue;
            }
            List<X509Certificate> endorsers = new ArrayList<>(trusted);
            endorsers.addAll(accepted);
            if (endorsers.stream()
                    .anyMatch(e ->
                            CaEndorsement.verify(e, ca, offered.getEndorsement().toByteArray()))) {
                LOG.info(
                        "now trusting the federation's new CA {} (endorsed by a CA this node trusts)",
                        ca.getSubjectX500Principal());
                accepted.add(ca);
            } else {
                LOG.warn(
                        "refusing a CA the manager offered without a valid endorsement from a CA this node trusts: {}",
                        ca.getSubjectX500Principal());
            }
        }
        X509Certificate own = credentials.current().certificate();
        boolean keepsOwnIssuer = accepted.stream().anyMatch(ca -> issuedBy(own, ca));
        // never end up trusting nothing, nor dropping the CA of the node's own certificate while it still uses it
        if (!accepted.isEmpty() && !accepted.equals(trusted) && (keepsOwnIssuer || update.getRenewNow())) {
            credentials.replaceTrust(accepted);
        }
        if (update.getRenewNow()) {
            renewNow = true;
        }
    }

    private void check(X509Certificate certificate, KeyPair key) throws CertificateException {
        certificate.checkValidity();
        if (!certificate.getPublicKey().equals(key.getPublic())) {
            throw new CertificateException("it is not for the key this node sent");
        }
        PeerIdentity identity = PeerIdentity.of(certificate);
        if (!identity.nodeId().equals(nodeId)) {
            throw new CertificateException("it names node " + identity.nodeId() + ", not this node (" + nodeId + ")");
        }
        if (credentials.current().trusted().stream().noneMatch(ca -> issuedBy(certificate, ca))) {
            throw new CertificateException("no CA this node trusts signed it");
        }
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
