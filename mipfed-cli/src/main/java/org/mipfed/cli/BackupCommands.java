package org.mipfed.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.backup.ManagerBackup;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mipfed manager backup|restore}: the manager's whole state in one passphrase-encrypted file. */
final class BackupCommands {
    private static final String ENV = "MIPFED_BACKUP_PASSPHRASE";

    private BackupCommands() {}

    @Command(
            name = "backup",
            mixinStandardHelpOptions = true,
            description =
                    "Write an encrypted snapshot of the manager (CA, tokens, nodes, labels, experiments); works while it runs.")
    static final class Backup implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "The backup file to write.")
        Path out;

        @Mixin
        ManagerDir manager;

        @Option(
                names = "--passphrase-file",
                description = "Read the passphrase from this file (default: $" + ENV + ", else asked).")
        Path passphraseFile;

        @Override
        public Integer call() {
            List<String> files = ManagerBackup.backup(manager.paths(), out, passphrase(passphraseFile, true));
            System.out.println("Backed up " + files.size() + " files to " + out.toAbsolutePath()
                    + " (encrypted; keep the passphrase apart from it).");
            return 0;
        }
    }

    @Command(
            name = "restore",
            mixinStandardHelpOptions = true,
            description =
                    "Rebuild a manager from a backup into an empty data directory; nodes reconnect with their certificates.")
    static final class Restore implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The backup file.")
        Path file;

        @Mixin
        ManagerDir manager;

        @Option(
                names = "--passphrase-file",
                description = "Read the passphrase from this file (default: $" + ENV + ", else asked).")
        Path passphraseFile;

        @Override
        public Integer call() {
            ManagerPaths paths = manager.paths();
            List<String> files = ManagerBackup.restore(file, paths, passphrase(passphraseFile, false));
            System.out.println("Restored " + files.size() + " files into " + paths.dataDir()
                    + ". Start it with: mipfed manager start --data-dir " + paths.dataDir());
            System.out.println("Nodes reconnect to the address they joined with: make it point to this machine.");
            return 0;
        }
    }

    private static char[] passphrase(Path file, boolean confirm) {
        if (file != null) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray();
            } catch (IOException e) {
                throw Problem.badRequest("Cannot read the passphrase file " + file + ": " + e.getMessage());
            }
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw Problem.badRequest(
                    "Give the backup passphrase with --passphrase-file or the environment variable " + ENV);
        }
        char[] first = console.readPassword("Backup passphrase: ");
        if (confirm && !java.util.Arrays.equals(first, console.readPassword("Again: "))) {
            throw Problem.badRequest("The two passphrases differ");
        }
        return first;
    }
}
