package org.mipfed.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.api.WebOptions;
import org.mipfed.manager.state.ManagerPaths;

/**
 * The CLI reaches its manager with admin.token over plain HTTP, and over HTTPS by pinning the certificate it serves; on
 * loopback unless the manager listens on one other address only.
 */
class TestAdminClient {
    @TempDir
    Path dir;

    @Test
    void reachesTheManagerOverHttpsWhateverNamesItsCertificateHolds() throws IOException {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "fed.example.org", 0, freePort(), "127.0.0.1");
        try (ManagerServer manager =
                ManagerServer.start(paths, 0, null, new WebOptions(null, null, true, false, null))) {
            assertThat(paths.httpServingCertificate()).exists();
            assertThat(AdminClient.forManager(paths)
                            .get("/auth/me")
                            .path("role")
                            .asText())
                    .isEqualTo("admin");
            // the plain-HTTP client of before cannot talk to an HTTPS port
            assertThatThrownBy(() -> new AdminClient(
                                    "http://127.0.0.1:" + manager.httpPort(), FederationInit.adminToken(paths))
                            .get("/auth/me"))
                    .isInstanceOf(Problem.class);
            // a pinned certificate that is not the one served is refused
            Files.copy(
                    paths.caDir().resolve("ca.crt"),
                    paths.httpServingCertificate(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> AdminClient.forManager(paths).get("/auth/me"))
                    .isInstanceOf(Problem.class)
                    .hasMessageContaining("127.0.0.1");
        }
        assertThat(paths.httpServingCertificate()).doesNotExist();
        try (ManagerServer manager = ManagerServer.start(paths, 0, null)) {
            assertThat(AdminClient.forManager(paths)
                            .get("/admin/users")
                            .get(0)
                            .path("username")
                            .asText())
                    .isEqualTo("admin");
        }
    }

    @Test
    void reachesAManagerListeningOnOneNonLoopbackAddressOfThisMachineOverHttps() throws IOException {
        String own = ownNonLoopbackAddress();
        assumeTrue(own != null, "this machine has no non-loopback IPv4 address");
        ManagerPaths paths = new ManagerPaths(dir.resolve("own-address"));
        FederationInit.init(paths, own, 0, freePort(), own);
        try (ManagerServer manager = ManagerServer.start(paths, 0, null)) {
            assertThat(manager.api().transport().https()).isTrue();
            assertThat(manager.api().transport().loopbackOnly()).isFalse();
            assertThat(AdminClient.forManager(paths)
                            .get("/admin/transport")
                            .path("scheme")
                            .asText())
                    .isEqualTo("https");
            // nothing listens on loopback then
            assertThatThrownBy(() -> new AdminClient(
                                    "http://127.0.0.1:" + manager.httpPort(), FederationInit.adminToken(paths))
                            .get("/healthcheck"))
                    .isInstanceOf(Problem.class)
                    .hasMessageContaining("not answering");
        }
    }

    /** An address of this machine's own interfaces that is not loopback (connecting to it never leaves the machine). */
    private static String ownNonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address
                            && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        }
        return null;
    }

    @Test
    void reachesAManagerOnEveryInterfaceOrLoopbackOverLoopbackAndOtherwiseOnItsOneAddress() {
        assertThat(AdminClient.localHost("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(AdminClient.localHost("::")).isEqualTo("127.0.0.1");
        assertThat(AdminClient.localHost("localhost")).isEqualTo("127.0.0.1");
        assertThat(AdminClient.localHost("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(AdminClient.localHost("192.0.2.2")).isEqualTo("192.0.2.2");
        assertThat(AdminClient.localHost("fd00::5")).isEqualTo("[fd00::5]");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
