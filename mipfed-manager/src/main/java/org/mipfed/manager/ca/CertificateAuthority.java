package org.mipfed.manager.ca;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.CaEndorsement;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;

/**
 * The federation's certificate authority: a self-signed EC P-256 CA, kept by the manager in
 * {@code ca.crt} and {@code ca.key} (mode 0600). It signs the manager's TLS certificate and, when a node
 * joins, the node's certificate, whose subject {@code CN=<nodeId>, OU=<role>, O=<federationId>} is the
 * node's identity on every later connection.
 */
public final class CertificateAuthority {
    public static final String CERTIFICATE_FILE = "ca.crt";
    public static final String KEY_FILE = "ca.key";
    /** Ten years; {@code mipfed manager ca --rotate} replaces it without downtime when needed. */
    static final Duration CA_VALIDITY = Duration.ofDays(3653);
    /**
     * Certificates start a little in the past, so a peer whose clock lags accepts them at once: five minutes, or a
     * tenth of a short certificate's lifetime (so renewal at two thirds of it still falls after issuance).
     */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String federationId;
    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(String federationId, X509Certificate certificate, PrivateKey key) {
        this.federationId = requireNonNull(federationId, "federationId is null");
        this.certificate = requireNonNull(certificate, "certificate is null");
        this.key = requireNonNull(key, "key is null");
    }

