package org.mipfed.cli;

import java.nio.file.Path;

/** Default data directories, overridable by --data-dir or the environment. */
final class DataDirs {
    private DataDirs() {}

    static Path manager(Path given) {
        return given != null ? given : defaultDir("MIPFED_MANAGER_DIR", "manager");
    }

    static Path node(Path given) {
        return given != null ? given : defaultDir("MIPFED_NODE_DIR", "node");
    }

    private static Path defaultDir(String env, String name) {
        String fromEnv = System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(System.getProperty("user.home"), ".mipfed", name);
    }
}
