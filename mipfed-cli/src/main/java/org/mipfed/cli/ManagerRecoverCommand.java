package org.mipfed.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.replication.ForceNewCluster;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mipfed manager recover --force-new-cluster}: a survivor of a federation that lost its managers' majority. */
@Command(
        name = "recover",
        mixinStandardHelpOptions = true,
        description = "On a STOPPED manager whose federation lost a majority of its managers for good: make it a "
                + "group of one with everything it had (nodes, labels, tokens, users, sessions, experiments, the "
                + "CA), as Docker Swarm's --force-new-cluster. The other managers must then join again.")
final class ManagerRecoverCommand implements Callable<Integer> {
    @Option(
            names = "--force-new-cluster",
            description =
                    "Required: this manager leaves the managers' group it was in and becomes a new group of " + "one.")
    boolean forceNewCluster;

    @Option(
            names = "--data-dir",
            description = "The stopped manager's data directory (default: $MIPFED_MANAGER_DIR or ~/.mipfed/manager).")
    Path dataDir;

    @Override
    public Integer call() {
        ManagerPaths paths = new ManagerPaths(DataDirs.manager(dataDir));
        if (!forceNewCluster) {
            throw Problem.badRequest("recover makes this manager a new group of one and the other managers must join "
                    + "it again: use it only when a majority of the managers is lost for good, and say so with "
                    + "--force-new-cluster (mipfed manager recover --force-new-cluster --data-dir " + paths.dataDir()
                    + ")");
        }
        ForceNewCluster.Recovered r = ForceNewCluster.recover(paths, Instant.now());
        List<String> others = r.membersBefore().stream()
                .filter(id -> !id.equals(r.memberId()))
                .toList();
        System.out.println("Recovered manager " + r.memberId() + " as a group of one (it was one of "
                + r.membersBefore().size() + ": " + String.join(", ", r.membersBefore()) + ").");
        System.out.println("Kept: " + r.nodes() + " node(s) with " + r.labels() + " label(s), "
                + r.removedCertificates() + " removed node certificate(s), the join tokens, " + r.users()
                + " user(s), " + r.apiTokens() + " API token(s), " + r.sessions() + " signed-in session(s), "
                + r.experiments() + " experiment(s) (" + r.experimentsWithResult() + " with a result), and the CA"
                + (r.caRotationInProgress() ? " with its rotation in progress" : "") + ".");
        System.out.println("Read the old log up to entry " + r.appliedIndex() + ", the last this manager knew "
                + "committed"
                + (r.droppedEntries() == 0
                        ? "."
                        : "; " + r.droppedEntries() + " later entr" + (r.droppedEntries() == 1 ? "y" : "ies")
                                + " no majority was known to hold left out."));
        System.out.println("Content digest: " + r.contentDigest() + " (the same before and after).");
        System.out.println("The old log is kept in " + r.keptAside() + "; remove it once the federation runs again.");
        System.out.println();
        System.out.println("Start it: mipfed manager start --data-dir " + paths.dataDir());
        if (!others.isEmpty()) {
            System.out.println("The other managers (" + String.join(", ", others) + ") are no longer members: never "
                    + "start one of them on its old data directory. To bring one back, wipe its data directory "
                    + "and join again:");
            System.out.println("  here:  mipfed join-token manager");
            System.out.println("  there: mipfed manager join --token <manager token> --data-dir <empty dir> ... "
                    + "<this manager's host:grpc-port>");
            System.out.println("An old member started by mistake cannot change this federation: it runs the old "
                    + "group (" + r.groupBefore() + "), this manager only the new one (" + r.groupAfter()
                    + "), and nodes no longer dial it.");
        }
        return 0;
    }
}
