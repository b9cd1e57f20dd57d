package org.mipfed.node.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.mipfed.core.security.TlsManagers;

/**
 * The TLS side of a node's connections to its manager. Both kinds verify the manager's host name against
 * its certificate (gRPC asks the TLS engine for HTTPS-style endpoint identification): dial the manager by a
 * name or address its certificate holds (the advertised address, {@code localhost} or {@code 127.0.0.1}).
 */
public final class NodeTls {
    private NodeTls() {}

    /**
     * For joining: no client certificate, and the manager is trusted only if its chain holds the CA named in the
     * join token (checked by {@code pinning} during the handshake, so nothing is sent to an impostor).
     */
    public static ChannelCredentials joinChannelCredentials(PinnedCaTrustManager pinning) {
        requireNonNull(pinning, "pinning is null");
        return TlsChannelCredentials.newBuilder().trustManager(pinning).build();
    }

    /** For the node's session: it presents its certificate, and trusts only a manager certificate signed by {@code ca}. */
    public static ChannelCredentials sessionChannelCredentials(
            PrivateKey key, X509Certificate nodeCert, X509Certificate ca) {
        requireNonNull(ca, "ca is null");
        return sessionChannelCredentials(key, nodeCert, List.of(ca));
    }

    /** As above, trusting any of {@code cas} (the old and the new CA while the federation rotates its CA). */
    public static ChannelCredentials sessionChannelCredentials(
            PrivateKey key, X509Certificate nodeCert, List<X509Certificate> cas) {
        requireNonNull(key, "key is null");
        requireNonNull(nodeCert, "nodeCert is null");
        requireNonNull(cas, "cas is null");
        return TlsChannelCredentials.newBuilder()
                .keyManager(TlsManagers.keyManager(key, nodeCert))
                .trustManager(TlsManagers.trusting(cas))
                .build();
    }
}
