package org.mipfed.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.api.HttpTransport;
import org.mipfed.manager.api.WebOptions;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.exareme2.Exareme2Address;
import org.mipfed.manager.replication.MemberFile;
import org.mipfed.manager.session.ManagerDirectories;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.users.OidcSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mipfed manager init|start}. */
@Command(
        name = "manager",
        description = "Create and run the federation manager.",
        subcommands = {
            ManagerCommand.Init.class,
            ManagerCommand.Start.class,
            ManagerCommand.Join.class,
            ManagerLsCommand.class,
            ManagerMembershipCommands.Demote.class,
            ManagerMembershipCommands.Remove.class,
            ManagerRecoverCommand.class,
            CaCommand.class,
            BackupCommands.Backup.class,
            BackupCommands.Restore.class
        })
final class ManagerCommand {
    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description =
                    "Create a federation: its certificate authority, the manager's TLS certificate, join tokens and the admin API token.")
    static final class Init implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Option(
                names = "--advertise-addr",
                description = "Host name or IP the nodes use to reach this manager (default: ${DEFAULT-VALUE}).",
                defaultValue = "127.0.0.1")
        String advertiseAddr;

        @Option(
                names = "--grpc-port",
                description = "Port for nodes, mutual TLS (default: ${DEFAULT-VALUE}).",
                defaultValue = "" + FederationConfig.DEFAULT_GRPC_PORT)
        int grpcPort;

        @Option(
                names = "--http-port",
                description = "Port of the REST API (default: ${DEFAULT-VALUE}).",
                defaultValue = "" + FederationConfig.DEFAULT_HTTP_PORT)
        int httpPort;

        @Option(
                names = "--http-host",
                description =
                        "Interface the REST API and portal listen on (default: ${DEFAULT-VALUE}, all). "
                                + "Any address but loopback is served over HTTPS; 127.0.0.1 serves plain HTTP, for a reverse proxy that terminates TLS.",
                defaultValue = "0.0.0.0")
        String httpHost;

        @Option(
                names = "--raft-port",
                paramLabel = "PORT",
                description = "Port other managers reach this one's Raft at (mutual TLS, manager certificates only; "
                        + "default: the --grpc-port + 1, 2378 with the defaults; 0: any free port on loopback).")
        Integer raftPort;

        @Option(
                names = "--cert-validity",
                description =
                        "Lifetime of node certificates, e.g. 30d, 12h, 90s; nodes renew at two thirds of it (default: ${DEFAULT-VALUE}).",
                defaultValue = "30d")
        String certValidity;

        @Override
        public Integer call() {
            ManagerPaths paths = manager.paths();
            Duration validity;
            try {
                validity = FederationConfig.parseValidity(certValidity);
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("--cert-validity: " + e.getMessage());
            }
            int raft = raftPort(raftPort, grpcPort);
            FederationInit.Created created =
                    FederationInit.init(paths, advertiseAddr, grpcPort, httpPort, httpHost, validity);
            MemberFile.readOrCreate(paths.raftDir(), advertiseAddr, raft);
            System.out.println("Federation " + created.config().federationId() + " created in " + paths.dataDir());
            System.out.println();
            System.out.println("To add a hospital node to this federation, run on the node:");
            System.out.println();
            System.out.println(
                    "    mipfed node join --token " + created.workerToken() + " " + advertiseAddr + ":" + grpcPort);
            System.out.println();
            System.out.println("To add a manager, run 'mipfed join-token manager' and follow the instructions.");
            System.out.println("Sign in to the portal as user 'admin' with password " + created.adminPassword());
            System.out.println("(shown once; also in " + paths.adminPassword()
                    + ", readable by you only: change it after signing in).");
            System.out.println(
                    "The admin API token for the CLI is in " + paths.adminToken() + " (readable by you only).");
            System.out.println("Start the manager with: mipfed manager start --data-dir " + paths.dataDir());
            if (HttpTransport.loopbackOnly(httpHost)) {
                System.out.println("The portal will be at http://127.0.0.1:" + httpPort
                        + "/ (loopback only: put a reverse proxy that terminates TLS in front).");
            } else {
                System.out.println("The portal will be at https://" + advertiseAddr + ":" + httpPort
                        + "/; browsers trust it once they trust the federation's CA, "
                        + paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE)
                        + " (or start with --http-cert/--http-key).");
            }
            return 0;
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Run the manager: gRPC for nodes (mutual TLS) and the REST API, until stopped.")
    static final class Start implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--raft-port",
                paramLabel = "PORT",
                description = "Listen for the other managers' Raft on this port from now on (kept in "
                        + "D/raft/member.json; default: the port kept there).")
        Integer raftPort;

        @Option(
                names = "--http-cert",
                paramLabel = "FILE",
                description =
                        "Serve the REST API and portal over HTTPS with this certificate chain (PEM, server certificate first); needs --http-key.")
        Path httpCert;

        @Option(
                names = "--http-key",
                paramLabel = "FILE",
                description = "The private key (PEM, PKCS#8) of --http-cert.")
        Path httpKey;

        @Option(
                names = "--https",
                description =
                        "Serve HTTPS with a certificate the federation's CA issues for the advertise address (import D/ca/ca.crt into browsers). "
                                + "The default unless the HTTP address is loopback; this flag asks for it on loopback too.")
        boolean https;

        @Option(
                names = "--insecure-http",
                description =
                        "Serve plain HTTP even though the HTTP address is reachable from other machines: passwords, tokens "
                                + "and results then cross the network unencrypted. Warned at every start and shown to admins in the portal.")
        boolean insecureHttp;

        @Option(
                names = "--behind-proxy",
                description =
                        "The HTTP address is loopback and a reverse proxy on this machine terminates TLS: believe the "
                                + "X-Forwarded-Proto and X-Forwarded-For headers it sets (configure it to replace them, never append: see docs/operations.md).")
        boolean behindProxy;

        @Option(
                names = "--oidc-issuer",
                paramLabel = "URL",
                description =
                        "Also let users sign in through this OpenID Connect provider (its issuer URL; the discovery document is read from it).")
        URI oidcIssuer;

        @Option(
                names = "--oidc-client-id",
                paramLabel = "ID",
                description =
                        "This manager's client id at the OpenID Connect provider; register <portal URL>/auth/oidc/callback as its redirect URI.")
        String oidcClientId;

        @Option(
                names = "--oidc-client-secret-file",
                paramLabel = "FILE",
                description =
                        "File holding the client secret (confidential client); default: $MIPFED_OIDC_CLIENT_SECRET, or none (public client, PKCE only).")
        Path oidcClientSecretFile;

        @Option(
                names = "--exareme2-api",
                paramLabel = "HOST:PORT",
                description =
                        "Also serve Exareme2's controller API (for the MIP portal-backend's Exareme2 URL) on this address, "
                                + "in plain HTTP and without credentials: a loopback or private address only, unless --exareme2-api-public.")
        String exareme2Api;

        @Option(
                names = "--exareme2-api-public",
                description =
                        "Let --exareme2-api listen on a public or wildcard address. It asks for no credentials: use this "
                                + "only where a firewall keeps everyone but the portal-backend out.")
        boolean exareme2ApiPublic;

        @Option(
                names = "--exareme2-user-header",
                paramLabel = "HEADER",
                description =
                        "Believe the portal user's name in this request header on --exareme2-api (set by a reverse proxy in front of it, "
                                + "which must replace the header): nodes then see exareme2-api:<user>, each with a refusal budget of their own.")
        String exareme2UserHeader;

        @Override
        public Integer call() throws InterruptedException {
            ManagerPaths paths = manager.paths();
            WebOptions web;
            Exareme2Address exareme2;
            try {
                web = new WebOptions(httpCert, httpKey, https, insecureHttp, oidc(), behindProxy);
                if ((exareme2ApiPublic || exareme2UserHeader != null) && exareme2Api == null) {
                    throw new IllegalArgumentException(
                            "--exareme2-api-public and --exareme2-user-header need --exareme2-api HOST:PORT");
                }
                exareme2 = exareme2Api == null
                        ? null
                        : Exareme2Address.parse(exareme2Api, exareme2ApiPublic, exareme2UserHeader);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            ManagerServer server;
            try {
                if (raftPort != null && (raftPort < 0 || raftPort > 65_535)) {
                    throw new IllegalArgumentException("--raft-port must be 0 to 65535, not " + raftPort);
                }
                server = ManagerServer.start(paths, null, null, web, exareme2, raftPort);
            } catch (IllegalArgumentException e) {
                // the Exareme2 address was refused (public without the flag): the manager did not start
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            CountDownLatch stopped = untilStoppedOrLeft(server);
            HttpTransport transport = server.api().transport();
            System.out.println("manager running: nodes on port " + server.grpcPort() + ", REST API and portal on "
                    + (transport.https() ? "https" : "http") + "://"
                    + (transport.loopbackOnly() ? "127.0.0.1" : server.config().advertiseAddr()) + ":"
                    + server.httpPort()
                    + (transport.https() && web.certificate() == null
                            ? " (browsers trust it once " + paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE)
                                    + " is imported)"
                            : ""));
            if (transport.insecure()) {
                System.err.println("WARNING: " + transport.warning());
            }
            if (exareme2 != null) {
                System.out.println("Exareme2 API for the MIP portal-backend (no credentials) on http://"
                        + exareme2.host() + ":" + server.exareme2Port());
            }
            stopped.await();
            server.close();
            return 0;
        }

        private OidcSettings oidc() {
            if (oidcIssuer == null && oidcClientId == null) {
                return null;
            }
            if (oidcIssuer == null || oidcClientId == null) {
                throw new IllegalArgumentException(
                        "OpenID Connect sign-in needs both --oidc-issuer and --oidc-client-id");
            }
            String secret = System.getenv("MIPFED_OIDC_CLIENT_SECRET");
            if (oidcClientSecretFile != null) {
                try {
                    secret = Files.readString(oidcClientSecretFile, StandardCharsets.UTF_8)
                            .trim();
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "Cannot read the client secret from " + oidcClientSecretFile
                                    + " (--oidc-client-secret-file): " + e.getMessage(),
                            e);
                }
            }
            return new OidcSettings(oidcIssuer, oidcClientId, secret == null || secret.isBlank() ? null : secret);
        }
    }

    /** The Raft port when none is given: the node port + 1 (2378 with the defaults), any free one for a port of 0. */
    static int raftPort(Integer given, int grpcPort) {
        int port = given != null ? given : grpcPort == 0 ? 0 : grpcPort + 1;
        if (port < 0 || port > 65_535) {
            throw Problem.badRequest("--raft-port must be 0 to 65535, not " + port
                    + (given == null ? " (the --grpc-port + 1): give --raft-port" : ""));
        }
        return port;
    }

    /**
     * A latch that opens when the manager is stopped (SIGTERM) or leaves the managers' group (an admin demoted or
     * removed it; the reason is printed): the command then closes the server and exits cleanly.
     */
    static CountDownLatch untilStoppedOrLeft(ManagerServer server) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "mipfed-shutdown"));
        server.onLeft(reason -> {
            System.err.println("mipfed: " + reason);
            stopped.countDown();
        });
        return stopped;
    }

    @Command(
            name = "join",
            mixinStandardHelpOptions = true,
            description = "Make this machine one more manager of a running federation (HOST:PORT: any of its managers' "
                    + "node port), with the manager token (mipfed join-token manager), then run it until stopped. "
                    + "Later starts: mipfed manager start --data-dir D.")
    static final class Join implements Callable<Integer> {
        @Option(
                names = "--token",
                required = true,
                description = "The federation's manager token (mipfed join-token manager).")
        String token;

        @Option(
                names = "--data-dir",
                description = "The new manager's data directory, new or empty "
                        + "(default: $MIPFED_MANAGER_DIR or ~/.mipfed/manager).")
        Path dataDir;

        @Option(
                names = "--advertise-addr",
                description = "Host name or IP nodes and the other managers reach this manager at "
                        + "(default: ${DEFAULT-VALUE}).",
                defaultValue = "127.0.0.1")
        String advertiseAddr;

        @Option(
                names = "--grpc-port",
                description = "Port for nodes, mutual TLS (default: ${DEFAULT-VALUE}).",
                defaultValue = "" + FederationConfig.DEFAULT_GRPC_PORT)
        int grpcPort;

        @Option(
                names = "--http-port",
                description = "Port of the REST API and portal (default: ${DEFAULT-VALUE}).",
                defaultValue = "" + FederationConfig.DEFAULT_HTTP_PORT)
        int httpPort;

        @Option(
                names = "--http-host",
                description = "Interface the REST API and portal listen on (default: ${DEFAULT-VALUE}, all); "
                        + "127.0.0.1 serves plain HTTP, for a reverse proxy that terminates TLS.",
                defaultValue = "0.0.0.0")
        String httpHost;

        @Option(
                names = "--raft-port",
                paramLabel = "PORT",
                description = "Port the other managers reach this one's Raft at (default: the --grpc-port + 1; "
                        + "0: any free port, on loopback).")
        Integer raftPort;

        @Parameters(index = "0", paramLabel = "HOST:PORT", description = "A running manager's node port.")
        String manager;

        @Override
        public Integer call() throws InterruptedException {
            ManagerPaths paths = new ManagerPaths(DataDirs.manager(dataDir));
            ManagerJoiner.checkEmpty(paths);
            int raft = raftPort(raftPort, grpcPort);
            for (int port : new int[] {grpcPort, httpPort}) {
                if (port < 0 || port > 65_535) {
                    throw Problem.badRequest("--grpc-port and --http-port are 0 to 65535, not " + port);
                }
            }
            boolean existed = java.nio.file.Files.isDirectory(paths.dataDir());
            ManagerJoiner joiner = new ManagerJoiner(token, manager);
            FederationConfig config = joiner.exchange(
                    paths, new ManagerJoiner.Settings(advertiseAddr, grpcPort, httpPort, httpHost, raft));
            ManagerServer server;
            try {
                server = ManagerServer.join(
                        paths,
                        WebOptions.DEFAULT,
                        (memberId, raftAddress) -> joiner.add(
                                memberId,
                                raftAddress,
                                ManagerDirectories.hostPort(advertiseAddr, grpcPort),
                                ManagerDirectories.hostPort(advertiseAddr, httpPort)));
            } catch (RuntimeException e) {
                ManagerJoiner.undo(paths, existed);
                throw e;
            }
            CountDownLatch stopped = untilStoppedOrLeft(server);
            HttpTransport transport = server.api().transport();
            System.out.println("joined federation " + config.federationId() + " as manager "
                    + server.replication().id() + " (" + server.replication().groupSize() + " managers)");
            System.out.println("manager running: nodes on port " + server.grpcPort() + ", REST API and portal on "
                    + (transport.https() ? "https" : "http") + "://"
                    + (transport.loopbackOnly() ? "127.0.0.1" : advertiseAddr) + ":" + server.httpPort()
                    + "; later starts: mipfed manager start --data-dir " + paths.dataDir());
            stopped.await();
            server.close();
            return 0;
        }
    }
}
