package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}), so
 * the parameters travel with each hash and can be raised later without invalidating stored ones. The defaults are
 * OWASP's recommendation for Argon2id (19 MiB, 2 passes, 1 lane).
 *
 * <p>Each hash takes 19 MiB of heap and a core for tens of milliseconds, and sign-in needs no account: unbounded,
 * a few dozen simultaneous sign-ins exhaust the manager's heap. So only {@link #concurrency()} hashes run at once;
 * a few more callers wait at most {@link #QUEUE_DEADLINE}, and the rest are refused at once with
 * {@link TryLater} (429, {@code Retry-After}) — never an OutOfMemoryError, and the other half of the cores
 * stay free for the nodes' sessions and the analyses.
 */
public final class PasswordHasher {
    static final int MEMORY_KIB = 19_456;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    /** Heap left for everything else (node sessions, analyses, state) when sizing {@link #defaultConcurrency}. */
    static final long HEAP_RESERVE_BYTES = 256L << 20;
    /** Heap counted per running hash: its 19 MiB four times over, for the collector's headroom. */
    static final long HEAP_PER_HASH_BYTES = 4L * MEMORY_KIB * 1024;
    /** How long a caller waits for a free slot before it is told to try again. */
    public static final Duration QUEUE_DEADLINE = Duration.ofSeconds(2);
    /** Callers allowed to wait per slot; beyond, they are refused without waiting (a Jetty thread each). */
    static final int WAITING_PER_SLOT = 8;

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();
    private final int concurrency;
    private final int maxWaiting;
    private final Duration deadline;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder hashed = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** Sized from this JVM: {@link #defaultConcurrency(int, long)}. */
    public PasswordHasher() {
        this(defaultConcurrency(
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory()));
    }

    public PasswordHasher(int concurrency) {
        this(concurrency, concurrency * WAITING_PER_SLOT, QUEUE_DEADLINE);
    }

    PasswordHasher(int concurrency, int maxWaiting, Duration deadline) {
        if (concurrency < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException("concurrency must be at least 1 and maxWaiting at least 0");
        }
        this.concurrency = concurrency;
        this.maxWaiting = maxWaiting;
        this.deadline = requireNonNull(deadline, "deadline is null");
        this.slots = new Semaphore(concurrency, true);
    }

    /**
     * Hashes at once: half the cores (at least one), and no more than the heap beyond {@link #HEAP_RESERVE_BYTES}
     * holds at {@link #HEAP_PER_HASH_BYTES} each (at least one). A 512 MiB heap on two cores: 1.
     */
    public static int defaultConcurrency(int cores, long maxHeapBytes) {
        long byHeap = (maxHeapBytes - HEAP_RESERVE_BYTES) / HEAP_PER_HASH_BYTES;
        return (int) Math.max(1, Math.min(Math.max(1, cores / 2), byHeap));
    }

    public int concurrency() {
        return concurrency;
    }

    /** Argon2 computations run so far (hashes and checks): what a flood of sign-ins actually cost. */
    public long computations() {
        return hashed.sum();
    }

    /** Callers refused because every slot was busy and the queue full or too slow. */
    public long refusals() {
        return refused.sum();
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = bounded(() -> argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES));
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * A hash of no password, in the format and with the parameters of {@link #hash}, made of random bytes without
     * running Argon2: checking a password against it costs exactly what checking against a real hash costs (the
     * work is in {@link #verify}), so an unknown user name takes as long as a wrong password. It was a real hash of a
     * random secret, computed when the users were opened: three Argon2 runs (19 MiB each, on a cold JIT) in every
     * manager start, about a third of the start's CPU (JFR, a 500-node data directory).
     */
    public String decoy() {
        byte[] salt = new byte[SALT_BYTES];
        byte[] hash = new byte[HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** Whether {@code password} matches {@code encoded}; false for anything that is not an Argon2id PHC string. */
    public boolean verify(String password, String encoded) {
        if (password == null || encoded == null) {
            return false;
        }
        String[] parts = encoded.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        try {
            for (String kv : parts[3].split(",")) {
                int value = Integer.parseInt(kv.substring(2));
                switch (kv.substring(0, 2)) {
                    case "m=" -> m = value;
                    case "t=" -> t = value;
                    case "p=" -> p = value;
                    default -> {
                        return false;
                    }
                }
            }
            byte[] salt = B64D.decode(parts[4]);
            byte[] expected = B64D.decode(parts[5]);
            if (m < 8 || t < 1 || p < 1 || expected.length < 16) {
                return false;
            }
            int memory = m;
            int iterations = t;
            int lanes = p;
            return MessageDigest.isEqual(
                    expected, bounded(() -> argon2(password, salt, memory, iterations, lanes, expected.length)));
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    /** Runs one Argon2 computation in a free slot, waiting at most {@link #deadline}; else {@link TryLater}. */
    private byte[] bounded(Supplier<byte[]> computation) {
        if (!slots.tryAcquire()) {
            if (waiting.incrementAndGet() > maxWaiting) {
                waiting.decrementAndGet();
                throw busy();
            }
            try {
                if (!slots.tryAcquire(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw busy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw busy();
            } finally {
                waiting.decrementAndGet();
            }
        }
        try {
            hashed.increment();
            return computation.get();
        } finally {
            slots.release();
        }
    }

    private TryLater busy() {
        refused.increment();
        return new TryLater(
                "Too many sign-ins at once: the manager is checking as many passwords as it safely can at once; "
                        + "nothing was checked. Try again in a few seconds.",
                deadline);
    }

    private static byte[] argon2(
            String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        generator.generateBytes(password.toCharArray(), out);
        return out;
    }
}
