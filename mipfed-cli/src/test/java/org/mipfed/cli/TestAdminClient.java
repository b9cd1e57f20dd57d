package org.mipfed.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.api.WebOptions;
import org.mipfed.manager.state.ManagerPaths;

/** The CLI reaches its manager with admin.token over plain HTTP, and over HTTPS by pinning the certificate it serves. */
class TestAdminClient {
    @TempDir
    Path dir;

    @Test
    void reachesTheManagerOverHttpsWhateverNamesItsCertificateHolds() throws IOException {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "fed.example.org", 0, freePort(), "127.0.0.1");
        try (ManagerServer manager = ManagerServer.start(paths, 0, null, new WebOptions(null, null, true, false, null))) {
            assertThat(paths.httpServingCertificate()).exists();
            assertThat(AdminClient.forManager(paths).get("/auth/me").path("role").asText()).isEqualTo("admin");
            // the plain-HTTP client of before cannot talk to an HTTPS port
            assertThatThrownBy(() -> new AdminClient("http://127.0.0.1:" + manager.httpPort(), FederationInit.adminToken(paths)).get("/auth/me"))
                    .isInstanceOf(Problem.class);
            // a pinned certificate that is not the one served is refused
            Files.copy(paths.caDir().resolve("ca.crt"), paths.httpServingCertificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> AdminClient.forManager(paths).get("/auth/me")).isInstanceOf(Problem.class).hasMessageContaining("127.0.0.1");
        }
        assertThat(paths.httpServingCertificate()).doesNotExist();
        try (ManagerServer manager = ManagerServer.start(paths, 0, null)) {
            assertThat(AdminClient.forManager(paths).get("/admin/users").get(0).path("username").asText()).isEqualTo("admin");
        }
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
