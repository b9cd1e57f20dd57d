package org.mipfed.manager.ca;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.mipfed.core.io.Directories;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.proto.v1.TrustUpdate;
import org.mipfed.proto.v1.TrustedCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's CAs and its own TLS identity, and their rotation ({@code mipfed manager ca --rotate}), as
 * {@code docker swarm ca --rotate} does it:
 * <ol>
 *   <li>Start: a new CA is made in {@code ca/next/} with the manager's next certificate and the current CA's
 *       endorsement of it. From then on the manager trusts both CAs, renews node certificates under the new one,
 *       and tells every node to trust the new CA (endorsed, so a node can check it) and to renew at once.
 *       It keeps presenting its certificate under the current CA, which every node and every join token knows.</li>
 *   <li>Finish (when every node has moved, or on {@code --finish}): the new CA and the manager's new certificate
 *       replace the old ones; certificates under the old CA are refused from then on; the join tokens name the
 *       new CA's digest.</li>
 * </ol>
 * Every step leaves the data directory in a state a restart resumes from: {@code ca/next/} appears whole (made
 * beside and renamed), and finishing is marked before it copies, so an interrupted finish is completed at load.
 */
public final class FederationCa {
    private static final Logger LOG = LoggerFactory.getLogger(FederationCa.class);
    private static final Duration MANAGER_CERTIFICATE_VALIDITY = Duration.ofDays(825);
    private static final String NEXT = "next";
    private static final String ENDORSEMENT = "endorsement.sig";
    private static final String FINISHING = "finishing";

    /** The manager's TLS identity: its key and chain (leaf, then its CA). */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {
        public Identity {
            requireNonNull(key, "key is null");
            chain = List.copyOf(chain);
        }

        /** A stable name for this identity in a key manager: the leaf's serial. */
        public String alias() {
            return chain.get(0).getSerialNumber().toString(16);
        }
    }

    private record Next(CertificateAuthority ca, Identity identity, byte[] endorsement) {}

    private final ManagerPaths paths;
    private final String advertiseAddr;
    private volatile CertificateAuthority current;
    private volatile Identity identity;
    private volatile Next next;

    private FederationCa(
            ManagerPaths paths, String advertiseAddr, CertificateAuthority current, Identity identity, Next next) {
        this.paths = paths;
        this.advertiseAddr = advertiseAddr;
        this.current = current;
        this.identity = identity;
        this.next = next;
    }

    /** Loads the CAs from the data directory, completing a finish a crash interrupted. */
    public static FederationCa load(ManagerPaths paths, String advertiseAddr) {
        requireNonNull(paths, "paths is null");
        Path nextDir = paths.caDir().resolve(NEXT);
        if (Files.exists(nextDir.resolve(FINISHING))) {
            LOG.warn("completing a CA rotation whose finish was interrupted");
            copyNextIntoPlace(paths);
        }
        CertificateAuthority current = CertificateAuthority.load(paths.caDir());
        Identity identity = new Identity(
                Pem.readPrivateKey(paths.tlsKey()),
                List.of(Pem.readCertificate(paths.tlsCertificate()), current.certificate()));
        Next next = null;
        if (Files.isRegularFile(nextDir.resolve(ENDORSEMENT))) {
            CertificateAuthority nextCa = CertificateAuthority.load(nextDir);
            next = new Next(
                    nextCa,
                    new Identity(
                            Pem.readPrivateKey(nextDir.resolve("manager.key")),
                            List.of(Pem.readCertificate(nextDir.resolve("manager.crt")), nextCa.certificate())),
                    read(nextDir.resolve(ENDORSEMENT)));
        }
        return new FederationCa(paths, requireNonNull(advertiseAddr, "advertiseAddr is null"), current, identity, next);
    }

    /**
     * The CAs of a manager that joined a group ({@code mipfed manager join}): its data directory holds its own key and
     * manager certificate and the CA's certificate only; the CA's key came through the managers' replicated state.
     * Writes the CA's files from {@code keys} (key first), then loads as {@link #load} does and follows a rotation
     * the group has in progress.
     *
     * @throws IllegalArgumentException when the replicated CA is not the one this manager's certificate is under
     */
    public static FederationCa joined(ManagerPaths paths, String advertiseAddr, CaKeys keys) {
        requireNonNull(keys, "keys is null");
        X509Certificate replicated = CaKeys.certificateOf(keys.certificate());
        X509Certificate mine = Pem.readCertificate(paths.tlsCertificate());
        CertificateAuthority authority = CertificateAuthority.of(replicated, CaKeys.keyOf(keys.key(), replicated));
        authority.writeTo(paths.caDir());
        FederationCa ca = load(paths, advertiseAddr);
        if (!authority.issued(mine)) {
            // the CA rotated between this manager's join and its addition: a certificate under the new one
            ca.adoptIssuing(authority);
        }
        ca.adopt(keys);
        return ca;
    }

