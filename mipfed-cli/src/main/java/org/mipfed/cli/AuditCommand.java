package org.mipfed.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mipfed audit verify}: checks a manager's or a node's hash-chained audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check the audit log of a manager or a node.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand {
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check that an audit log is whole: no line changed, removed, reordered, inserted or cut off its end. "
                    + "Prints OK with the number of lines and the last hash, or the first broken line and what is wrong (exit code 1).")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--file", description = "The audit log file (its .checkpoint and .key files sit next to it).")
            Path file;

            @Option(names = "--data-dir", description = "A manager's or a node's data directory: checks its audit.log, and that it is "
                    + "the log of that federation or node.")
            Path dataDir;
        }

        @Override
        public Integer call() {
            AuditVerifier.Result result = target.file != null ? AuditVerifier.verify(target.file) : verifyDataDir(target.dataDir);
            if (result.ok()) {
                spec.commandLine().getOut().println("OK: " + result.file() + ": " + result.lines() + " lines, last hash " + result.lastHash());
                return 0;
            }
            spec.commandLine().getErr().println("BROKEN: " + result.file() + ": " + result.problem());
            return 1;
        }

        private static AuditVerifier.Result verifyDataDir(Path dataDir) {
            ManagerPaths manager = new ManagerPaths(dataDir);
            if (Files.isRegularFile(manager.federation())) {
                return AuditVerifier.verify(manager.auditLog(), FederationInit.config(manager).federationId());
            }
            NodePaths node = new NodePaths(dataDir);
            if (Files.isRegularFile(node.config())) {
                return AuditVerifier.verify(node.auditLog(), NodeConfig.load(node).nodeId());
            }
            throw Problem.badRequest(dataDir + " is neither a manager's data directory (no federation.json) nor a node's (no node.json); "
                    + "give the log itself with --file");
        }
    }
}
