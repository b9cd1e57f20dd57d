package org.mipfed.node.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.mipfed.core.security.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's key, certificate and trusted CAs, as stored in {@code N/tls/}: {@code node.key}, {@code node.crt} and
 * {@code ca.crt} (one or more CA certificates; two while the federation rotates its CA).
 *
 * <p>A renewed key and certificate replace the old pair so that a crash never leaves a key with another key's
 * certificate: both are written beside the old ones ({@code .next}) and renamed over them, key first; {@link #load}
 * completes a replacement a crash interrupted, or drops a half-written one.
 */
public final class NodeCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCredentials.class);

    /** A key and its certificate, and the CAs the node trusts. */
    public record Snapshot(PrivateKey key, X509Certificate certificate, List<X509Certificate> trusted) {
        public Snapshot {
            requireNonNull(key, "key is null");
            requireNonNull(certificate, "certificate is null");
            trusted = List.copyOf(trusted);
        }

        /**
         * For the node's session: its certificate, and trust in the federation's CAs only. A new object each call;
         * {@link NodeCredentials#sessionCredentials()} keeps one per key, certificate and CAs.
         */
        public ChannelCredentials channelCredentials() {
            return NodeTls.sessionChannelCredentials(key, certificate, trusted);
        }
    }

    /** The key, certificate and CAs, and the session credentials built from them (one object while they last). */
    private record Current(Snapshot snapshot, ChannelCredentials session) {
        Current(Snapshot snapshot) {
            this(
                    snapshot,
                    NodeTls.prebuiltSessionChannelCredentials(
                            snapshot.key(), snapshot.certificate(), snapshot.trusted()));
        }
    }

    private final CredentialFiles paths;
    private volatile Current current;

    private NodeCredentials(CredentialFiles paths, Snapshot current) {
        this.paths = paths;
        this.current = new Current(current);
    }

    public static NodeCredentials load(CredentialFiles paths) {
        requireNonNull(paths, "paths is null");
        recover(paths);
        return new NodeCredentials(
                paths,
                new Snapshot(
                        Pem.readPrivateKey(paths.key()),
                        Pem.readCertificate(paths.certificate()),
                        Pem.readCertificates(paths.caCertificate())));
    }

    public Snapshot current() {
        return current.snapshot();
    }

    /**
     * The session's credentials for the current key, certificate and CAs, their TLS context built once: the same
     * object until a renewal or a new list of CAs replaces them, so that a session that dials again builds no TLS
     * context and keeps a connection that is still up.
     */
    public ChannelCredentials sessionCredentials() {
        return current.session();
    }

    /** Stores a renewed key and certificate (see the class comment) and uses them from now on. */
    public synchronized void replaceIdentity(PrivateKey key, X509Certificate certificate) {
        Path keyNext = next(paths.key());
        Path certificateNext = next(paths.certificate());
        Pem.writePrivateKey(keyNext, key);
        Pem.writeCertificate(certificateNext, certificate);
        recover(paths);
        current = new Current(new Snapshot(key, certificate, current().trusted()));
    }

    /** Stores the CAs to trust and uses them from now on. */
    public synchronized void replaceTrust(List<X509Certificate> trusted) {
        Pem.writeCertificates(paths.caCertificate(), trusted);
        Snapshot now = current();
        current = new Current(new Snapshot(now.key(), now.certificate(), trusted));
    }

    private static void recover(CredentialFiles paths) {
        Path keyNext = next(paths.key());
        Path certificateNext = next(paths.certificate());
        if (!Files.exists(certificateNext)) {
            // the certificate is written second: without it the new key is useless, and the old pair still stands
            deleteIfExists(keyNext);
            return;
        }
        if (Files.exists(keyNext)) {
            move(keyNext, paths.key());
        }
        move(certificateNext, paths.certificate());
        LOG.debug("new key and certificate in place in {}", paths.key().getParent());
    }

    private static Path next(Path file) {
        return file.resolveSibling(file.getFileName() + ".next");
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
