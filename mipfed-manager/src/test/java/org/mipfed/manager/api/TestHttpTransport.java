package org.mipfed.manager.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.state.ManagerPaths;

/**
 * Secure by default: a manager whose HTTP address other machines can reach speaks HTTPS only unless told
 * {@code --insecure-http}, which admins then see; a loopback address is served plain (the demo, a reverse proxy).
 * "Reachable" is tested by binding every interface (0.0.0.0) and connecting over loopback.
 */
class TestHttpTransport {
    @TempDir
    Path dir;

    private ManagerServer manager;

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    private ManagerPaths init(String httpHost) {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, httpHost);
        return paths;
    }

    @Test
    void aReachableAddressWithNoFlagIsServedOverHttpsOnlyWithACertificateTheCaFileMakesTrusted() throws Exception {
        ManagerPaths paths = init("0.0.0.0");
        manager = ManagerServer.start(paths, 0, 0, WebOptions.DEFAULT);
        assertThat(manager.api().transport()).isEqualTo(new HttpTransport("0.0.0.0", false, true));

        // trusted with the CA file alone, the host name checked by the client as a browser does
        SSLContext caOnly = trusting(paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE));
        ApiClient https = new ApiClient(
                HttpClient.newBuilder()
                        .sslContext(caOnly)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                "https://localhost:" + manager.httpPort());
        HttpResponse<String> portal = https.send("GET", "/portal/", null);
        assertThat(portal.statusCode()).isEqualTo(200);
        assertThat(portal.body()).contains("<html");
        assertThat(portal.headers().firstValue("Strict-Transport-Security"))
                .contains(SecurityHeaders.STRICT_TRANSPORT_SECURITY);
        JsonNode transport = ApiClient.json(https.send(
                "GET", "/admin/transport", null, "Authorization", "Bearer " + FederationInit.adminToken(paths)));
        assertThat(transport.path("scheme").asText()).isEqualTo("https");
        assertThat(transport.path("insecure").asBoolean()).isFalse();
        assertThat(transport.has("warning")).isFalse();
        assertThat(https.send(
                                "POST",
                                "/auth/login",
                                java.util.Map.of("username", "admin", "password", FederationInit.adminPassword(paths)))
                        .headers()
                        .firstValue("Set-Cookie")
                        .orElseThrow())
                .contains("Secure");

        // a plain-HTTP request gets no application response: no status line, no header, no byte of the API
        String plain = rawPlainHttp(
                manager.httpPort(), "GET /healthcheck HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(plain)
                .doesNotContain("200")
                .doesNotContainIgnoringCase("content-security-policy")
                .doesNotContain("{");
        assertThatThrownBy(() -> ApiClient.plain(manager.httpPort()).send("GET", "/healthcheck", null))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void insecureHttpOnAReachableAddressServesPlainHttpAndTellsAdminsWhy() {
        ManagerPaths paths = init("0.0.0.0");
        manager = ManagerServer.start(paths, 0, 0, new WebOptions(null, null, false, true, null));
        assertThat(manager.api().transport().insecure()).isTrue();
        assertThat(paths.httpServingCertificate()).doesNotExist();

        ApiClient plain = ApiClient.plain(manager.httpPort());
        HttpResponse<String> response = plain.send(
                "GET", "/admin/transport", null, "Authorization", "Bearer " + FederationInit.adminToken(paths));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Strict-Transport-Security")).isEmpty();
        JsonNode transport = ApiClient.json(response);
        assertThat(transport.path("scheme").asText()).isEqualTo("http");
        assertThat(transport.path("loopback_only").asBoolean()).isFalse();
        assertThat(transport.path("insecure").asBoolean()).isTrue();
        assertThat(transport.path("warning").asText())
                .contains("plain HTTP", "0.0.0.0", "--insecure-http", "reverse proxy");
        // the warning is for admins: anyone else is asked to sign in first
        assertThat(plain.send("GET", "/admin/transport", null).statusCode()).isEqualTo(401);
    }

    @Test
    void aLoopbackAddressIsServedOverPlainHttpWithoutAWarning() {
        ManagerPaths paths = init("127.0.0.1");
        manager = ManagerServer.start(paths, 0, 0, WebOptions.DEFAULT);
        JsonNode transport = ApiClient.json(ApiClient.plain(manager.httpPort())
                .send("GET", "/admin/transport", null, "Authorization", "Bearer " + FederationInit.adminToken(paths)));
        assertThat(transport.path("scheme").asText()).isEqualTo("http");
        assertThat(transport.path("loopback_only").asBoolean()).isTrue();
        assertThat(transport.path("insecure").asBoolean()).isFalse();
        assertThat(transport.has("warning")).isFalse();
    }

    @Test
    void behindAReverseProxyOnLoopbackTheForwardedHttpsSchemeIsHonoured() {
        ManagerPaths paths = init("127.0.0.1");
        manager = ManagerServer.start(paths, 0, 0, new WebOptions(null, null, false, false, null, true));
        ApiClient proxied = ApiClient.plain(manager.httpPort());
        // what nginx sends for a browser on https://<the Host header>: its Origin, X-Forwarded-Proto
        String origin = "https://127.0.0.1:" + manager.httpPort();
        HttpResponse<String> login = proxied.send(
                "POST",
                "/auth/login",
                java.util.Map.of("username", "admin", "password", FederationInit.adminPassword(paths)),
                "Origin",
                origin,
                "X-Forwarded-Proto",
                "https",
                "X-Forwarded-For",
                "198.51.100.7");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");
        assertThat(login.headers().firstValue("Strict-Transport-Security"))
                .contains(SecurityHeaders.STRICT_TRANSPORT_SECURITY);
        // without the proxy's word the same Origin is another site's
        assertThat(proxied.send(
                                "POST",
                                "/auth/login",
                                java.util.Map.of("username", "admin", "password", "x"),
                                "Origin",
                                origin)
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void onLoopbackWithoutBehindProxyForwardedHeadersAreIgnored() {
        ManagerPaths paths = init("127.0.0.1");
        manager = ManagerServer.start(paths, 0, 0, WebOptions.DEFAULT);
        ApiClient local = ApiClient.plain(manager.httpPort());
        // a local process naming another scheme and address gets neither: no Secure cookie, the https Origin is foreign
        HttpResponse<String> login = local.send(
                "POST",
                "/auth/login",
                java.util.Map.of("username", "admin", "password", FederationInit.adminPassword(paths)),
                "X-Forwarded-Proto",
                "https",
                "X-Forwarded-For",
                "198.51.100.7");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
        assertThat(local.send(
                                "POST",
                                "/auth/login",
                                java.util.Map.of("username", "admin", "password", FederationInit.adminPassword(paths)),
                                "Origin",
                                "https://127.0.0.1:" + manager.httpPort(),
                                "X-Forwarded-Proto",
                                "https")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void behindProxyNeedsALoopbackAddressServedInPlainHttp() {
        ManagerPaths paths = init("0.0.0.0");
        assertThatThrownBy(() -> ManagerServer.start(paths, 0, 0, new WebOptions(null, null, false, false, null, true)))
                .hasMessageContaining("--behind-proxy")
                .hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> new WebOptions(null, null, true, false, null, true))
                .hasMessageContaining("--behind-proxy");
    }

    @Test
    void forwardedHeadersAreIgnoredOnAnAddressOtherMachinesReach() {
        ManagerPaths paths = init("0.0.0.0");
        manager = ManagerServer.start(paths, 0, 0, new WebOptions(null, null, false, true, null));
        ApiClient direct = ApiClient.plain(manager.httpPort());
        HttpResponse<String> login = direct.send(
                "POST",
                "/auth/login",
                java.util.Map.of("username", "admin", "password", FederationInit.adminPassword(paths)),
                "X-Forwarded-Proto",
                "https");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
        assertThat(direct.send(
                                "POST",
                                "/auth/login",
                                java.util.Map.of("username", "admin", "password", FederationInit.adminPassword(paths)),
                                "Origin",
                                "https://127.0.0.1:" + manager.httpPort(),
                                "X-Forwarded-Proto",
                                "https")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void loopbackMeansEveryResolvedAddressIsLoopback() {
        assertThat(HttpTransport.loopbackOnly("127.0.0.1")).isTrue();
        assertThat(HttpTransport.loopbackOnly("127.8.9.10")).isTrue();
        assertThat(HttpTransport.loopbackOnly("localhost")).isTrue();
        assertThat(HttpTransport.loopbackOnly("::1")).isTrue();
        assertThat(HttpTransport.loopbackOnly("[::1]")).isTrue();
        assertThat(HttpTransport.loopbackOnly("0.0.0.0")).isFalse();
        assertThat(HttpTransport.loopbackOnly("::")).isFalse();
        assertThat(HttpTransport.loopbackOnly("192.0.2.7")).isFalse();
        assertThat(HttpTransport.loopbackOnly("")).isFalse();
        // a name that does not resolve never weakens the default
        assertThat(HttpTransport.loopbackOnly("no-such-host.invalid")).isFalse();
    }

    @Test
    void insecureHttpCannotBeCombinedWithHttps() {
        assertThatThrownBy(() -> new WebOptions(null, null, true, true, null))
                .hasMessageContaining("--insecure-http")
                .hasMessageContaining("--https");
        assertThatThrownBy(() -> new WebOptions(Path.of("a.crt"), Path.of("a.key"), false, true, null))
                .hasMessageContaining("--http-cert");
        assertThat(WebOptions.DEFAULT.issuesCertificate(false)).isTrue();
        assertThat(WebOptions.DEFAULT.issuesCertificate(true)).isFalse();
        assertThat(new WebOptions(null, null, true, false, null).issuesCertificate(true))
                .isTrue();
    }

    /** Sends {@code request} as plain text to the port and returns whatever comes back before the server closes. */
    private static String rawPlainHttp(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                // a reset connection is no answer either
                return "";
            }
        }
    }

    /** A TLS context that trusts only the federation's CA, as a browser does once the CA file docs/operations.md says is imported. */
    private static SSLContext trusting(Path caFile) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                null,
                new javax.net.ssl.TrustManager[] {
                    org.mipfed.core.security.TlsManagers.trustingOnly(Pem.readCertificate(caFile))
                },
                null);
        return context;
    }
}
