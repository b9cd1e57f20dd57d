package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.Role;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mipfed join-token worker|manager [--rotate] [-q]}, as {@code docker swarm join-token}. */
@Command(
        name = "join-token",
        mixinStandardHelpOptions = true,
        description = "Show or rotate the token that lets a node (worker) or a manager join.")
final class JoinTokenCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "worker or manager")
    String role;

    @Option(
            names = "--rotate",
            description = "Replace the token: the old one joins nothing any more; joined nodes are not affected.")
    boolean rotate;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print the token only.")
    boolean quiet;

    @Mixin
    ManagerDir manager;

    @Override
    public Integer call() {
        Role parsed;
        try {
            parsed = Role.parse(role);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("The role must be 'worker' or 'manager', not '" + role + "'");
        }
        ManagerPaths paths = manager.paths();
        FederationConfig config = FederationInit.config(paths);
        String token;
        try {
            AdminClient client = AdminClient.forManager(paths);
            JsonNode answer = rotate
                    ? client.post(
                            "/admin/join-tokens/" + role + "/rotate",
                            Json.mapper().createObjectNode())
                    : client.get("/admin/join-tokens/" + role);
            token = answer.path("token").asText();
        } catch (Problem p) {
            if (p.status() != 503) {
                throw p;
            }
            // The manager is not running, so nothing else writes its state: work on the files directly.
            X509Certificate ca = CertificateAuthority.load(paths.caDir()).certificate();
            JoinTokens tokens = new JoinTokens(StateStore.load(paths.state()), ca);
            token = rotate ? tokens.rotate(parsed, ca) : tokens.token(parsed);
        }
        if (quiet) {
            System.out.println(token);
            return 0;
        }
        if (rotate) {
            System.out.println("Successfully rotated " + role + " join token.");
            System.out.println();
        }
        System.out.println("To add a " + role + " to this federation, run the following command:");
        System.out.println();
        System.out.println(
                "    mipfed node join --token " + token + " " + config.advertiseAddr() + ":" + config.grpcPort());
        System.out.println();
        return 0;
    }
}
