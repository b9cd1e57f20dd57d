package org.mipfed.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Class-data sharing as a user of the unpacked mipfed-VERSION.tar.gz gets it without doing anything: the first short
 * command starts the archive's build in the background and answers at once; the next start maps mipfed's classes from
 * the archive (the JVM's class loading log says so); an archive damaged in place, cut short, or built for other jars
 * is not mapped and the command still runs.
 */
class TestClassDataSharing {
    private static final String FROM_ARCHIVE = "org.mipfed.cli.Main source: shared objects file";
    private static final String FROM_JAR = "org.mipfed.cli.Main source: file:";

    @TempDir
    Path dir;

    private Path mipfed;
    private Path cache;

    private Installed.Result run(String mode, String javaOptions, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("MIPFED_CDS", mode);
        env.put("MIPFED_CDS_DIR", cache.toString());
        env.put("MIPFED_JAVA_OPTS", javaOptions);
        String[] command =
                Stream.concat(Stream.of(mipfed.toString()), Stream.of(args)).toArray(String[]::new);
        return Installed.run(env, 5, command);
    }

    /** {@code mipfed --version}, with the JVM's class loading log: where the CLI's main class came from. */
    private Installed.Result version() {
        Installed.Result r = run("use", "-Xlog:class+load=info", "--version");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("mipfed " + Installed.version());
        return r;
    }

    private Path archive() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> archives = files.filter(p -> p.getFileName().toString().endsWith(".jsa"))
                    .toList();
            assertThat(archives).as("archives in " + cache).hasSize(1);
            return archives.get(0);
        }
    }

    @Test
    void builtOnFirstUseThenMappedAndADamagedOrStaleArchiveNeverStopsAStart() throws Exception {
        Installed.Result untar =
                Installed.run("tar", "-xzf", Installed.archive().toString(), "-C", dir.toString());
        assertThat(untar.exitCode()).as(untar.output()).isZero();
        Path home = dir.resolve("mipfed-" + Installed.version());
        mipfed = home.resolve("bin/mipfed");
        cache = dir.resolve("cache");

        // none yet: the first short command answers at once, from the jars, and starts the build in the background
        assertThat(run("use", "", "cds", "--status").output()).contains("none for this Java and these jars");
        Installed.Result first = run("auto", "-Xlog:class+load=info", "--version");
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains(FROM_JAR);
        Path size = awaitBuilt(Duration.ofMinutes(8));
        Path archive = archive();
        assertThat(size).isEqualTo(archive.resolveSibling(archive.getFileName() + ".size"));
        assertThat(Files.readString(size).strip()).isEqualTo(Long.toString(Files.size(archive)));
        assertThat(Files.readString(cache.resolve("build.log"))).contains("training done");

        // used: the main class comes from the archive
        assertThat(run("use", "", "cds", "--status").output()).contains("in use: " + archive);
        assertThat(version().output()).contains(FROM_ARCHIVE);
        Path good = Files.copy(archive, dir.resolve("good.jsa"));

        // damaged in place (same size): the JVM's checksum of the regions refuses it, the command runs from the jars
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[64]);
        }
        Installed.Result damaged = version();
        assertThat(damaged.output()).contains(FROM_JAR).doesNotContain(FROM_ARCHIVE);

        // cut short: JDK 17 would crash mapping it; the launcher sees the size differ from the one kept and skips it
        Files.copy(good, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.setLength(f.length() / 3);
        }
        assertThat(version().output()).contains(FROM_JAR).doesNotContain(FROM_ARCHIVE);

        // stale: a jar changed (an upgrade) is another archive's name, so none is found ...
        Files.copy(good, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(version().output()).contains(FROM_ARCHIVE);
        Path jar;
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith("mipfed-cli"))
                    .findFirst()
                    .orElseThrow();
        }
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        String status = run("use", "", "cds", "--status").output();
        assertThat(status).contains("none for this Java and these jars");
        // ... and the old archive under the new name (as if the key had not changed) is refused by the JVM
        String newName = status.substring(status.indexOf("(mipfed-") + 1, status.indexOf(".jsa,") + 4);
        Files.copy(good, cache.resolve(newName));
        Files.writeString(cache.resolve(newName + ".size"), Long.toString(Files.size(good)));
        assertThat(run("use", "", "cds", "--status").output()).contains("in use: " + cache.resolve(newName));
        assertThat(version().output()).contains(FROM_JAR).doesNotContain(FROM_ARCHIVE);

        // off: nothing looked for
        assertThat(run("off", "", "cds", "--status").output()).contains("off (MIPFED_CDS=off)");
    }

    /** Waits until the background build wrote the archive's size (its last step) and released its lock. */
    private Path awaitBuilt(Duration patience) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(cache) && !Files.exists(cache.resolve(".lock"))) {
                try (Stream<Path> files = Files.list(cache)) {
                    List<Path> sizes = files.filter(
                                    p -> p.getFileName().toString().endsWith(".jsa.size"))
                            .toList();
                    if (!sizes.isEmpty()) {
                        return sizes.get(0);
                    }
                }
            }
            Thread.sleep(500);
        }
        String log = Files.exists(cache.resolve("build.log")) ? Files.readString(cache.resolve("build.log")) : "none";
        throw new AssertionError("no archive built in the background within " + patience + "; build.log: " + log);
    }
}
