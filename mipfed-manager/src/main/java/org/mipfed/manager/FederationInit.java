package org.mipfed.manager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.mipfed.core.json.ConfigFile;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.NodeIds;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.users.UserStore;

/** {@code mipfed manager init}: creates a federation in an empty data directory. */
public final class FederationInit {
    private static final Duration MANAGER_CERTIFICATE_VALIDITY = Duration.ofDays(825);

    private FederationInit() {}

    /** What init produced, for the CLI to print. */
    public record Created(
            FederationConfig config,
            String workerToken,
            String managerToken,
            String adminToken,
            String adminPassword) {}

    public static Created init(ManagerPaths paths, String advertiseAddr, int grpcPort, int httpPort, String httpHost) {
        return init(
                paths, advertiseAddr, grpcPort, httpPort, httpHost, FederationConfig.DEFAULT_NODE_CERTIFICATE_VALIDITY);
    }

    /** @param nodeCertificateValidity the lifetime of node certificates (renewed over the session at two thirds of it) */
    public static Created init(
            ManagerPaths paths,
            String advertiseAddr,
            int grpcPort,
            int httpPort,
            String httpHost,
            Duration nodeCertificateValidity) {
        if (Files.exists(paths.federation())) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "A federation already exists in " + paths.dataDir()
                            + " (federation.json). mipfed never overwrites one: use another --data-dir, or remove this directory yourself if you really mean to destroy it.");
        }
        try {
            Files.createDirectories(paths.dataDir());
            Files.createDirectories(paths.tlsKey().getParent());
            String federationId = NodeIds.newId();
            CertificateAuthority ca = CertificateAuthority.create(federationId, paths.caDir());
            KeyPair managerKey = KeyPairs.generate();
            List<String> names = new ArrayList<>(List.of(advertiseAddr));
            X509Certificate managerCert = ca.issueServerCertificate(managerKey, names, MANAGER_CERTIFICATE_VALIDITY);
            Pem.writePrivateKey(paths.tlsKey(), managerKey.getPrivate());
            Pem.writeCertificate(paths.tlsCertificate(), managerCert);
            String workerSecret = JoinToken.generate(ca.certificate()).secret();
            String managerSecret = JoinToken.generate(ca.certificate()).secret();
            StateStore.create(
                    paths.state(), new FederationState(workerSecret, managerSecret, List.of(), List.of(), List.of()));
            byte[] adminBytes = new byte[32];
            new SecureRandom().nextBytes(adminBytes);
            String adminToken = "mipfed-admin-" + HexFormat.of().formatHex(adminBytes);
            Pem.writeAtomically(paths.adminToken(), (adminToken + "\n").getBytes(StandardCharsets.UTF_8), true);
            String adminPassword = UserStore.createWithAdmin(paths.users(), paths.adminPassword());
            FederationConfig config = new FederationConfig(
                    federationId, advertiseAddr, grpcPort, httpPort, httpHost, Instant.now(), nodeCertificateValidity);
            // federation.json is written last: its presence means the federation is complete.
            Pem.writeAtomically(paths.federation(), Json.pretty().writeValueAsBytes(config), false);
            String digest = org.mipfed.core.security.CaDigest.of(ca.certificate());
            return new Created(
                    config,
                    new JoinToken(digest, workerSecret).toString(),
                    new JoinToken(digest, managerSecret).toString(),
                    adminToken,
                    adminPassword);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot create the federation in " + paths.dataDir() + ": " + e.getMessage(), e);
        }
    }

    public static FederationConfig config(ManagerPaths paths) {
        if (!Files.isRegularFile(paths.federation())) {
            throw new Problem(
                    ProblemType.NOT_FOUND,
                    "There is no federation in " + paths.dataDir()
                            + ". Create one with: mipfed manager init --data-dir " + paths.dataDir());
        }
        return ConfigFile.read(paths.federation(), FederationConfig.class);
    }

    /** The first admin's password as init generated it (the admin may have changed it since). */
    public static String adminPassword(ManagerPaths paths) {
        try {
            return Files.readString(paths.adminPassword(), StandardCharsets.UTF_8)
                    .trim();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the admin password " + paths.adminPassword() + ": " + e.getMessage(), e);
        }
    }

    public static String adminToken(ManagerPaths paths) {
        try {
            return Files.readString(paths.adminToken(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the admin token " + paths.adminToken() + ": " + e.getMessage(), e);
        }
    }
}
