package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.state.ManagerPaths;

/** The federation's CA (key included, and a rotation in progress) is part of the managers' replicated state. */
class TestReplicatedCa {
    @TempDir
    Path dir;

    @Test
    void theCaAndItsKeyGoIntoTheLogAndARotationFollows() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        X509Certificate onDisk = Pem.readCertificate(paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE));
        try (ManagerServer manager = ManagerServer.start(paths, 0, 0)) {
            CaKeys replicated = manager.replication().state().ca();
            assertThat(replicated).isNotNull();
            assertThat(replicated.rotating()).isFalse();
            assertThat(Pem.certificate(java.util.Base64.getDecoder().decode(replicated.certificate())))
                    .isEqualTo(onDisk);
            // the log's CA key signs: a manager holding only the replicated state can issue certificates
            assertThat(replicated.key()).isNotBlank();
            assertThat(replicated.toString()).doesNotContain(replicated.key());

            // with no node to wait for, the leader finishes a rotation at its next check (every second) and puts the
            // new CA into the log
            manager.caRotation().start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (manager.replication().state().ca().sameCas(replicated) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            CaKeys rotated = manager.replication().state().ca();
            X509Certificate now = Pem.readCertificate(paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE));
            assertThat(now).isNotEqualTo(onDisk);
            assertThat(Pem.certificate(java.util.Base64.getDecoder().decode(rotated.certificate())))
                    .isEqualTo(now);
            manager.replication().snapshot();
        }
        // the Raft directory (log and snapshots, which hold the CA key) is the manager's user's only
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.raftDir())))
                .isEqualTo("rwx------");
        try (Stream<Path> files = Files.walk(paths.raftDir())) {
            Path snapshot = files.filter(p -> p.getFileName().toString().startsWith("snapshot.")
                            && !p.getFileName().toString().endsWith(".md5"))
                    .findFirst()
                    .orElseThrow();
            var saved = Json.mapper().readTree(snapshot.toFile());
            assertThat(saved.path("ca").path("key").asText()).isNotBlank();
        }
    }

    @Test
    void anotherManagerAdoptsTheCaItsRotationAndItsFinish() {
        ManagerPaths a = new ManagerPaths(dir.resolve("a"));
        FederationInit.init(a, "localhost", 0, 0, "127.0.0.1");
        // a second manager of the same federation: same config, its own manager key, and (yet) a stale CA copy
        ManagerPaths b = new ManagerPaths(dir.resolve("b"));
        copy(a.dataDir(), b.dataDir());
        FederationCa caA = FederationCa.load(a, "localhost");
        FederationCa caB = FederationCa.load(b, "manager-b.example.org");

        caA.startRotation();
        CaKeys rotating = caA.keys();
        assertThat(rotating.rotating()).isTrue();
        assertThat(caB.adopt(rotating)).isTrue();
        assertThat(caB.nextDigest()).isEqualTo(caA.nextDigest());
        assertThat(caB.keys().sameCas(rotating)).isTrue();
        // B signs under the new CA with the replicated key, and presents a certificate of its own under it
        assertThat(caB.renewalCa().certificate()).isEqualTo(caA.renewalCa().certificate());
        KeyPair node = KeyPairs.generate();
        X509Certificate issued =
                caB.renewalCa().issueServerCertificate(node, List.of("manager-c.example.org"), Duration.ofDays(1));
        assertThat(caA.renewalCa().issued(issued)).isTrue();
        // adopting the same CAs again changes nothing
        assertThat(caB.adopt(rotating)).isFalse();

        caA.finishRotation();
        assertThat(caB.adopt(caA.keys())).isTrue();
        assertThat(caB.digest()).isEqualTo(caA.digest());
        assertThat(caB.rotating()).isFalse();
        X509Certificate presented = caB.identity().chain().get(0);
        assertThat(caB.joinCa().issued(presented)).isTrue();
        assertThat(PeerIdentity.of(presented).role()).isEqualTo(Role.MANAGER.label());
        // the files follow: a restart of B loads the adopted CA
        FederationCa reloaded = FederationCa.load(b, "manager-b.example.org");
        assertThat(reloaded.digest()).isEqualTo(caA.digest());
        assertThat(CaDigest.of(Pem.readCertificate(b.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE))))
                .isEqualTo(caA.digest());
    }

    @Test
    void aCaOfAnotherFederationIsRefused() {
        ManagerPaths a = new ManagerPaths(dir.resolve("a"));
        FederationInit.init(a, "localhost", 0, 0, "127.0.0.1");
        ManagerPaths other = new ManagerPaths(dir.resolve("other"));
        FederationInit.init(other, "localhost", 0, 0, "127.0.0.1");
        FederationCa caA = FederationCa.load(a, "localhost");
        CaKeys foreign = FederationCa.load(other, "localhost").keys();
        assertThatThrownBy(() -> caA.adopt(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not of this manager's federation");
        // nothing changed
        assertThat(caA.keys().sameCas(FederationCa.load(a, "localhost").keys())).isTrue();
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
