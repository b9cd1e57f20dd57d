package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

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
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Role;
import org.mipfed.core.security.TlsManagers;
import org.mipfed.manager.ca.FederationCa;

/**
 * The managers' Raft connections: mutual TLS 1.3 where both sides present their manager certificate
 * ({@code OU=manager}, issued by the federation's CA) and accept only a manager certificate of the same federation
 * from a CA the federation trusts now. A node's certificate (client-only, {@code OU=worker}) is refused, so no node
 * can speak Raft. Both sides read the CA at every handshake: a CA rotation moves the Raft connections with it.
 */
public final class RaftTls {
    private RaftTls() {}

    /** Ratis's TLS configuration for servers, clients and admin calls of this manager. */
    public static GrpcTlsConfig config(FederationCa ca, String federationId) {
        requireNonNull(ca, "ca is null");
        requireNonNull(federationId, "federationId is null");
        // the JDK's TLS (1.3 by default on Java 17) with these key and trust managers, for server and client alike
        return new GrpcTlsConfig(keyManager(ca), trustManager(ca, federationId), true);
    }

    /**
     * Ratis's TLS configuration of a manager that has no CA key yet (one joining the group): it presents
     * {@code identity} and trusts {@code trusted}, each read at every handshake.
     */
    public static GrpcTlsConfig config(
            Supplier<FederationCa.Identity> identity, Supplier<List<X509Certificate>> trusted, String federationId) {
        requireNonNull(identity, "identity is null");
        requireNonNull(trusted, "trusted is null");
        requireNonNull(federationId, "federationId is null");
        return new GrpcTlsConfig(new ManagerKeyManager(identity), new ManagerTrustManager(trusted, federationId), true);
    }

    /** The key manager both sides of a Raft connection present this manager's identity with. */
    static X509ExtendedKeyManager keyManager(FederationCa ca) {
        requireNonNull(ca, "ca is null");
        return new ManagerKeyManager(ca::identity);
    }

    /** The trust manager both sides of a Raft connection check the other manager with. */
    static X509ExtendedTrustManager trustManager(FederationCa ca, String federationId) {
        requireNonNull(ca, "ca is null");
        return new ManagerTrustManager(ca::trusted, requireNonNull(federationId, "federationId is null"));
    }

    /** Presents the manager's identity now, as server and as client. */
    private static final class ManagerKeyManager extends X509ExtendedKeyManager {
        private final Supplier<FederationCa.Identity> ca;
        private final Map<String, FederationCa.Identity> seen = new ConcurrentHashMap<>();

        ManagerKeyManager(Supplier<FederationCa.Identity> identity) {
            this.ca = identity;
        }

        private String current(String keyType) {
            FederationCa.Identity now = ca.get();
            String algorithm = now.key().getAlgorithm();
            if (keyType != null && !(keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"))) {
                return null;
            }
            seen.putIfAbsent(now.alias(), now);
            return now.alias();
        }

        private String currentOf(String[] keyTypes) {
            if (keyTypes == null) {
                return current(null);
            }
            for (String keyType : keyTypes) {
                String alias = current(keyType);
                if (alias != null) {
                    return alias;
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            String alias = current(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return currentOf(keyTypes);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return currentOf(keyTypes);
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

    /** Accepts another manager of this federation, under a CA the federation trusts now, in either direction. */
    private static final class ManagerTrustManager extends X509ExtendedTrustManager {
        private final Supplier<List<X509Certificate>> ca;
        private final String federationId;
        private volatile List<X509Certificate> builtFor;
        private volatile X509ExtendedTrustManager delegate;

        ManagerTrustManager(Supplier<List<X509Certificate>> trusted, String federationId) {
            this.ca = trusted;
            this.federationId = federationId;
        }

        private synchronized X509ExtendedTrustManager delegate() {
            List<X509Certificate> now = ca.get();
            if (!now.equals(builtFor)) {
                delegate = TlsManagers.trusting(now);
                builtFor = now;
            }
            return delegate;
        }

        private void manager(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("a manager must present its certificate");
            }
            PeerIdentity peer;
            try {
                peer = PeerIdentity.of(chain[0]);
            } catch (IllegalArgumentException e) {
                throw new CertificateException("not a mipfed certificate: " + e.getMessage(), e);
            }
            if (!Role.MANAGER.label().equals(peer.role()) || !federationId.equals(peer.federationId())) {
                throw new CertificateException("only a manager of federation " + federationId
                        + " may join the managers' Raft group, not " + chain[0].getSubjectX500Principal());
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, socket);
            manager(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, engine);
            manager(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkClientTrusted(chain, authType);
            manager(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkServerTrusted(chain, authType, socket);
            manager(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkServerTrusted(chain, authType, engine);
            manager(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkServerTrusted(chain, authType);
            manager(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate().getAcceptedIssuers();
        }
    }
}
