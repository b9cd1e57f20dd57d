package org.mipfed.node.tls;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.TlsManagers;

/**
 * Trusts a manager, for joining only, by the CA digest in the join token (as {@code docker swarm join} does).
 * The manager sends its CA certificate in its chain; this trust manager accepts the chain iff one of its
 * certificates has the token's digest, is a CA and is current, and the manager's certificate chains up to it
 * (signatures, dates, TLS server usage, and the host name when the engine asks for it). The check runs in the
 * TLS handshake, before the join token is sent. The CA found is kept ({@link #pinnedCa()}) for the node to store.
 */
public final class PinnedCaTrustManager extends X509ExtendedTrustManager {
    static final String MISMATCH =
            "the manager's CA does not match the digest in the join token: wrong token or man-in-the-middle";

    private final String caDigest;
    private volatile X509Certificate pinned;
    private volatile String mismatch;

    /** @param caDigest the CA digest of the join token ({@code JoinToken.digest()}) */
    public PinnedCaTrustManager(String caDigest) {
        requireNonNull(caDigest, "caDigest is null");
        if (!CaDigest.isDigest(caDigest)) {
            throw new IllegalArgumentException("a CA digest is 64 lowercase hex characters");
        }
        this.caDigest = caDigest;
    }

    /** The CA certificate the manager presented and that matched the digest, once a handshake succeeded. */
    public Optional<X509Certificate> pinnedCa() {
        return Optional.ofNullable(pinned);
    }

    /** Why the last manager chain was refused, or {@code null} if none was. */
    public String mismatch() {
        return mismatch;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, authType, anchored -> anchored.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, authType, anchored -> anchored.checkServerTrusted(chain, authType, socket));
    }

    /** Without an engine or socket there is no host to verify: the chain is checked, the host name is not. */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, authType, anchored -> {});
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a join trust manager checks a manager, never a client");
    }

    /** Names no issuer: a node that is joining has no certificate to offer anyway. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private X509Certificate findCa(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw refuse("the manager presented no certificate");
        }
        for (X509Certificate certificate : chain) {
            // the digest is public (it is in the token's clear text), so a plain comparison leaks nothing
            if (caDigest.equals(CaDigest.of(certificate))) {
                if (certificate.getBasicConstraints() < 0) {
                    throw refuse("the certificate with the token's digest is not a CA certificate");
                }
                return certificate;
            }
        }
        throw refuse("no certificate in the manager's chain has the digest " + caDigest);
    }

    private void check(X509Certificate[] chain, String authType, HostCheck hostCheck) throws CertificateException {
        X509Certificate ca = findCa(chain);
        try {
            // the JDK does not check a trust anchor's dates, so check the pinned CA's here
            ca.checkValidity();
        } catch (CertificateException e) {
            throw refuse("the CA with the token's digest is not valid now: " + e.getMessage(), e);
        }
        X509ExtendedTrustManager anchored = TlsManagers.trustingOnly(ca);
        try {
            anchored.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refuse(
                    "the manager's certificate does not verify against the CA with the token's digest: "
                            + e.getMessage(),
                    e);
        }
        try {
            // the same validation again, now with the engine, which adds the host name check gRPC asks for
            hostCheck.run(anchored);
        } catch (CertificateException e) {
            mismatch = "the manager's certificate is not valid for the address dialled: " + e.getMessage();
            throw new CertificateException(
                    mismatch
                            + "; dial the address the manager advertises (or localhost / 127.0.0.1 on its own machine)",
                    e);
        }
        pinned = ca;
        mismatch = null;
    }

    private CertificateException refuse(String reason) {
        return refuse(reason, null);
    }

    private CertificateException refuse(String reason, Throwable cause) {
        mismatch = reason;
        return new CertificateException(MISMATCH + " (" + reason + ")", cause);
    }

    @FunctionalInterface
    private interface HostCheck {
        void run(X509ExtendedTrustManager anchored) throws CertificateException;
    }
}
