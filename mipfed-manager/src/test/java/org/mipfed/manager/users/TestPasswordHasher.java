package org.mipfed.manager.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

class TestPasswordHasher {
    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void hashesWithArgon2idAndASaltOfItsOwn() {
        String a = hasher.hash("correct horse battery");
        String b = hasher.hash("correct horse battery");
        assertThat(a).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").isNotEqualTo(b);
        assertThat(hasher.verify("correct horse battery", a)).isTrue();
        assertThat(hasher.verify("correct horse batterY", a)).isFalse();
        assertThat(hasher.verify("correct horse battery", "$2a$10$notargon")).isFalse();
        assertThat(hasher.verify("correct horse battery", null)).isFalse();
    }

    /**
     * The decoy an unknown user name is checked against: the same parameters and lengths as a real hash, so its check
     * runs one Argon2 computation as a wrong password's does, while making it runs none (a manager start made three).
     */
    @Test
    void aDecoyCostsNothingToMakeAndAFullCheckToVerify() {
        PasswordHasher counted = new PasswordHasher(1);
        String decoy = counted.decoy();
        String real = counted.hash("correct horse battery");
        assertThat(counted.computations()).isEqualTo(1);
        String[] d = decoy.split("\\$");
        String[] r = real.split("\\$");
        assertThat(d).hasSize(6);
        assertThat(d[3]).isEqualTo(r[3]);
        assertThat(Base64.getDecoder().decode(d[4]))
                .hasSameSizeAs(Base64.getDecoder().decode(r[4]));
        assertThat(Base64.getDecoder().decode(d[5]))
                .hasSameSizeAs(Base64.getDecoder().decode(r[5]));
        assertThat(counted.decoy()).isNotEqualTo(decoy);
        assertThat(counted.computations()).isEqualTo(1);
        assertThat(counted.verify("correct horse battery", decoy)).isFalse();
        assertThat(counted.verify("", decoy)).isFalse();
        assertThat(counted.computations()).isEqualTo(3);
    }

    /**
     * A hash made by the reference implementation (the argon2 command of Debian's argon2 package:
     * {@code echo -n "correct horse battery" | argon2 "sixteen byte slt" -id -t 2 -k 19456 -p 1 -l 32 -e}).
     */
    @Test
    void agreesWithTheReferenceImplementation() {
        String reference =
                "$argon2id$v=19$m=19456,t=2,p=1$c2l4dGVlbiBieXRlIHNsdA$lXK37CikBCKU8CFfdBQXCZmUIwoeIZ+ijs+ixUN8jyY";
        assertThat(hasher.verify("correct horse battery", reference)).isTrue();
        assertThat(hasher.verify("correct horse batter", reference)).isFalse();
    }

    /** Verifies a hash made with other parameters, as stored hashes made before a change of the defaults are. */
    @Test
    void verifiesWithTheParametersStoredInTheHash() {
        byte[] salt = "sixteen byte slt".getBytes(StandardCharsets.US_ASCII);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(64)
                .withIterations(3)
                .withParallelism(2)
                .withSalt(salt)
                .build());
        byte[] out = new byte[32];
        generator.generateBytes("password".toCharArray(), out);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        String phc = "$argon2id$v=19$m=64,t=3,p=2$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
        assertThat(hasher.verify("password", phc)).isTrue();
        assertThat(hasher.verify("password", phc.replace("t=3", "t=4"))).isFalse();
    }

    @Test
    void isSizedFromTheHeapAndHalfTheCores() {
        assertThat(PasswordHasher.defaultConcurrency(2, 512L << 20)).isEqualTo(1);
        assertThat(PasswordHasher.defaultConcurrency(16, 512L << 20)).isEqualTo(3);
        assertThat(PasswordHasher.defaultConcurrency(8, 4L << 30)).isEqualTo(4);
        assertThat(PasswordHasher.defaultConcurrency(64, 128L << 20)).isEqualTo(1);
    }

    /** One slot, one caller allowed to wait: of twelve simultaneous checks, the rest are refused with Retry-After, none fails. */
    @Test
    void checksBeyondTheSlotsAndTheQueueAreRefusedWithTryLater() throws Exception {
        PasswordHasher bounded = new PasswordHasher(1, 1, Duration.ofMillis(50));
        String hash = hasher.hash("correct horse battery");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try {
                        return String.valueOf(bounded.verify("correct horse battery", hash));
                    } catch (TryLater busy) {
                        return busy.status() + " " + busy.retryAfterSeconds();
                    }
                }));
            }
            start.countDown();
            List<String> answers = new ArrayList<>();
            for (Future<String> f : outcomes) {
                answers.add(f.get());
            }
            assertThat(answers).contains("true", "429 1").allMatch(a -> a.equals("true") || a.equals("429 1"));
            assertThat(bounded.computations() + bounded.refusals()).isEqualTo(12);
            assertThat(bounded.refusals()).isGreaterThanOrEqualTo(9);
        } finally {
            pool.shutdownNow();
        }
    }
}
