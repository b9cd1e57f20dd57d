package org.mipfed.cli.doctor;

import java.nio.file.Path;
import java.util.List;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodePaths;

/** Runs the checks of {@code mipfed doctor} on a node's or a manager's data directory. */
public final class Doctor {
    private Doctor() {}

    /**
     * The checks for {@code dataDir}: a node's (it holds node.json) or a manager's (federation.json).
     *
     * @throws Problem when it is neither
     */
    public static List<Check> check(Path dataDir) {
        NodePaths node = new NodePaths(dataDir);
        if (NodeDoctor.exists(node)) {
            return new NodeDoctor(node).run();
        }
        ManagerPaths manager = new ManagerPaths(dataDir);
        if (ManagerDoctor.exists(manager)) {
            return new ManagerDoctor(manager).run();
        }
        throw Problem.badRequest(dataDir
                + " is neither a node's data directory (no node.json) nor a manager's (no federation.json): give the"
                + " one to check with --data-dir (a package installs them under /var/lib/mipfed/node and"
                + " /var/lib/mipfed/manager)");
    }
}