    /** Issues this manager a certificate under {@code authority} (its own key), as {@link #adopt} does. */
    private synchronized void adoptIssuing(CertificateAuthority authority) {
        X509Certificate mine = authority.issueServerCertificate(
                new KeyPair(identity.chain().get(0).getPublicKey(), identity.key()),
                List.of(advertiseAddr),
                MANAGER_CERTIFICATE_VALIDITY);
        Pem.writeCertificate(paths.tlsCertificate(), mine);
        current = authority;
        identity = new Identity(identity.key(), List.of(mine, authority.certificate()));
    }

    /** The CA of the certificate the manager presents: joins are signed by it, and join tokens name its digest. */
    public CertificateAuthority joinCa() {
        return current;
    }

    /** The CA renewals are signed by: the new one while a rotation runs. */
    public CertificateAuthority renewalCa() {
        Next n = next;
        return n == null ? current : n.ca();
    }

    /** The CAs whose certificates the manager accepts: the current one, and the new one during a rotation. */
    public List<X509Certificate> trusted() {
        Next n = next;
        return n == null ? List.of(current.certificate()) : List.of(current.certificate(), n.ca().certificate());
    }

    /** Whether a CA the manager trusts signed {@code certificate}. */
    public boolean trusts(X509Certificate certificate) {
        Next n = next;
        return current.issued(certificate) || n != null && n.ca().issued(certificate);
    }

    /** The manager's TLS identity now. */
    public Identity identity() {
        return identity;
    }

    public boolean rotating() {
        return next != null;
    }

    /** What a node holding {@code certificate} should trust, and whether it must renew now to move to the newest CA. */
    public TrustUpdate trustUpdate(X509Certificate certificate) {
        Next n = next;
        TrustUpdate.Builder update =
                TrustUpdate.newBuilder().addCas(TrustedCa.newBuilder().setCertificateDer(der(current.certificate())));
        if (n != null) {
            update.addCas(TrustedCa.newBuilder()
                    .setCertificateDer(der(n.ca().certificate()))
                    .setEndorsement(ByteString.copyFrom(n.endorsement())));
        }
        return update.setRenewNow(certificate != null && !renewalCa().issued(certificate))
                .build();
    }

    /** Digest of the current CA, and of the new one during a rotation. */
    public String digest() {
        return CaDigest.of(current.certificate());
    }

    public Optional<String> nextDigest() {
        Next n = next;
        return n == null ? Optional.empty() : Optional.of(CaDigest.of(n.ca().certificate()));
    }

