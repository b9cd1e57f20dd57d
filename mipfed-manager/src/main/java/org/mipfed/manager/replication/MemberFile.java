package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.mipfed.core.json.ConfigFile;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;

/**
 * Who this manager is in the managers' group, kept in {@code D/raft/member.json} so that a restart is the same member.
 *
 * @param id its id in the group, made once at random
 * @param raftHost the host other managers dial for Raft
 * @param raftPort its Raft port (0: any free one on loopback, for a group of one)
 */
public record MemberFile(String id, String raftHost, int raftPort) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public MemberFile {
        requireNonNull(id, "id is null");
        requireNonNull(raftHost, "raftHost is null");
    }

    /** Reads the member file of {@code raftDir}, or makes and writes one with a new random id. */
    public static MemberFile readOrCreate(Path raftDir, String raftHost, int raftPort) {
        Path file = file(raftDir);
        if (Files.isRegularFile(file)) {
            return ConfigFile.read(file, MemberFile.class);
        }
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        MemberFile made = new MemberFile("manager-" + HexFormat.of().formatHex(bytes), raftHost, raftPort);
        made.write(raftDir);
        return made;
    }

    /** Reads the member file of {@code raftDir}, which must exist (a manager that joined wrote it). */
    public static MemberFile read(Path raftDir) {
        return ConfigFile.read(file(raftDir), MemberFile.class);
    }

    /** Writes this member file into {@code raftDir} (temp file + rename). */
    public void write(Path raftDir) {
        try {
            createPrivateDirectory(raftDir);
            Pem.writeAtomically(file(raftDir), Json.pretty().writeValueAsBytes(this), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file(raftDir) + ": " + e.getMessage(), e);
        }
    }

    /** This member, reached by nodes at {@code address} ({@code host:grpc-port}). */
    public ManagerMember member(String address) {
        return new ManagerMember(id, address, raftHost, raftPort);
    }

    /**
     * The log holds what {@code state.json} holds (join-token secrets among it): its directory is the manager's
     * user's only, as the state file is.
     */
    private static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    static Path file(Path raftDir) {
        return raftDir.resolve("member.json");
    }
}
