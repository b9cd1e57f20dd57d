package org.mipfed.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;
import org.mipfed.node.audit.TrackerDetection;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mipfed audit verify}: checks a manager's or a node's hash-chained audit log; {@code mipfed audit trackers}: looks in
 * a node's audit log for requesters whose answers combine into a few rows ({@link TrackerDetection}).
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Check the audit log of a manager or a node.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Trackers.class})
final class AuditCommand {
    @Command(
            name = "trackers",
            mixinStandardHelpOptions = true,
            description =
                    "Look in a node's audit log for trackers: answered requests of one requester over the same data and variables "
                            + "whose row counts combine (a + b - c) into fewer rows than the node's min_rows. Prints one line per finding "
                            + "(exit code 1), or that none was found.")
    static final class Trackers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data-dir", required = true, description = "The node's data directory.")
        Path dataDir;

        @Override
        public Integer call() {
            NodePaths node = new NodePaths(dataDir);
            if (!Files.isRegularFile(node.config())) {
                throw Problem.badRequest(dataDir
                        + " is not a node's data directory (no node.json); give the directory of `mipfed node join`");
            }
            List<TrackerDetection.Finding> findings = TrackerDetection.scan(
                    node.auditLog(), NodeConfig.load(node).privacy().minRows());
            if (findings.isEmpty()) {
                spec.commandLine().getOut().println("No tracker found in " + node.auditLog());
                return 0;
            }
            findings.forEach(f -> spec.commandLine().getOut().println("TRACKER? " + f.describe()));
            return 1;
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description =
                    "Check that an audit log is whole: no line changed, removed, reordered, inserted or cut off its end. "
                            + "Prints OK with the number of lines and the last hash, or the first broken line and what is wrong (exit code 1).")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(
                    names = "--file",
                    description = "The audit log file (its .checkpoint and .key files sit next to it).")
            Path file;

            @Option(
                    names = "--data-dir",
                    description = "A manager's or a node's data directory: checks its audit.log, and that it is "
                            + "the log of that federation or node (a manager's: the federation's chain, then its "
                            + "audit.journal).")
            Path dataDir;
        }

        @Override
        public Integer call() {
            AuditVerifier.Result result =
                    target.file != null ? AuditVerifier.verify(target.file) : verifyDataDir(target.dataDir);
            if (result.ok() && target.dataDir != null) {
                // a manager's journal: its own lines, on their way into the federation's chain
                Path journal = new ManagerPaths(target.dataDir).auditJournal();
                if (Files.isRegularFile(journal)
                        && Files.isRegularFile(new ManagerPaths(target.dataDir).federation())) {
                    AuditVerifier.Result journaled = AuditVerifier.verify(journal);
                    if (!journaled.ok()) {
                        spec.commandLine().getErr().println("BROKEN: " + journaled.file() + ": " + journaled.problem());
                        return 1;
                    }
                    spec.commandLine()
                            .getOut()
                            .println("OK: " + journaled.file() + ": " + journaled.lines() + " lines, last hash "
                                    + journaled.lastHash());
                }
            }
            if (result.ok()) {
                spec.commandLine()
                        .getOut()
                        .println("OK: " + result.file() + ": " + result.lines() + " lines, last hash "
                                + result.lastHash());
                return 0;
            }
            spec.commandLine().getErr().println("BROKEN: " + result.file() + ": " + result.problem());
            return 1;
        }

        private static AuditVerifier.Result verifyDataDir(Path dataDir) {
            ManagerPaths manager = new ManagerPaths(dataDir);
            if (Files.isRegularFile(manager.federation())) {
                return AuditVerifier.verify(
                        manager.auditLog(), FederationInit.config(manager).federationId());
            }
            NodePaths node = new NodePaths(dataDir);
            if (Files.isRegularFile(node.config())) {
                return AuditVerifier.verify(
                        node.auditLog(), NodeConfig.load(node).nodeId());
            }
            throw Problem.badRequest(dataDir
                    + " is neither a manager's data directory (no federation.json) nor a node's (no node.json); "
                    + "give the log itself with --file");
        }
    }
}