    /** Starts a rotation: see the class comment. */
    public synchronized void startRotation() {
        if (next != null) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "A CA rotation is already running (new CA " + nextDigest().orElseThrow()
                            + "). It finishes once every node has moved; finish it now with: mipfed manager ca --rotate --finish");
        }
        Path building = paths.caDir().resolve(NEXT + ".tmp");
        Directories.deleteTree(building);
        CertificateAuthority nextCa = CertificateAuthority.create(current.federationId(), building);
        installNext(nextCa, current.endorse(nextCa.certificate()));
        LOG.info(
                "CA rotation started: new CA {}; nodes move to it over their sessions",
                CaDigest.of(nextCa.certificate()));
    }

    /** Puts {@code nextCa} in place as the CA being rotated to, with this manager's certificate under it. */
    private void installNext(CertificateAuthority nextCa, byte[] endorsement) {
        Path nextDir = paths.caDir().resolve(NEXT);
        Path building = paths.caDir().resolve(NEXT + ".tmp");
        if (!Files.isRegularFile(building.resolve(CertificateAuthority.KEY_FILE))) {
            Directories.deleteTree(building);
            nextCa.writeTo(building);
        }
        KeyPair managerKeys = KeyPairs.generate();
        X509Certificate managerCertificate =
                nextCa.issueServerCertificate(managerKeys, List.of(advertiseAddr), MANAGER_CERTIFICATE_VALIDITY);
        Pem.writePrivateKey(building.resolve("manager.key"), managerKeys.getPrivate());
        Pem.writeCertificate(building.resolve("manager.crt"), managerCertificate);
        Pem.writeAtomically(building.resolve(ENDORSEMENT), endorsement, false);
        Directories.deleteTree(nextDir);
        try {
            Files.move(building, nextDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot put the new CA in place at " + nextDir + ": " + e.getMessage(), e);
        }
        next = new Next(
                nextCa,
                new Identity(managerKeys.getPrivate(), List.of(managerCertificate, nextCa.certificate())),
                endorsement);
    }

    /**
     * The CAs as the managers replicate them (keys included): what any manager needs to sign certificates and to
     * follow a rotation.
     */
    public CaKeys keys() {
        CertificateAuthority c = current;
        Next n = next;
        return new CaKeys(
                CaKeys.encode(c.certificate()),
                CaKeys.encode(c.key()),
                n == null ? null : CaKeys.encode(n.ca().certificate()),
                n == null ? null : CaKeys.encode(n.ca().key()),
                n == null ? null : CaKeys.encode(n.endorsement()));
    }

    /**
     * Takes the CAs of the managers' replicated state when they differ from this manager's: a rotation another
     * manager started (this manager issues itself a certificate under the new CA) or finished, or the CA of the group
     * this manager joined. The files of the data directory follow, as they do for a local rotation.
     *
     * @return whether anything changed
     * @throws IllegalArgumentException when the replicated CA is of another federation or its key does not match
     */
    public synchronized boolean adopt(CaKeys keys) {
        requireNonNull(keys, "keys is null");
        if (keys.sameCas(keys())) {
            return false;
        }
        X509Certificate replicated = CaKeys.certificateOf(keys.certificate());
        if (!replicated.equals(current.certificate())) {
            Next n = next;
            if (n != null && n.ca().certificate().equals(replicated)) {
                // another manager finished the rotation this one follows
                finishRotation();
            } else {
                CertificateAuthority adopted =
                        CertificateAuthority.of(replicated, CaKeys.keyOf(keys.key(), replicated));
                if (!adopted.federationId().equals(current.federationId())) {
                    throw new IllegalArgumentException("the replicated CA is of federation " + adopted.federationId()
                            + ", not of this manager's federation " + current.federationId());
                }
                // this manager keeps its key and gets a certificate under the federation's CA
                X509Certificate mine = adopted.issueServerCertificate(
                        new KeyPair(identity.chain().get(0).getPublicKey(), identity.key()),
                        List.of(advertiseAddr),
                        MANAGER_CERTIFICATE_VALIDITY);
                Pem.writeCertificate(paths.tlsCertificate(), mine);
                adopted.writeTo(paths.caDir());
                Directories.deleteTree(paths.caDir().resolve(NEXT));
                current = adopted;
                identity = new Identity(identity.key(), List.of(mine, adopted.certificate()));
                next = null;
                LOG.info("took the federation's CA {} from the managers' replicated state", digest());
            }
        }
        if (keys.rotating()) {
            X509Certificate nextCertificate = CaKeys.certificateOf(keys.nextCertificate());
            Next n = next;
            if (n == null || !n.ca().certificate().equals(nextCertificate)) {
                CertificateAuthority nextCa =
                        CertificateAuthority.of(nextCertificate, CaKeys.keyOf(keys.nextKey(), nextCertificate));
                Directories.deleteTree(paths.caDir().resolve(NEXT + ".tmp"));
                installNext(nextCa, CaKeys.bytesOf(keys.endorsement()));
                LOG.info(
                        "following the CA rotation another manager started: new CA {}",
                        nextDigest().orElseThrow());
            }
        } else if (next != null) {
            Directories.deleteTree(paths.caDir().resolve(NEXT));
            next = null;
        }
        return true;
    }

    /** Finishes a rotation: the new CA replaces the old one, whose certificates are refused from now on. */
    public synchronized void finishRotation() {
        Next n = next;
        if (n == null) {
            throw new Problem(
                    ProblemType.CONFLICT, "No CA rotation is running; start one with: mipfed manager ca --rotate");
        }
        String old = digest();
        Pem.writeAtomically(paths.caDir().resolve(NEXT).resolve(FINISHING), new byte[0], false);
        copyNextIntoPlace(paths);
        current = n.ca();
        identity = n.identity();
        next = null;
        LOG.info("CA rotation finished: CA {} replaced {}, whose certificates are refused from now on", digest(), old);
    }

    private static void copyNextIntoPlace(ManagerPaths paths) {
        Path nextDir = paths.caDir().resolve(NEXT);
        // the manager's identity first, then the CA: each pair is written key first, as at init
        Pem.writePrivateKey(paths.tlsKey(), Pem.readPrivateKey(nextDir.resolve("manager.key")));
        Pem.writeCertificate(paths.tlsCertificate(), Pem.readCertificate(nextDir.resolve("manager.crt")));
        Pem.writePrivateKey(
                paths.caDir().resolve(CertificateAuthority.KEY_FILE),
                Pem.readPrivateKey(nextDir.resolve(CertificateAuthority.KEY_FILE)));
        Pem.writeCertificate(
                paths.caDir().resolve(CertificateAuthority.CERTIFICATE_FILE),
                Pem.readCertificate(nextDir.resolve(CertificateAuthority.CERTIFICATE_FILE)));
        Directories.deleteTree(nextDir);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static ByteString der(X509Certificate certificate) {
        try {
            return ByteString.copyFrom(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a CA certificate", e);
        }
    }
}
