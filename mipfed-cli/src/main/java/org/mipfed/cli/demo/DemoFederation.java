package org.mipfed.cli.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.mipfed.core.problem.Problem;

/**
 * The federation of {@code mipfed demo}: a manager and three hospitals (chuv, epfl, uoa) as separate processes on
 * loopback, each with part of the dementia data and one longitudinal dataset, labelled and started; with more than one
 * manager, the others join the first with {@code mipfed manager join} and the manager token, and the federation is
 * handed over only once every manager lists them all as ready and sees every node ready, so that each portal and API
 * answers the same analyses at once.
 */
public final class DemoFederation {
    /** The hospitals' aliases, each with the cohort of the dementia data it holds. */
    public static final List<String> HOSPITALS = List.of("chuv", "epfl", "uoa");

    private static final List<String> COHORTS = List.of("edsd", "ppmi", "desd-synthdata");
    /** Each node imports two data models first; on a busy machine that alone can take a minute. */
    private static final Duration PATIENCE = Duration.ofSeconds(180);

    private DemoFederation() {}

    /**
     * Starts the demo's federation in {@code dir} with {@code managers} managers (1 to 9), telling each step to
     * {@code step}; {@code created} receives the federation as soon as its first manager runs (the demo closes it at
     * Ctrl-C from there). Ports 0 pick free ones.
     */
    public static LocalFederation start(
            Path dir,
            int grpcPort,
            int httpPort,
            int managers,
            Consumer<String> step,
            Consumer<LocalFederation> created) {
        if (managers < 1 || managers > 9) {
            throw Problem.badRequest("--managers must be 1 to 9, not " + managers + " (3 or 5 for redundancy)");
        }
        step.accept("Extracting the dementia data (Exareme2's synthetic MIP data, MIT) into " + dir.resolve("data"));
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        Path longitudinal = LocalFederation.extractData("longitudinal_dementia_v_0_1", dir.resolve("longitudinal"));
        step.accept("mipfed manager init + manager start (gRPC for nodes on "
                + (grpcPort == 0 ? "a free port" : grpcPort) + ", REST API on "
                + (httpPort == 0 ? "a free port" : httpPort) + ")");
        LocalFederation federation = LocalFederation.create(dir, grpcPort, httpPort);
        created.accept(federation);
        String[] aliases = HOSPITALS.toArray(String[]::new);
        for (int h = 0; h < HOSPITALS.size(); h++) {
            List<Path> csvs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                csvs.add(data.resolve(COHORTS.get(h) + i + ".csv"));
            }
            // Each hospital also holds one of the longitudinal datasets (subjects seen at several visits).
            Path visits = longitudinal.resolve("longitudinal_dementia" + h + ".csv");
            step.accept("node " + aliases[h] + ": join with the worker token, import " + COHORTS.get(h)
                    + "0..9.csv and " + visits.getFileName() + ", label name=" + aliases[h] + ", node run");
            federation.addNode(
                    aliases[h],
                    null,
                    10,
                    List.of(
                            new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs),
                            new LocalFederation.DataImport(
                                    longitudinal.resolve("CDEsMetadata.json"), List.of(visits))));
        }
        step.accept("mipfed start all");
        federation.start("all");
        federation.awaitReady(PATIENCE, aliases);
        for (int m = 1; m < managers; m++) {
            step.accept("manager " + (m + 1) + " of " + managers
                    + ": mipfed join-token manager, then mipfed manager join on free ports");
            federation.addManager();
        }
        if (managers > 1) {
            step.accept("waiting until every manager lists the " + managers
                    + " managers as ready and sees the nodes ready");
            federation.awaitManagersReady(PATIENCE, aliases);
        }
        return federation;
    }
}
