package org.mipfed.node.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import java.io.IOException;
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

    /**
     * As {@link #sessionChannelCredentials(PrivateKey, X509Certificate, List)} (the same key and trust managers, the
     * same TLS engine as gRPC picks, the host name checked by gRPC the same way), with the TLS context built now, once:
     * every channel made from the result shares it. A node dials its manager again every few seconds while the
     * manager is away, and a restarted manager is dialled by all its nodes at once; built per attempt, the context
     * (the key, the chain, the trusted CAs loaded into the TLS engine) cost each attempt 2.2–2.6 ms of CPU.
     */
    public static ChannelCredentials prebuiltSessionChannelCredentials(
            PrivateKey key, X509Certificate nodeCert, List<X509Certificate> cas) {
        requireNonNull(key, "key is null");
        requireNonNull(nodeCert, "nodeCert is null");
        requireNonNull(cas, "cas is null");
        try {
            return NettySslContextChannelCredentials.create(GrpcSslContexts.forClient()
                    .keyManager(TlsManagers.keyManager(key, nodeCert))
                    .trustManager(TlsManagers.trusting(cas))
                    .build());
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the node's TLS context: " + e.getMessage(), e);
        }
    }
}
