package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who a member of the federation is, as its CA-signed certificate says: subject
 * {@code CN=<nodeId>, OU=<role>, O=<federationId>}.
 *
 * @param nodeId the id the manager gave the node when it joined
 * @param role {@code worker} or {@code manager}
 * @param federationId the federation that signed the certificate
 */
public record PeerIdentity(String nodeId, String role, String federationId) {
    public PeerIdentity {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(role, "role is null");
        requireNonNull(federationId, "federationId is null");
    }

    /**
     * Reads the identity from a certificate whose chain has already been verified (by the TLS handshake);
     * this method checks no signature.
     *
     * @throws IllegalArgumentException if the subject does not have exactly one CN, OU and O
     */
    public static PeerIdentity of(X509Certificate certificate) {
        requireNonNull(certificate, "certificate is null");
        X500Name subject =
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        return new PeerIdentity(
                single(subject, BCStyle.CN, "CN"), single(subject, BCStyle.OU, "OU"), single(subject, BCStyle.O, "O"));
    }

    private static String single(X500Name subject, ASN1ObjectIdentifier type, String name) {
        RDN[] rdns = subject.getRDNs(type);
        if (rdns.length != 1 || rdns[0].isMultiValued()) {
            throw new IllegalArgumentException(
                    "not a mipfed node certificate: subject '" + subject + "' must have exactly one " + name);
        }
        ASN1Encodable raw = rdns[0].getFirst().getValue();
        // the plain string, not the RFC 4514 escaped form ("a\,b") that IETFUtils.valueToString gives
        String value = raw instanceof ASN1String text ? text.getString() : IETFUtils.valueToString(raw);
        if (value.isBlank()) {
            throw new IllegalArgumentException(
                    "not a mipfed node certificate: subject '" + subject + "' has an empty " + name);
        }
        return value;
    }
}
