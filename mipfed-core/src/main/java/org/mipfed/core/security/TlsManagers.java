package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** The key and trust managers of mipfed's TLS connections, the same on the manager's side and the nodes'. */
public final class TlsManagers {
    private TlsManagers() {}

    /**
     * A key manager that always presents {@code chain} (leaf first) with {@code key}, whatever CA names the
     * peer asks for. A process has exactly one identity; presenting it unconditionally makes a certificate
     * from the wrong CA fail loudly in the handshake instead of silently connecting without one.
     */
    public static X509ExtendedKeyManager keyManager(PrivateKey key, X509Certificate... chain) {
        return new SingleIdentityKeyManager(key, chain);
    }

    /**
     * A trust manager whose only anchor is {@code ca}: the JDK's PKIX validation (signatures, validity dates,
     * key usage and extended key usage for the TLS side) and, when the TLS engine asks for it, host name
     * verification against the peer certificate's subject alternative names.
     */
    public static X509ExtendedTrustManager trustingOnly(X509Certificate ca) {
        requireNonNull(ca, "ca is null");
        return trusting(List.of(ca));
    }

    /**
     * A trust manager whose anchors are exactly {@code cas}, as {@link #trustingOnly}: while a federation moves to a
     * new CA, its members trust the old one and the new one.
     */
    public static X509ExtendedTrustManager trusting(Collection<X509Certificate> cas) {
        requireNonNull(cas, "cas is null");
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("a trust manager needs at least one CA");
        }
        X509Certificate ca = cas.iterator().next();
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            int i = 0;
            for (X509Certificate anchor : cas) {
                anchors.setCertificateEntry("ca-" + i++, requireNonNull(anchor, "a CA is null"));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(anchors);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(
                    "cannot build a trust manager for " + ca.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
    }

    private static final class SingleIdentityKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "mipfed";

        private final PrivateKey key;
        private final X509Certificate[] chain;

        SingleIdentityKeyManager(PrivateKey key, X509Certificate... chain) {
            this.key = requireNonNull(key, "key is null");
            requireNonNull(chain, "chain is null");
            if (chain.length == 0 || Arrays.asList(chain).contains(null)) {
                throw new IllegalArgumentException(
                        "the certificate chain must hold the leaf certificate first, and no null");
            }
            this.chain = chain.clone();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return fits(keyType) ? new String[] {ALIAS} : null;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return chooseClient(keyTypes);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return chooseClient(keyTypes);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return fits(keyType) ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return fits(keyType) ? ALIAS : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }

        private String chooseClient(String[] keyTypes) {
            if (keyTypes != null) {
                for (String keyType : keyTypes) {
                    if (fits(keyType)) {
                        return ALIAS;
                    }
                }
            }
            return null;
        }

        // TLS stacks ask by key type: "EC" (JDK, TLS 1.3), "EC_EC" (TLS 1.2 style, also used by Netty's OpenSSL)
        private boolean fits(String keyType) {
            String algorithm = key.getAlgorithm();
            return keyType != null && (keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"));
        }
    }
}
