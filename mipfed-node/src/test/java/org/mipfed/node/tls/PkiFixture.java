package org.mipfed.node.tls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.mipfed.core.security.KeyPairs;

/**
 * Certificates for the node's TLS tests. The real CA is the manager's, which the node module cannot see; this
 * one makes the same shapes (and, for the refusals, the wrong ones).
 */
public final class PkiFixture {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    public final KeyPair caKeys = KeyPairs.generate();
    public final X509Certificate ca;

    public PkiFixture(String federationId) throws Exception {
        this(
                federationId,
                Instant.now().minus(Duration.ofMinutes(5)),
                Instant.now().plus(Duration.ofDays(3650)));
    }

    public PkiFixture(String federationId, Instant notBefore, Instant notAfter) throws Exception {
        X500Name name = new X500Name("CN=mipfed CA, O=" + federationId);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name, serial(), Date.from(notBefore), Date.from(notAfter), name, caKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca = sign(builder, caKeys.getPrivate());
    }

    /** A manager certificate: serverAuth, SANs localhost and 127.0.0.1. */
    X509Certificate server(KeyPair keys) throws Exception {
        return leaf(
                keys,
                "CN=localhost, OU=manager, O=fed",
                Instant.now().plus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_serverAuth,
                KeyPurposeId.id_kp_clientAuth);
    }

    /** A node certificate: clientAuth only. */
    X509Certificate client(KeyPair keys) throws Exception {
        return leaf(
                keys,
                "CN=node, OU=worker, O=fed",
                Instant.now().plus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_clientAuth);
    }

    public X509Certificate leaf(KeyPair keys, String subject, Instant notAfter, KeyPurposeId... purposes)
            throws Exception {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                ca,
                serial(),
                Date.from(Instant.now().minus(Duration.ofDays(2))),
                Date.from(notAfter),
                new X500Name(subject),
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
        return sign(builder, caKeys.getPrivate());
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(key)));
    }
}
