package org.mipfed.bench;

import picocli.CommandLine.Option;

/** {@code mipfed bench}'s options for many nodes ({@link ScaleBench}), mixed into {@link BenchCommand}. */
final class ScaleOptions {
    @Option(
            names = "--simulated-nodes",
            paramLabel = "N",
            description =
                    "Instead of the other parts: N real node agents packed into a few JVMs; measures a small analysis over 3, 30, 100, 500 (up to N) nodes, the manager's memory per session, GET /admin/nodes and a manager restart at N.")
    Integer nodes;

    @Option(
            names = "--agents-per-jvm",
            defaultValue = "100",
            description = "Simulated node agents per JVM (default: ${DEFAULT-VALUE}).")
    int agentsPerJvm;

    @Option(
            names = "--simulated-rows",
            defaultValue = "100",
            description = "Rows per simulated node (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(
            names = "--simulated-warm-up-max",
            defaultValue = "180",
            paramLabel = "SECONDS",
            description =
                    "Longest warm-up of each stage (it stops earlier once the JIT compilers are quiet); every analysis of it stays in the manager's experiments (default: ${DEFAULT-VALUE}).")
    int warmUpMax;

    @Option(
            names = "--simulated-runs",
            defaultValue = "100",
            description = "Measured analyses per stage of the simulated nodes (default: ${DEFAULT-VALUE}).")
    int runs;
}
