package org.mipfed.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mipfed_VERSION_all.deb installed with apt-get on this machine (as root, as CI runs): the command and the demo run
 * from the installed files, the units pass systemd-analyze verify, and a purge leaves nothing behind.
 */
class TestDebianPackage {
    /** What the package creates outside dpkg's own file list, all gone after a purge. */
    static final List<Path> CREATED =
            List.of(Path.of("/var/lib/mipfed"), Path.of("/etc/mipfed"), Path.of("/var/cache/mipfed"));

    static final Map<String, String> APT = Map.of("DEBIAN_FRONTEND", "noninteractive");

    @TempDir
    Path dir;

    /** dpkg's status of the package: installed, config-files, not-installed (also when dpkg never knew it). */
    private static String status() {
        Installed.Result query = Installed.run("dpkg-query", "-W", "-f=${db:Status-Status}", "mipfed");
        return query.exitCode() == 0 && !query.output().isBlank()
                ? query.output().strip()
                : "not-installed";
    }

    @Test
    void installsRunsVerifiesAndPurgesWithoutATrace() throws Exception {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "installing a .deb needs root (CI runs as root); run as root to include this test");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")), "not a Debian system (no apt-get)");
        Path deb = Installed.deb();
        // never touch an installation someone made on this machine
        assertThat(status())
                .as("mipfed must not be installed before this test (it purges it at the end)")
                .isEqualTo("not-installed");
        assertThat(Installed.run("getent", "passwd", "mipfed").exitCode()).isEqualTo(2);
        for (Path p : CREATED) {
            assertThat(p).doesNotExist();
        }

        try {
            Installed.Result install = Installed.run(
                    APT, 10, "apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", deb.toString());
            assertThat(install.exitCode()).as(install.output()).isZero();

            Path mipfed = Path.of("/usr/bin/mipfed");
            assertThat(Files.readSymbolicLink(mipfed)).isEqualTo(Path.of("/usr/share/mipfed/bin/mipfed"));
            Installed.printsVersion(mipfed);

            // the system user and its data directory
            Installed.Result user = Installed.run("getent", "passwd", "mipfed");
            assertThat(user.exitCode()).isZero();
            assertThat(user.output()).contains(":/var/lib/mipfed:").contains("nologin");
            assertThat(Installed.run("stat", "-c", "%U:%G %a", "/var/lib/mipfed")
                            .output()
                            .strip())
                    .isEqualTo("mipfed:mipfed 750");

            // the units: valid, hardened, running as mipfed
            Installed.Result verify = Installed.run(
                    "systemd-analyze",
                    "verify",
                    "/lib/systemd/system/mipfed-manager.service",
                    "/lib/systemd/system/mipfed-node.service");
            assertThat(verify.exitCode()).as(verify.output()).isZero();
            assertThat(verify.output()).doesNotContain("mipfed-");
            for (String unit : List.of("mipfed-manager.service", "mipfed-node.service")) {
                assertThat(Files.readString(Path.of("/lib/systemd/system", unit)))
                        .contains("User=mipfed")
                        .contains("NoNewPrivileges=yes")
                        .contains("ProtectSystem=strict")
                        .contains("ReadWritePaths=/var/lib/mipfed/")
                        .contains("PrivateTmp=yes")
                        .contains("Restart=on-failure");
            }
            assertThat(Files.readString(Path.of("/etc/mipfed/node.env"))).contains("--metrics-addr 127.0.0.1:");

            // the class-data sharing archive, built at install (root's, readable by the services' user), in use
            Installed.Result cds = Installed.run("/usr/bin/mipfed", "cds", "--status");
            assertThat(cds.output()).as(cds.output()).startsWith("in use: /var/cache/mipfed/cds/mipfed-");
            assertThat(Installed.run("stat", "-c", "%U:%G %a", "/var/cache/mipfed/cds")
                            .output()
                            .strip())
                    .isEqualTo("root:root 755");
            Installed.Result mapped = Installed.run(
                    Map.of("MIPFED_JAVA_OPTS", "-Xlog:class+load=info", "MIPFED_CDS", "use"),
                    5,
                    "/usr/bin/mipfed",
                    "--version");
            assertThat(mapped.output()).contains("org.mipfed.cli.Main source: shared objects file");

            Installed.runsTheDemo(mipfed, dir.resolve("demo"));
        } finally {
            Installed.Result purge =
                    Installed.run(APT, 10, "apt-get", "purge", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "mipfed");
            assertThat(purge.exitCode()).as(purge.output()).isZero();
        }

        // nothing left: no package, no files, no user, no group
        assertThat(status()).isEqualTo("not-installed");
        for (Path p : List.of(
                Path.of("/usr/bin/mipfed"),
                Path.of("/usr/share/mipfed"),
                Path.of("/usr/share/doc/mipfed"),
                Path.of("/lib/systemd/system/mipfed-manager.service"),
                Path.of("/lib/systemd/system/mipfed-node.service"),
                Path.of("/var/lib/mipfed"),
                Path.of("/var/cache/mipfed"),
                Path.of("/etc/mipfed"))) {
            assertThat(p).as("left after purge").doesNotExist();
        }
        assertThat(Installed.run("getent", "passwd", "mipfed").exitCode()).isEqualTo(2);
        assertThat(Installed.run("getent", "group", "mipfed").exitCode()).isEqualTo(2);
    }
}