    /**
     * Creates a new CA for {@code federationId} and stores it in {@code dir} (created, mode 0700, if missing).
     *
     * @throws IllegalStateException if {@code dir} already holds a CA: it is never overwritten, since every
     *     node's certificate depends on it
     */
    public static CertificateAuthority create(String federationId, Path dir) {
        requireNonNull(federationId, "federationId is null");
        requireNonNull(dir, "dir is null");
        if (federationId.isBlank()) {
            throw new IllegalArgumentException("federationId is blank");
        }
        Path certificateFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (Files.exists(certificateFile) || Files.exists(keyFile)) {
            throw new IllegalStateException("A certificate authority already exists in " + dir.toAbsolutePath()
                    + "; mipfed never overwrites one, because every node's certificate depends on it");
        }
        createPrivateDirectory(dir);
        KeyPair keys = KeyPairs.generate();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, federationId)
                .addRDN(BCStyle.CN, "mipfed CA")
                .build();
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                serialNumber(),
                Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(CA_VALIDITY)),
                subject,
                keys.getPublic());
        try {
            // path length 0: this CA signs end-entity certificates only, never another CA
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the CA certificate: " + e.getMessage(), e);
        }
        X509Certificate certificate = sign(builder, keys.getPrivate());
        // the key first: a certificate without its key would look like a usable CA
        Pem.writePrivateKey(keyFile, keys.getPrivate());
        Pem.writeCertificate(certificateFile, certificate);
        return new CertificateAuthority(federationId, certificate, keys.getPrivate());
    }

    /** Loads the CA stored in {@code dir} by {@link #create}, checking that the key belongs to the certificate. */
    public static CertificateAuthority load(Path dir) {
        requireNonNull(dir, "dir is null");
        Path certificateFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        X509Certificate certificate = Pem.readCertificate(certificateFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(certificateFile.toAbsolutePath() + " is not a CA certificate");
        }
        if (!belongTogether(key, certificate.getPublicKey())) {
            throw new IllegalArgumentException(
                    keyFile.toAbsolutePath() + " is not the private key of " + certificateFile.toAbsolutePath());
        }
        return new CertificateAuthority(organization(certificate, certificateFile), certificate, key);
    }

    /**
     * The CA of {@code certificate} and {@code key} as the managers replicate it, checking that they belong together.
     */
    static CertificateAuthority of(X509Certificate certificate, PrivateKey key) {
        requireNonNull(certificate, "certificate is null");
        requireNonNull(key, "key is null");
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the replicated CA certificate is not a CA certificate");
        }
        if (!belongTogether(key, certificate.getPublicKey())) {
            throw new IllegalArgumentException("the replicated CA key is not the key of the replicated CA certificate");
        }
        return new CertificateAuthority(organization(certificate, Path.of("replicated CA")), certificate, key);
    }

    /** Writes this CA into {@code dir} (created 0700 if missing), key first, replacing what it held. */
    void writeTo(Path dir) {
        createPrivateDirectory(dir);
        Pem.writePrivateKey(dir.resolve(KEY_FILE), key);
        Pem.writeCertificate(dir.resolve(CERTIFICATE_FILE), certificate);
    }

    /** The CA's private key, for the managers' replicated state only. */
    PrivateKey key() {
        return key;
    }

    /** The CA's own certificate: what nodes trust, and what join tokens name by digest. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The federation this CA belongs to (the O of its subject). */
    public String federationId() {
        return federationId;
    }

    /**
     * Issues the manager's TLS certificate. Its subject alternative names are {@code dnsOrIpSans} plus
     * {@code localhost} and {@code 127.0.0.1}, so nodes on the same machine can connect by either; it may
     * serve as server and as client (a manager may call another manager).
     *
     * @param dnsOrIpSans host names or IP literals the manager is reached at (the advertised address), without port
     * @param validity capped at the CA's own expiry
     */
    public X509Certificate issueServerCertificate(KeyPair keyPair, List<String> dnsOrIpSans, Duration validity) {
        requireNonNull(keyPair, "keyPair is null");
        List<String> hosts = SubjectAlternativeNames.withLoopback(dnsOrIpSans);
        X500Name subject = subject(hosts.get(0), Role.MANAGER.label());
        return issue(
                subject,
                keyPair.getPublic(),
                validity,
                SubjectAlternativeNames.of(hosts),
                KeyPurposeId.id_kp_serverAuth,
                KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * Signs a joining manager's certificate from its PKCS#10 request ({@code mipfed manager join}): the same
     * certificate {@link #issueServerCertificate} makes ({@code OU=manager}, server and client, {@code dnsOrIpSans}
     * plus loopback as subject alternative names), for the request's key, whose private half never leaves the new
     * manager. Only the request's verified public key is used.
     *
     * @throws IllegalArgumentException if the request cannot be parsed, its signature does not verify, or its key is
     *     weak
     */
    public X509Certificate signManagerCsr(byte[] csrDer, List<String> dnsOrIpSans, Duration validity) {
        requireNonNull(csrDer, "csrDer is null");
        PublicKey publicKey = CertificateRequests.verifiedPublicKey(csrDer);
        List<String> hosts = SubjectAlternativeNames.withLoopback(dnsOrIpSans);
        return issue(
                subject(hosts.get(0), Role.MANAGER.label()),
                publicKey,
                validity,
                SubjectAlternativeNames.of(hosts),
                KeyPurposeId.id_kp_serverAuth,
                KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * Signs a node's certificate from its PKCS#10 request. Only the request's public key is used, after its
     * signature is verified (the node holds the private key); the subject is set here, whatever the request
     * asked for: {@code CN=<nodeId>, OU=<role>, O=<federationId>}. The certificate is good for TLS client
     * authentication only, so a node can never pose as the manager.
     *
     * @param validity capped at the CA's own expiry
     * @throws IllegalArgumentException if the request cannot be parsed, its signature does not verify, or its
     *     key is weak
     */
    public X509Certificate signNodeCsr(byte[] csrDer, String nodeId, Role role, Duration validity) {
        requireNonNull(csrDer, "csrDer is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(role, "role is null");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        PublicKey publicKey = CertificateRequests.verifiedPublicKey(csrDer);
        return issue(subject(nodeId, role.label()), publicKey, validity, null, KeyPurposeId.id_kp_clientAuth);
    }

    /** This CA's signature over {@code nextCa}, with which members that trust this CA accept the next one. */
    public byte[] endorse(X509Certificate nextCa) {
        return CaEndorsement.sign(key, nextCa);
    }

    /** Whether this CA signed {@code certificate} (its signature only; dates are the caller's concern). */
    public boolean issued(X509Certificate certificate) {
        requireNonNull(certificate, "certificate is null");
        if (!certificate.getIssuerX500Principal().equals(this.certificate.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(this.certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Names the CA without its key: federation and digest. */
    @Override
    public String toString() {
        return "CertificateAuthority[federation=" + federationId + ", digest=" + CaDigest.of(certificate) + "]";
    }

    private X500Name subject(String commonName, String role) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, federationId)
                .addRDN(BCStyle.OU, role)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private X509Certificate issue(
            X500Name subject,
            PublicKey publicKey,
            Duration validity,
            GeneralNames alternativeNames,
            KeyPurposeId... purposes) {
        requireNonNull(validity, "validity is null");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive: " + validity);
        }
        Instant now = Instant.now();
        Instant end = now.plus(validity);
        Instant caEnd = certificate.getNotAfter().toInstant();
        // a certificate that outlives its CA would fail verification anyway; say so in its own dates
        if (end.isAfter(caEnd)) {
            end = caEnd;
        }
        Duration backdate = validity.dividedBy(10).compareTo(BACKDATE) < 0 ? validity.dividedBy(10) : BACKDATE;
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                certificate, serialNumber(), Date.from(now.minus(backdate)), Date.from(end), subject, publicKey);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
            builder.addExtension(
                    Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
            if (alternativeNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
            }
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a certificate for " + subject + ": " + e.getMessage(), e);
        }
        return sign(builder, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(key)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
        }
    }

    /** A positive random 128-bit serial number (RFC 5280 allows up to 20 octets; random serials are unguessable). */
    private static BigInteger serialNumber() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }

    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String organization(X509Certificate certificate, Path file) {
        RDN[] organizations = X500Name.getInstance(
                        certificate.getSubjectX500Principal().getEncoded())
                .getRDNs(BCStyle.O);
        if (organizations.length != 1) {
            throw new IllegalArgumentException(
                    file.toAbsolutePath() + " is not a mipfed CA: its subject has no single O (the federation id)");
        }
        ASN1Encodable value = organizations[0].getFirst().getValue();
        return value instanceof ASN1String text ? text.getString() : IETFUtils.valueToString(value);
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir.toAbsolutePath() + ": " + e, e);
        }
    }
}
