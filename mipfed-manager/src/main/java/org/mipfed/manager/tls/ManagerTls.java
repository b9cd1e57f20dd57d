package org.mipfed.manager.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.mipfed.core.security.TlsManagers;
import org.mipfed.manager.ca.FederationCa;

/** The TLS side of the manager's node-facing gRPC port. */
public final class ManagerTls {
    /** The one protocol the node-facing port speaks: TLS 1.3 (forward secrecy and AEAD ciphers only, by design). */
    public static final String PROTOCOL = "TLSv1.3";

    private ManagerTls() {}

    /**
     * The TLS context of the node-facing port, TLS 1.3 only (a TLS 1.2 client fails the handshake). gRPC's
     * {@code TlsServerCredentials} cannot restrict the protocol, so this is a Netty context configured for gRPC.
     * <ul>
     *   <li>The manager presents its identity from {@code ca} at each handshake ({@code [managerCert, ca]}): the CA
     *       certificate travels in the handshake so a joining node, which knows only the CA's digest from its token,
     *       can find and pin it. After a CA rotation finishes, the next handshake presents the new identity.</li>
     *   <li>Client certificates are checked against the CAs {@code ca} trusts at that moment, but are optional: a
     *       joining node has none yet. Calls other than joining must check {@link PeerCertificateInterceptor#PEER}.</li>
     * </ul>
     */
    public static SslContext serverContext(FederationCa ca) {
        requireNonNull(ca, "ca is null");
        return serverContext(ca::identity, ca::trusted);
    }

    /** As {@link #serverContext(FederationCa)}, from suppliers read at every handshake. */
    public static SslContext serverContext(
            Supplier<FederationCa.Identity> identity, Supplier<List<X509Certificate>> trusted) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(new SwitchingKeyManager(identity)), provider())
                    .trustManager(new SwitchingTrustManager(trusted))
                    .clientAuth(ClientAuth.OPTIONAL)
                    .protocols(PROTOCOL)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the manager's TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * BoringSSL (bundled with gRPC's shaded Netty) where it loads, else the JDK's TLS. The same key and trust managers
     * decide either way. Measured with 500 nodes: under the JDK's TLS, the handshakes (P-256) and the AES-GCM of every
     * record took most of the manager's CPU, which grows with the number of nodes.
     */
    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Presents whatever identity the supplier gives now; the alias names it, so key and chain always match. */
    private static final class SwitchingKeyManager extends X509ExtendedKeyManager {
        private final Supplier<FederationCa.Identity> identity;
        private final Map<String, FederationCa.Identity> seen = new ConcurrentHashMap<>();

        SwitchingKeyManager(Supplier<FederationCa.Identity> identity) {
            this.identity = requireNonNull(identity, "identity is null");
        }

        private String current(String keyType) {
            FederationCa.Identity now = identity.get();
            String algorithm = now.key().getAlgorithm();
            if (keyType == null || !(keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"))) {
                return null;
            }
            seen.putIfAbsent(now.alias(), now);
            return now.alias();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = current(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return current(keyType);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            FederationCa.Identity id = alias == null ? null : seen.get(alias);
            return id == null ? null : id.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            FederationCa.Identity id = alias == null ? null : seen.get(alias);
            return id == null ? null : id.key();
        }
    }

    /** Checks clients against the CAs the supplier names now (both during a rotation, the new one only after). */
    private static final class SwitchingTrustManager extends X509ExtendedTrustManager {
        private final Supplier<List<X509Certificate>> trusted;
        private volatile List<X509Certificate> builtFor;
        private volatile X509ExtendedTrustManager delegate;

        SwitchingTrustManager(Supplier<List<X509Certificate>> trusted) {
            this.trusted = requireNonNull(trusted, "trusted is null");
        }

        private synchronized X509ExtendedTrustManager delegate() {
            List<X509Certificate> now = trusted.get();
            if (!now.equals(builtFor)) {
                delegate = TlsManagers.trusting(now);
                builtFor = now;
            }
            return delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("the manager's port checks clients only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("the manager's port checks clients only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the manager's port checks clients only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate().getAcceptedIssuers();
        }
    }
}
