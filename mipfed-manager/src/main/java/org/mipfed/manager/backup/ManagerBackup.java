package org.mipfed.manager.backup;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.mipfed.core.audit.HashChainedLog;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;

/**
 * {@code mipfed manager backup} / {@code restore}: the whole manager (CA, manager certificate,
 * tokens, node registry with labels and availability, experiments, admin token) in one file,
 * encrypted with a passphrase (AES-256-GCM, key from PBKDF2-HMAC-SHA256). Every file of the
 * manager is replaced atomically when it changes, so copying them while it runs gives a consistent
 * version of each.
 */
public final class ManagerBackup {
    private static final byte[] MAGIC = "MIPFED-BACKUP-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int ITERATIONS = 310_000;
    private static final int SALT = 16;
    private static final int IV = 12;
    /** What a manager's data directory holds that a restore does not need: its lock. */
    private static final List<String> SKIP = List.of("manager.lock");

    private static final String RAFT_DIR = "raft";
    private static final String AUDIT_CHECKPOINT = "audit.log.checkpoint";
    private static final String JOURNAL_CHECKPOINT = "audit.journal.checkpoint";

    private ManagerBackup() {}

    /** Writes an encrypted snapshot of the manager's data directory to {@code out}; returns the files it holds. */
    public static List<String> backup(ManagerPaths paths, Path out, char[] passphrase) {
        requireNonNull(out, "out is null");
        checkPassphrase(passphrase);
        if (!Files.isRegularFile(paths.federation())) {
            throw new Problem(ProblemType.NOT_FOUND, "There is no federation in " + paths.dataDir() + " to back up");
        }
        List<String> names = new ArrayList<>();
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        // The audit trail grows while the manager runs: its checkpoint is read before the log, so the copy of the log
        // holds at least the lines the checkpoint records (a restored manager keeps any after it, as after a crash).
        // The running manager seals its checkpoint a few milliseconds after each line: wait for that, so that a copy
        // taken while it is quiet is exact.
        byte[] auditCheckpoint;
        byte[] journalCheckpoint;
        try {
            // a running manager ships its journal's newest lines into the chain within moments: the copy holds them
            AuditTrail.awaitJournalInChain(paths, 3_000);
            HashChainedLog.awaitSealed(paths.auditLog(), Duration.ofSeconds(2));
            auditCheckpoint = readIfExists(paths.dataDir().resolve(AUDIT_CHECKPOINT));
            // the journal too: its checkpoint before its lines
            HashChainedLog.awaitSealed(paths.auditJournal(), Duration.ofSeconds(2));
            journalCheckpoint = readIfExists(paths.dataDir().resolve(JOURNAL_CHECKPOINT));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the manager's data in " + paths.dataDir() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(
                    ProblemType.INTERRUPTED, "The backup was interrupted before it copied anything; run it again");
        }
        try (ZipOutputStream zip = new ZipOutputStream(zipped);
                Stream<Path> files = Files.walk(paths.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = paths.dataDir().relativize(file).toString().replace('\\', '/');
                // the Raft log and its snapshots stay out: state.json holds the state they replicate, and a restored
                // manager starts as a group of one from it
                if (SKIP.contains(name) || name.contains(".tmp") || name.startsWith(RAFT_DIR + "/")) {
                    continue;
                }
                byte[] content = name.equals(AUDIT_CHECKPOINT)
                        ? auditCheckpoint
                        : name.equals(JOURNAL_CHECKPOINT) ? journalCheckpoint : readIfExists(file);
                if (content == null) {
                    continue; // an experiment deleted meanwhile
                }
                zip.putNextEntry(new ZipEntry(name));
                zip.write(content);
                zip.closeEntry();
                names.add(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the manager's data in " + paths.dataDir() + ": " + e.getMessage(), e);
        }
        Pem.writeAtomically(out, encrypt(zipped.toByteArray(), passphrase), true);
        // into the journal: the running manager ships it into the federation's chain (or it does at its next start)
        AuditTrail.recordInJournal(
                paths,
                FederationInit.config(paths).federationId(),
                "cli:" + System.getProperty("user.name"),
                AuditTrail.BACKUP,
                AuditTrail.OK,
                Json.mapper()
                        .createObjectNode()
                        .put("out", out.toAbsolutePath().toString())
                        .put("files", names.size()));
        return names;
    }

    private static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** Rebuilds a manager's data directory from a backup; refuses to overwrite an existing federation. */
    public static List<String> restore(Path backup, ManagerPaths paths, char[] passphrase) {
        if (Files.exists(paths.federation())) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "A federation already exists in " + paths.dataDir()
                            + "; restore into an empty directory (mipfed never overwrites a federation)");
        }
        byte[] sealed;
        try {
            sealed = Files.readAllBytes(backup);
        } catch (IOException e) {
            throw Problem.badRequest("Cannot read the backup " + backup + ": " + e.getMessage());
        }
        byte[] zipped = decrypt(sealed, passphrase, backup);
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipped))) {
            Files.createDirectories(paths.dataDir());
            ZipEntry entry;
            List<Path> files = new ArrayList<>();
            List<byte[]> contents = new ArrayList<>();
            while ((entry = zip.getNextEntry()) != null) {
                Path target = paths.dataDir().resolve(entry.getName()).normalize();
                if (!target.startsWith(paths.dataDir()) || entry.isDirectory()) {
                    throw Problem.badRequest("The backup " + backup + " holds an unexpected entry '" + entry.getName()
                            + "'; it was not made by mipfed");
                }
                files.add(target);
                contents.add(zip.readAllBytes());
                names.add(entry.getName());
            }
            // federation.json last: its presence means the restore is complete.
            for (int i = 0; i < files.size(); i++) {
                if (!files.get(i).equals(paths.federation())) {
                    write(files.get(i), contents.get(i));
                }
            }
            int federation = files.indexOf(paths.federation());
            if (federation < 0) {
                throw Problem.badRequest(
                        "The backup " + backup + " has no federation.json; it is not a mipfed manager backup");
            }
            soleManager(paths);
            write(paths.federation(), contents.get(federation));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restore into " + paths.dataDir() + ": " + e.getMessage(), e);
        }
        return names;
    }

    /**
     * A restored manager starts as a group of one (the backup holds no Raft log): the list of managers nodes dial,
     * which a backup of a manager of several holds, becomes this one alone (an empty list, with the next version, so
     * nodes drop the others when they reach it).
     */
    private static void soleManager(ManagerPaths paths) throws IOException {
        if (!Files.isRegularFile(paths.state())) {
            return;
        }
        FederationState state = Json.mapper().readValue(paths.state().toFile(), FederationState.class);
        if (!state.managers().isEmpty()) {
            write(paths.state(), Json.pretty().writeValueAsBytes(state.withManagers(List.of())));
        }
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        // Everything of a manager is private to its operator: keys, tokens, experiments.
        Pem.writeAtomically(file, content, true);
    }

    private static byte[] encrypt(byte[] plain, char[] passphrase) {
        try {
            SecureRandom random = new SecureRandom();
            byte[] salt = new byte[SALT];
            byte[] iv = new byte[IV];
            random.nextBytes(salt);
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(passphrase, salt), new GCMParameterSpec(128, iv));
            cipher.updateAAD(MAGIC);
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(MAGIC.length + SALT + IV + sealed.length)
                    .put(MAGIC)
                    .put(salt)
                    .put(iv)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }

    private static byte[] decrypt(byte[] sealed, char[] passphrase, Path backup) {
        if (sealed.length < MAGIC.length + SALT + IV + 16
                || !Arrays.equals(Arrays.copyOf(sealed, MAGIC.length), MAGIC)) {
            throw Problem.badRequest(backup + " is not a mipfed manager backup");
        }
        byte[] salt = Arrays.copyOfRange(sealed, MAGIC.length, MAGIC.length + SALT);
        byte[] iv = Arrays.copyOfRange(sealed, MAGIC.length + SALT, MAGIC.length + SALT + IV);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(passphrase, salt), new GCMParameterSpec(128, iv));
            cipher.updateAAD(MAGIC);
            return cipher.doFinal(sealed, MAGIC.length + SALT + IV, sealed.length - MAGIC.length - SALT - IV);
        } catch (AEADBadTagException e) {
            throw new Problem(
                    ProblemType.CANNOT_DECRYPT,
                    "The passphrase is wrong, or " + backup + " was altered; nothing was restored");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }

    private static SecretKeySpec key(char[] passphrase, byte[] salt) throws GeneralSecurityException {
        byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(passphrase, salt, ITERATIONS, 256))
                .getEncoded();
        return new SecretKeySpec(key, "AES");
    }

    private static void checkPassphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length < 12) {
            throw Problem.badRequest("The backup passphrase must have at least 12 characters");
        }
    }
}
