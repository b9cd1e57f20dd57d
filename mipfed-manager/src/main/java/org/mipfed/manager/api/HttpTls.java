package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.state.ManagerPaths;

/**
 * HTTPS on the manager's HTTP port: a key and its certificate chain, either given by the operator (a certificate
 * browsers already trust) or issued by the federation's own CA for the advertise address. The port then speaks
 * TLS 1.3, or TLS 1.2 with forward-secret AEAD suites only, and nothing else.
 */
public record HttpTls(PrivateKey key, List<X509Certificate> chain) {
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    static final String[] CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    };
    private static final Duration ISSUED_VALIDITY = Duration.ofDays(397);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    public HttpTls {
        requireNonNull(key, "key is null");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("the certificate chain is empty");
        }
    }

    /** The operator's key (PEM, PKCS#8) and certificate chain (PEM, the server's certificate first). */
    public static HttpTls fromFiles(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certificateFile)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw Problem.badRequest("Cannot read the HTTPS certificate " + certificateFile + ": " + e.getMessage()
                    + ". Give a PEM file with the server's certificate first, then its intermediates (--http-cert).");
        }
        if (chain.isEmpty()) {
            throw Problem.badRequest("No certificate in " + certificateFile
                    + "; give a PEM file with the server's certificate (--http-cert).");
        }
        PrivateKey key;
        try {
            key = Pem.readPrivateKey(keyFile);
        } catch (RuntimeException e) {
            throw Problem.badRequest("Cannot read the HTTPS key " + keyFile + ": " + e.getMessage()
                    + ". Give its PEM (PKCS#8) private key (--http-key).");
        }
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw Problem.badRequest("The key " + keyFile + " (" + key.getAlgorithm()
                    + ") does not belong to the certificate " + certificateFile + " ("
                    + chain.get(0).getPublicKey().getAlgorithm() + ").");
        }
        return new HttpTls(key, chain);
    }

    /**
     * A certificate from the federation's CA for the advertise address (and loopback), kept in {@code D/tls/http.*}
     * and issued again when it is missing, within 30 days of its end, or for another address. Browsers trust it once
     * the federation's CA ({@code D/ca/ca.crt}) is imported.
     */
    public static HttpTls issued(ManagerPaths paths, CertificateAuthority ca, String advertiseAddr) {
        Path certFile = paths.httpCertificate();
        Path keyFile = paths.httpKey();
        if (Files.isRegularFile(certFile) && Files.isRegularFile(keyFile)) {
            X509Certificate existing = Pem.readCertificate(certFile);
            boolean fresh =
                    existing.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
            if (fresh
                    && names(existing).contains(advertiseAddr)
                    && existing.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal())) {
                return new HttpTls(Pem.readPrivateKey(keyFile), List.of(existing, ca.certificate()));
            }
        }
        KeyPair keyPair = KeyPairs.generate();
        X509Certificate certificate = ca.issueServerCertificate(keyPair, List.of(advertiseAddr), ISSUED_VALIDITY);
        Pem.writePrivateKey(keyFile, keyPair.getPrivate());
        Pem.writeCertificate(certFile, certificate);
        return new HttpTls(keyPair.getPrivate(), List.of(certificate, ca.certificate()));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                certificate.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
            }
        } catch (GeneralSecurityException e) {
            return List.of();
        }
        return names;
    }

    /** Makes Javalin listen with TLS only, on {@code host:port}. */
    void configure(JavalinConfig config, String host, int port) {
        char[] password = new char[24];
        String random = Base64.getEncoder().encodeToString(randomBytes(18));
        random.getChars(0, 24, password, 0);
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("https", key, password, chain.toArray(new Certificate[0]));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot hold the HTTPS key: " + e.getMessage(), e);
        }
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(store);
        tls.setKeyStorePassword(new String(password));
        tls.setIncludeProtocols(PROTOCOLS);
        tls.setIncludeCipherSuites(CIPHER_SUITES);
        tls.setRenegotiationAllowed(false);
        config.jetty.addConnector((server, httpConfiguration) -> {
            HttpConfiguration https = new HttpConfiguration(httpConfiguration);
            https.setSecureScheme("https");
            // the certificate's names are checked by clients; the server answers whatever name it was reached by
            https.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(
                    server,
                    new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https));
            connector.setHost(host);
            connector.setPort(port);
            return connector;
        });
    }
}
