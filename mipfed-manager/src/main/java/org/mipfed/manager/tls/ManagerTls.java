package org.mipfed.manager.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.mipfed.core.security.TlsManagers;

/** The TLS side of the manager's node-facing gRPC port. */
public final class ManagerTls {
    private ManagerTls() {
    }

    /**
     * Server credentials for the node-facing port.
     * <ul>
     *   <li>The manager presents {@code [managerCert, ca]}: the CA certificate travels in the handshake so a
     *       joining node, which knows only the CA's digest from its token, can find and pin it.</li>
     *   <li>Client certificates are checked against {@code ca} only, but are optional: a joining node has
     *       none yet. Calls other than joining must check {@link PeerCertificateInterceptor#PEER} themselves.</li>
     * </ul>
     * The protocol version is the TLS stack's default (TLS 1.3 and 1.2, with gRPC's ECDHE/AEAD cipher list):
     * {@link TlsServerCredentials} offers no way to restrict it. mipfed's own clients negotiate TLS 1.3.
     */
    public static ServerCredentials serverCredentials(PrivateKey key, X509Certificate managerCert, X509Certificate ca) {
        requireNonNull(key, "key is null");
        requireNonNull(managerCert, "managerCert is null");
        requireNonNull(ca, "ca is null");
        return TlsServerCredentials.newBuilder()
                .keyManager(TlsManagers.keyManager(key, managerCert, ca))
                .trustManager(TlsManagers.trustingOnly(ca))
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
    }
}
