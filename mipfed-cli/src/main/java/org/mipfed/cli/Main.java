package org.mipfed.cli;

import org.mipfed.core.problem.Problem;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mipfed} command. */
@Command(
        name = "mipfed",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description =
                "MIP Federation: a manager and hospital nodes for federated analyses where only aggregates leave a hospital.",
        footer = {
            "",
            "From a checkout, ./mipfed bench runs the benchmark (module mipfed-bench, not part of this command; docs/benchmark.md)."
        },
        subcommands = {
            ManagerCommand.class,
            JoinTokenCommand.class,
            NodeCommand.class,
            StartCommand.class,
            StopCommand.class,
            DataCommand.class,
            DatasetCommand.class,
            RunCommand.class,
            DemoCommand.class,
            AuditCommand.class,
            DoctorCommand.class,
            CdsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new CommandLine(new Main()), args);
    }

    /**
     * Runs {@code cli} with mipfed's logging and error handling. The benchmark, a module of its own that the
     * product does not carry, starts its command here too.
     */
    public static int execute(CommandLine cli, String... args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        return withErrorHandling(cli).execute(args);
    }

    /** The command line with mipfed's error handling: a problem's title and detail, never a stack trace. */
    static CommandLine commandLine() {
        return withErrorHandling(new CommandLine(new Main()));
    }

    private static CommandLine withErrorHandling(CommandLine cli) {
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof Problem p) {
                commandLine.getErr().println("mipfed: " + p.title() + ": " + p.detail());
                return p.status() >= 500 ? 3 : 2;
            }
            commandLine
                    .getErr()
                    .println("mipfed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        });
        return cli;
    }
}
