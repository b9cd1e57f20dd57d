package org.mipfed.manager.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.state.ManagerPaths;

/** HTTPS on the manager's HTTP port, with a certificate from the federation's CA or the operator's own. */
class TestHttps {
    @TempDir
    Path dir;

    private ManagerPaths paths;
    private ManagerServer manager;

    @BeforeEach
    void init() {
        paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "fed.example.org", 0, 0, "127.0.0.1");
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void servesTls13WithACertificateFromTheFederationCa() throws Exception {
        manager = ManagerServer.start(paths, 0, 0, new WebOptions(null, null, true, false, null));
        SSLContext trustCa =
                trusting(Pem.readCertificate(paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE)));

        try (SSLSocket socket = (SSLSocket) trustCa.getSocketFactory().createSocket("127.0.0.1", manager.httpPort())) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertThat(served.getSubjectAlternativeNames())
                    .extracting(n -> String.valueOf(n.get(1)))
                    .contains("fed.example.org", "127.0.0.1");
            assertThat(served.getEncoded())
                    .isEqualTo(
                            Pem.readCertificate(paths.httpServingCertificate()).getEncoded());
        }
        // TLS 1.2 only with forward secrecy
        try (SSLSocket socket = (SSLSocket) trustCa.getSocketFactory().createSocket("127.0.0.1", manager.httpPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(socket.getSession().getCipherSuite())
                    .startsWith("TLS_ECDHE_")
                    .contains("_GCM_");
        }
        try (SSLSocket socket = (SSLSocket) trustCa.getSocketFactory().createSocket("127.0.0.1", manager.httpPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }

        ApiClient api = new ApiClient(
                HttpClient.newBuilder()
                        .sslContext(trustCa)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                "https://127.0.0.1:" + manager.httpPort());
        HttpResponse<String> config = api.send("GET", "/auth/config", null);
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
        assertThat(config.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(config.headers().firstValue("Cache-Control")).contains("no-store");
        // the header limit holds on the HTTPS connector too, and its refusal carries the headers as well
        HttpResponse<String> padded = api.send("GET", "/auth/config", null, "X-Padding", "p".repeat(10_000));
        assertThat(padded.statusCode()).isEqualTo(431);
        assertThat(padded.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(padded.body()).contains("\"status\":431");
        HttpResponse<String> login = api.send(
                "POST", "/auth/login", Map.of("username", "admin", "password", FederationInit.adminPassword(paths)));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow())
                .contains("HttpOnly", "SameSite=Strict", "Secure");
        // a signed-in change from the manager's own https origin passes the origin check
        ApiClient.Browser admin = api.login("admin", FederationInit.adminPassword(paths));
        assertThat(api.send("POST", "/auth/tokens", Map.of("name", "x"), admin.headers("Origin", api.base()))
                        .statusCode())
                .isEqualTo(201);

        // no plain HTTP on the port
        assertThatThrownBy(() -> ApiClient.plain(manager.httpPort()).send("GET", "/auth/config", null))
                .isInstanceOf(RuntimeException.class);

        // a restart keeps the issued certificate
        byte[] first = Files.readAllBytes(paths.httpCertificate());
        manager.close();
        assertThat(paths.httpServingCertificate()).doesNotExist();
        manager = ManagerServer.start(paths, 0, 0, new WebOptions(null, null, true, false, null));
        assertThat(Files.readAllBytes(paths.httpCertificate())).isEqualTo(first);
    }

    @Test
    void refusesTls11() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/openssl")),
                "needs the openssl command to offer TLS 1.1, which Java's own client refuses to send");
        manager = ManagerServer.start(paths, 0, 0, new WebOptions(null, null, true, false, null));
        String tls13 = openssl("-tls1_3");
        assertThat(tls13).contains("TLSv1.3");
        String tls11 = openssl("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        // the server answers a TLS 1.1 hello with a protocol_version alert; no cipher is agreed
        assertThat(tls11)
                .contains("alert protocol version", "Cipher is (NONE)")
                .doesNotContain("no protocols available");
        assertThat(tls13).contains("New, TLSv1.3, Cipher is TLS_");
    }

    @Test
    void servesTheOperatorsCertificateAndRefusesAKeyThatIsNotIts() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other", dir.resolve("other-ca"));
        KeyPair key = KeyPairs.generate();
        X509Certificate certificate =
                other.issueServerCertificate(key, List.of("portal.example.org"), Duration.ofDays(30));
        Path certFile = dir.resolve("portal.crt");
        Path keyFile = dir.resolve("portal.key");
        Files.writeString(certFile, pem(certificate) + pem(other.certificate()));
        Pem.writePrivateKey(keyFile, key.getPrivate());

        manager = ManagerServer.start(paths, 0, 0, new WebOptions(certFile, keyFile, false, false, null));
        try (SSLSocket socket = (SSLSocket)
                trusting(other.certificate()).getSocketFactory().createSocket("127.0.0.1", manager.httpPort())) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()).hasSize(2);
            assertThat(socket.getSession().getPeerCertificates()[0].getEncoded())
                    .isEqualTo(certificate.getEncoded());
        }
        manager.close();
        manager = null;

        Path wrong = dir.resolve("wrong.key");
        Files.writeString(wrong, "not a key\n");
        assertThatThrownBy(() -> ManagerServer.start(paths, 0, 0, new WebOptions(certFile, wrong, false, false, null)))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("wrong.key")
                .hasMessageContaining("--http-key");
        assertThatThrownBy(() -> new WebOptions(certFile, null, false, false, null))
                .hasMessageContaining("--http-key");
    }

    private String openssl(String... options) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + manager.httpPort(),
                "-servername",
                "fed.example.org"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
