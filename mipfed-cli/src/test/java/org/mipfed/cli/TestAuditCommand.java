package org.mipfed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.audit.HashChainedLog;
import org.mipfed.core.json.Json;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine;

class TestAuditCommand {
    @TempDir
    Path directory;

    @Test
    void verifiesALogFileAndNamesTheFirstBrokenLine() throws Exception {
        Path file = directory.resolve("audit.log");
        String last = null;
        try (HashChainedLog log = HashChainedLog.open(file, "node-1")) {
            for (int i = 1; i <= 10; i++) {
                last = log.append(
                                Instant.now(), Json.mapper().createObjectNode().put("n", i))
                        .hash();
            }
        }
        Run ok = run("audit", "verify", "--file", file.toString());
        assertThat(ok.code).isZero();
        assertThat(ok.out).isEqualTo("OK: " + file + ": 10 lines, last hash " + last + "\n");

        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        Collections.swap(lines, 3, 4);
        Files.write(file, lines);
        Run broken = run("audit", "verify", "--file", file.toString());
        assertThat(broken.code).isEqualTo(1);
        assertThat(broken.err).startsWith("BROKEN: " + file + ": line 4: it is out of order");
    }

    @Test
    void verifiesAManagersTrailFromItsDataDirectory() throws Exception {
        ManagerPaths paths = new ManagerPaths(directory.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        try (AuditTrail trail =
                new AuditTrail(paths.auditLog(), FederationInit.config(paths).federationId())) {
            trail.record("admin", AuditTrail.NODE_START, AuditTrail.OK, null);
            trail.record("admin", AuditTrail.NODE_STOP, AuditTrail.OK, null);
        }
        Run ok = run("audit", "verify", "--data-dir", paths.dataDir().toString());
        assertThat(ok.code).as(ok.err).isZero();
        assertThat(ok.out).startsWith("OK: " + paths.auditLog() + ": 2 lines, last hash ");

        Files.write(paths.auditLog(), Files.readAllLines(paths.auditLog()).subList(0, 1));
        Run cut = run("audit", "verify", "--data-dir", paths.dataDir().toString());
        assertThat(cut.code).isEqualTo(1);
        assertThat(cut.err).contains("line 2: the log ends after line 1 but its checkpoint records 2 lines");

        Run neither = run("audit", "verify", "--data-dir", directory.toString());
        assertThat(neither.code).isEqualTo(2);
        assertThat(neither.err)
                .contains("is neither a manager's data directory")
                .doesNotContain("Exception");
        assertThat(run("audit", "verify").err).contains("Missing required argument");
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
