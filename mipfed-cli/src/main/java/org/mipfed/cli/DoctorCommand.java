package org.mipfed.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.cli.doctor.Check;
import org.mipfed.cli.doctor.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mipfed doctor}: checks a node or a manager, one line per check, and says what to do about each failure. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check a node or a manager: each check is one line, OK or FAIL with what to do. Exit code 0 only when all"
                    + " pass.",
            "On a node: its configuration, the manager's address and port, the TLS handshake and the pinned CA, the"
                    + " node certificate's expiry, the process and its session, the clock difference with the manager,"
                    + " the store and its datasets, disk space, the privacy policy against the defaults, the audit log.",
            "On a manager: its configuration and state, its certificate, the advertised address, its ports, disk"
                    + " space, the audit trail."
        })
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data-dir",
            description = "The node's or the manager's data directory (default: the node's, $MIPFED_NODE_DIR or"
                    + " ~/.mipfed/node, when it holds a node; else the manager's, $MIPFED_MANAGER_DIR or"
                    + " ~/.mipfed/manager).")
    Path dataDir;

    @Override
    public Integer call() {
        Path dir = dataDir;
        if (dir == null) {
            Path node = DataDirs.node(null);
            dir = Files.isRegularFile(node.resolve("node.json")) ? node : DataDirs.manager(null);
        }
        List<Check> checks = Doctor.check(dir);
        checks.forEach(c -> spec.commandLine().getOut().println(c.line()));
        long failed = checks.stream().filter(c -> !c.ok()).count();
        spec.commandLine()
                .getOut()
                .println(
                        failed == 0
                                ? "All " + checks.size() + " checks pass."
                                : failed + " of " + checks.size() + " checks FAIL.");
        spec.commandLine().getOut().flush();
        return failed == 0 ? 0 : 1;
    }
}
