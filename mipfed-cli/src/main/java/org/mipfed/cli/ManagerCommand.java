package org.mipfed.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mipfed manager init|start}. */
@Command(name = "manager", description = "Create and run the federation manager.",
        subcommands = {ManagerCommand.Init.class, ManagerCommand.Start.class, CaCommand.class, BackupCommands.Backup.class, BackupCommands.Restore.class})
final class ManagerCommand {
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a federation: its certificate authority, the manager's TLS certificate, join tokens and the admin API token.")
    static final class Init implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Manager data directory (default: $MIPFED_MANAGER_DIR or ~/.mipfed/manager).")
        Path dataDir;

        @Option(names = "--advertise-addr", description = "Host name or IP the nodes use to reach this manager (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
        String advertiseAddr;

        @Option(names = "--grpc-port", description = "Port for nodes, mutual TLS (default: ${DEFAULT-VALUE}).", defaultValue = "" + FederationConfig.DEFAULT_GRPC_PORT)
        int grpcPort;

        @Option(names = "--http-port", description = "Port of the REST API (default: ${DEFAULT-VALUE}).", defaultValue = "" + FederationConfig.DEFAULT_HTTP_PORT)
        int httpPort;

        @Option(names = "--http-host", description = "Interface the REST API listens on (default: ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0")
        String httpHost;

        @Option(names = "--cert-validity", description = "Lifetime of node certificates, e.g. 30d, 12h, 90s; nodes renew at two thirds of it (default: ${DEFAULT-VALUE}).",
                defaultValue = "30d")
        String certValidity;

        @Override
        public Integer call() {
            ManagerPaths paths = new ManagerPaths(DataDirs.manager(dataDir));
            Duration validity;
            try {
                validity = FederationConfig.parseValidity(certValidity);
            }
            catch (IllegalArgumentException e) {
                throw Problem.badRequest("--cert-validity: " + e.getMessage());
            }
            FederationInit.Created created = FederationInit.init(paths, advertiseAddr, grpcPort, httpPort, httpHost, validity);
            System.out.println("Federation " + created.config().federationId() + " created in " + paths.dataDir());
            System.out.println();
            System.out.println("To add a hospital node to this federation, run on the node:");
            System.out.println();
            System.out.println("    mipfed node join --token " + created.workerToken() + " " + advertiseAddr + ":" + grpcPort);
            System.out.println();
            System.out.println("To add a manager, run 'mipfed join-token manager' and follow the instructions.");
            System.out.println("The admin API token is in " + paths.adminToken() + " (readable by you only).");
            System.out.println("Start the manager with: mipfed manager start --data-dir " + paths.dataDir());
            return 0;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Run the manager: gRPC for nodes (mutual TLS) and the REST API, until stopped.")
    static final class Start implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Manager data directory (default: $MIPFED_MANAGER_DIR or ~/.mipfed/manager).")
        Path dataDir;

        @Override
        public Integer call() throws InterruptedException {
            ManagerPaths paths = new ManagerPaths(DataDirs.manager(dataDir));
            ManagerServer server = ManagerServer.start(paths, null, null);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "mipfed-shutdown"));
            System.out.println("manager running: nodes on port " + server.grpcPort() + ", REST API on http://127.0.0.1:" + server.httpPort());
            stopped.await();
            return 0;
        }
    }
}
