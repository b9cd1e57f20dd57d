package org.mipfed.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mipfed-VERSION.tar.gz unpacked anywhere: bin/mipfed finds its own lib/ and runs the demo. */
class TestArchive {
    @TempDir
    Path dir;

    @Test
    void theUnpackedArchiveRunsFromItsBinDirectory() throws Exception {
        Installed.Result untar =
                Installed.run("tar", "-xzf", Installed.archive().toString(), "-C", dir.toString());
        assertThat(untar.exitCode()).as(untar.output()).isZero();
        Path home = dir.resolve("mipfed-" + Installed.version());
        Path mipfed = home.resolve("bin/mipfed");
        assertThat(Files.getPosixFilePermissions(mipfed)).contains(PosixFilePermission.OWNER_EXECUTE);
        try (var jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("mipfed-cli"))
                    .anyMatch(n -> n.startsWith("duckdb_jdbc"));
        }
        assertThat(home.resolve("systemd/mipfed-manager.service")).isRegularFile();
        assertThat(home.resolve("systemd/mipfed-node.service")).isRegularFile();
        assertThat(home.resolve("config/node.env")).isRegularFile();
        assertThat(home.resolve("config/manager.env")).isRegularFile();
        assertThat(home.resolve("ops/prometheus/mipfed-alerts.yml")).isRegularFile();
        assertThat(home.resolve("ops/grafana/mipfed-dashboard.json")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("NOTICE-EXAREME2.md")).isRegularFile();

        // through a symlink elsewhere too, as /usr/bin/mipfed is one in the package
        Path link = Files.createSymbolicLink(dir.resolve("mipfed"), mipfed);
        Installed.printsVersion(link);
        Installed.printsVersion(mipfed);
        Installed.runsTheDemo(mipfed, dir.resolve("demo"));
    }
}
