package org.mipfed.cli.doctor;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;

/** {@code mipfed doctor} on a manager's data directory: configuration, state, certificates, ports, disk, audit. */
final class ManagerDoctor {
    private final ManagerPaths paths;

    ManagerDoctor(ManagerPaths paths) {
        this.paths = paths;
    }

    List<Check> run() {
        List<Check> checks = new ArrayList<>();
        FederationConfig config;
        try {
            config = FederationInit.config(paths);
            checks.add(Check.ok(
                    "configuration",
                    paths.federation() + ": federation " + config.federationId() + ", advertised as "
                            + config.advertiseAddr()));
        } catch (RuntimeException e) {
            checks.add(Check.fail(
                    "configuration",
                    "cannot read " + paths.federation() + " (" + e.getMessage() + ")",
                    "create the federation first (mipfed manager init --data-dir " + paths.dataDir()
                            + " --advertise-addr <host>), or restore the data directory from a backup"));
            checks.add(Checks.diskSpace(paths.dataDir()));
            return checks;
        }
        try {
            var state = StateStore.load(paths.state()).get();
            checks.add(
                    Check.ok("state", paths.state() + " loads: " + state.nodes().size() + " node(s)"));
        } catch (RuntimeException e) {
            checks.add(Check.fail(
                    "state",
                    "cannot load " + paths.state() + " (" + e.getMessage() + ")",
                    "restore the data directory from a backup (mipfed manager restore)"));
        }
        checks.add(certificate("manager certificate", paths.tlsCertificate()));
        checks.add(Checks.resolves(
                "advertised address",
                config.advertiseAddr(),
                "nodes reach the manager by this name: make it resolve (DNS) to this machine"));
        checks.add(Checks.answers(
                "node port",
                "127.0.0.1",
                config.grpcPort(),
                "start the manager: systemctl start mipfed-manager (see journalctl -u mipfed-manager for why it"
                        + " stopped)"));
        String httpHost =
                config.httpHost() == null || config.httpHost().equals("0.0.0.0") ? "127.0.0.1" : config.httpHost();
        checks.add(Checks.answers(
                "REST API port",
                httpHost,
                config.httpPort(),
                "start the manager: systemctl start mipfed-manager (see journalctl -u mipfed-manager)"));
        checks.add(Checks.diskSpace(paths.dataDir()));
        checks.add(Checks.audit(
                paths.auditLog(),
                config.federationId(),
                "find out who changed it (mipfed audit verify names the first broken line); keep the broken trail"
                        + " as evidence, then move it aside so that the manager starts a new one"));
        return checks;
    }

    private static Check certificate(String name, java.nio.file.Path file) {
        if (!Files.isRegularFile(file)) {
            return Check.fail(name, file + " is missing", "restore the data directory from a backup");
        }
        try {
            return Checks.certificate(
                    name,
                    Pem.readCertificate(file),
                    "rotate the federation's CA (mipfed manager ca rotate), which issues the manager a new"
                            + " certificate");
        } catch (RuntimeException e) {
            return Check.fail(name, "cannot read " + file + " (" + e.getMessage() + ")", "restore it from a backup");
        }
    }

    static boolean exists(ManagerPaths paths) {
        return Files.isRegularFile(paths.federation());
    }
}
