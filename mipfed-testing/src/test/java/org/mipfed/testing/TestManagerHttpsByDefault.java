package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.state.ManagerPaths;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * docs/operations.md's "A real federation", followed as written on the manager's machine: {@code manager init
 * --advertise-addr} (the HTTP address left at its default, every interface), {@code manager start} with no flag,
 * then the portal in a browser that trusts only the CA file docs/operations.md says to import, and the CLI. Then the two
 * ways to plain HTTP: {@code --insecure-http} (warned, and a banner for admins) and a loopback address. Real
 * {@code mipfed manager start} processes; Debian's Chromium with an NSS database of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestManagerHttpsByDefault {
    /** Resolves to this machine; docs/operations.md's fed.example.org. */
    private static final String ADVERTISE = "localhost";

    @TempDir
    static Path dir;

    static ManagerPaths paths;
    static int httpPort;
    private Process manager;

    @BeforeAll
    static void initAsTheReadmeSays() throws IOException {
        paths = new ManagerPaths(dir.resolve("manager"));
        httpPort = freePort();
        Cli.Result init = Cli.run(
                "manager",
                "init",
                "--data-dir",
                paths.dataDir().toString(),
                "--advertise-addr",
                ADVERTISE,
                "--grpc-port",
                Integer.toString(freePort()),
                "--http-port",
                Integer.toString(httpPort));
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(init.out())
                .contains("The portal will be at https://" + ADVERTISE + ":" + httpPort + "/")
                .contains(paths.caDir()
                        .resolve(CertificateAuthority.CERTIFICATE_FILE)
                        .toString());
    }

    @AfterEach
    void stopManager() throws InterruptedException {
        if (manager != null) {
            manager.destroy();
            assertThat(manager.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @Order(1)
    void noFlagOnEveryInterfaceGivesAnHttpsPortalTrustedWithTheCaFileAlone() throws Exception {
        Path log = dir.resolve("https.log");
        manager = start(paths, log);
        assertThat(Files.readString(log))
                .contains("REST API and portal on https://" + ADVERTISE + ":" + httpPort)
                .doesNotContain("plain HTTP");
        Path caFile = paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE);

        // a client that trusts nothing but the CA file and checks the host name, as a browser does
        HttpClient caOnly = HttpClient.newBuilder()
                .sslContext(trusting(caFile))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> portal = caOnly.send(
                HttpRequest.newBuilder(URI.create("https://" + ADVERTISE + ":" + httpPort + "/portal/"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(portal.statusCode()).isEqualTo(200);
        assertThat(portal.headers().firstValue("Strict-Transport-Security")).isPresent();
        // plain HTTP on that port gets no application response
        assertThat(rawPlainHttp(httpPort)).doesNotContain("200").doesNotContain("{");
        assertThatThrownBy(() -> new AdminClient("http://127.0.0.1:" + httpPort, FederationInit.adminToken(paths))
                        .get("/healthcheck"))
                .isInstanceOf(Problem.class);

        // the CLI on the manager's machine keeps working
        assertCliWorks();

        // Chromium with the CA imported into its NSS database, as docs/operations.md says: the sign-in page, no warning
        PortalBrowser.requireChromium();
        Path home = Files.createDirectories(dir.resolve("browser-home"));
        importCa(home, caFile);
        try (PortalBrowser browser = PortalBrowser.start(Files.createDirectories(dir.resolve("downloads")), home)) {
            browser.driver.get("https://" + ADVERTISE + ":" + httpPort + "/");
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
            assertThat(browser.driver.getCurrentUrl()).startsWith("https://" + ADVERTISE + ":" + httpPort + "/portal/");
            signIn(browser, "admin", FederationInit.adminPassword(paths));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "admin (admin)"));
            browser.driver.get("https://" + ADVERTISE + ":" + httpPort + "/portal/#/admin");
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("admin-nodes")));
            assertThat(browser.driver.findElements(By.cssSelector(".banner-insecure")))
                    .isEmpty();
            browser.screenshot("https-admin");
        }
        // the same Chromium without the CA refuses the page: the trust came from the imported file
        Path stranger = Files.createDirectories(dir.resolve("stranger-home"));
        try (PortalBrowser browser =
                PortalBrowser.start(Files.createDirectories(dir.resolve("downloads2")), stranger)) {
            browser.driver.get("https://" + ADVERTISE + ":" + httpPort + "/portal/");
            assertThat(browser.driver.findElements(By.id("signin"))).isEmpty();
            assertThat(browser.driver.getPageSource()).contains("ERR_CERT_AUTHORITY_INVALID");
        }
    }

    @Test
    @Order(2)
    void insecureHttpServesPlainHttpWarnsAtStartAndShowsAdminsABanner() throws Exception {
        Path log = dir.resolve("insecure.log");
        manager = start(paths, log, "--insecure-http");
        String output = Files.readString(log);
        assertThat(output).contains("REST API and portal on http://" + ADVERTISE + ":" + httpPort);
        assertThat(output).contains("WARN").contains("plain HTTP on 0.0.0.0").contains("--insecure-http");
        assertThat(paths.httpServingCertificate()).doesNotExist();
        assertThat(new AdminClient("http://127.0.0.1:" + httpPort, FederationInit.adminToken(paths))
                        .get("/admin/transport")
                        .path("insecure")
                        .asBoolean())
                .isTrue();
        assertCliWorks();

        PortalBrowser.requireChromium();
        try (PortalBrowser browser = PortalBrowser.start(Files.createDirectories(dir.resolve("downloads3")))) {
            browser.driver.get("http://127.0.0.1:" + httpPort + "/");
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
            signIn(browser, "admin", FederationInit.adminPassword(paths));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "admin (admin)"));
            browser.driver.get("http://127.0.0.1:" + httpPort + "/portal/#/admin");
            WebElement banner = browser.await(
                    ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#admin-transport .banner-insecure")));
            assertThat(banner.getText())
                    .contains("Not encrypted")
                    .contains("plain HTTP")
                    .contains("--insecure-http");
            browser.screenshot("insecure-http-admin");
        }
    }

    @Test
    @Order(3)
    void aLoopbackHttpAddressIsServedPlainAndTheCliWorks() throws Exception {
        ManagerPaths loopback = new ManagerPaths(dir.resolve("behind-proxy"));
        int port = freePort();
        Cli.Result init = Cli.run(
                "manager",
                "init",
                "--data-dir",
                loopback.dataDir().toString(),
                "--advertise-addr",
                ADVERTISE,
                "--grpc-port",
                Integer.toString(freePort()),
                "--http-port",
                Integer.toString(port),
                "--http-host",
                "127.0.0.1");
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(init.out())
                .contains("The portal will be at http://127.0.0.1:" + port + "/")
                .contains("reverse proxy");
        Path log = dir.resolve("loopback.log");
        manager = start(loopback, log);
        assertThat(Files.readString(log))
                .contains("REST API and portal on http://127.0.0.1:" + port)
                .doesNotContain("plain HTTP");
        assertThat(loopback.httpServingCertificate()).doesNotExist();
        HttpResponse<String> portal = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/portal/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(portal.statusCode()).isEqualTo(200);
        Cli.Result ls = Cli.run("node", "ls", "--data-dir", loopback.dataDir().toString());
        assertThat(ls.exitCode()).as(ls.err()).isZero();
    }

    private static void assertCliWorks() {
        Cli.Result ls = Cli.run("node", "ls", "--data-dir", paths.dataDir().toString());
        assertThat(ls.exitCode()).as(ls.err()).isZero();
        Cli.Result token =
                Cli.run("join-token", "worker", "--data-dir", paths.dataDir().toString());
        assertThat(token.exitCode()).as(token.err()).isZero();
        assertThat(token.out()).contains("mipfed node join --token MIPFED-1-");
    }

    /** {@code mipfed manager start --data-dir D flags…} as a process, once the CLI reaches it. */
    private static Process start(ManagerPaths paths, Path log, String... flags) {
        List<String> args = new java.util.ArrayList<>(
                List.of("manager", "start", "--data-dir", paths.dataDir().toString()));
        args.addAll(List.of(flags));
        Process process = LocalFederation.launch(log, args.toArray(String[]::new));
        LocalFederation.await(Duration.ofSeconds(60), "the manager to answer", () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the manager exited; see " + log);
            }
            try {
                AdminClient.forManager(paths).get("/healthcheck");
                return Files.readString(log).contains("manager running");
            } catch (Problem | IOException e) {
                return false;
            }
        });
        return process;
    }

    /** What docs/operations.md tells a Linux user to run: the CA into the NSS database Chromium reads. */
    private static void importCa(Path home, Path caFile) throws Exception {
        requireCertutil();
        Path nssdb = Files.createDirectories(home.resolve(".pki/nssdb"));
        run("certutil", "-N", "-d", "sql:" + nssdb, "--empty-password");
        run("certutil", "-A", "-d", "sql:" + nssdb, "-t", "C,,", "-n", "mipfed federation CA", "-i", caFile.toString());
    }

    /** NSS's certutil (Debian's libnss3-tools, which ./mipfed test installs): skipped without it, except on CI. */
    private static void requireCertutil() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/certutil"));
        String message = "Trusting the CA in Chromium needs NSS's certutil: apt-get install libnss3-tools";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail(message);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, message);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    private static void signIn(PortalBrowser browser, String user, String password) {
        browser.find("#signin input[name=username]").sendKeys(user);
        browser.find("#signin input[name=password]").sendKeys(password);
        browser.find("#signin-submit").click();
    }

    private static String rawPlainHttp(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthcheck HTTP/1.1\r\nHost: " + ADVERTISE + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
