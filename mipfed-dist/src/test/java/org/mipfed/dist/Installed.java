package org.mipfed.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands as a user at a shell would, and what the packages' tests check of the installed mipfed. */
final class Installed {
    record Result(int exitCode, String output) {}

    private Installed() {}

    static Path deb() {
        return built("mipfed.deb");
    }

    static Path archive() {
        return built("mipfed.archive");
    }

    static String version() {
        return System.getProperty("mipfed.version");
    }

    private static Path built(String property) {
        String value = System.getProperty(property);
        assertThat(value)
                .as("system property " + property + " (set by the module's pom)")
                .isNotNull();
        Path file = Path.of(value);
        assertThat(file).as("the package built by mvn package").isRegularFile();
        return file;
    }

    /** Runs {@code command}, its output and errors together, within {@code minutes}. */
    static Result run(Map<String, String> environment, long minutes, String... command) {
        try {
            Path log = Files.createTempFile("mipfed-dist", ".log");
            try {
                ProcessBuilder builder =
                        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " ran longer than " + minutes + " minutes:\n"
                            + Files.readString(log));
                }
                return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * As a user at a shell, except that the launcher never builds a class-data sharing archive in the background
     * ({@code MIPFED_CDS=use}: one the package built is used): a build left running after a test would take CPU from
     * the next ones and write into this user's cache. {@link TestClassDataSharing} tests that build.
     */
    static Result run(String... command) {
        return run(Map.of("MIPFED_CDS", "use"), 5, command);
    }

    /** {@code mipfed --version} prints the version and the commit. */
    static void printsVersion(Path mipfed) {
        Result version = run(mipfed.toString(), "--version");
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output().strip())
                .matches("mipfed " + version().replace(".", "\\.") + " \\(commit ([0-9a-f]{7,40}|unknown)\\)");
    }

    /** {@code mipfed demo --exit} starts a manager and three nodes as processes, runs its analyses and stops. */
    static void runsTheDemo(Path mipfed, Path workDir) {
        List<String> command = new ArrayList<>(List.of(
                mipfed.toString(),
                "demo",
                "--exit",
                "--http-port",
                "0",
                "--grpc-port",
                "0",
                "--work-dir",
                workDir.toString()));
        Result demo =
                run(Map.of("MIPFED_JAVA_OPTS", "-Xmx256m", "MIPFED_CDS", "use"), 8, command.toArray(String[]::new));
        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output()).contains("Demo ready in").contains("contributing nodes:");
    }
}
