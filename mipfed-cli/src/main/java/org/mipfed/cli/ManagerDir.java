package org.mipfed.cli;

import java.nio.file.Path;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine.Option;

/**
 * The {@code --data-dir} option of every command that acts on a manager ({@code @Mixin}): the manager's data
 * directory, its files, and the REST client that its admin token opens.
 */
final class ManagerDir {
    @Option(
            names = "--data-dir",
            description = "Manager data directory (default: $MIPFED_MANAGER_DIR or ~/.mipfed/manager).")
    Path dataDir;

    /** The directory given, or the default ({@code $MIPFED_MANAGER_DIR}, then {@code ~/.mipfed/manager}). */
    Path dir() {
        return DataDirs.manager(dataDir);
    }

    ManagerPaths paths() {
        return new ManagerPaths(dir());
    }

    /** The manager's REST API as its administrator (the admin token in the data directory). */
    AdminClient admin() {
        return AdminClient.forManager(paths());
    }
}
