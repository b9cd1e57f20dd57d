package org.mipfed.manager.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.mipfed.core.security.PeerIdentity;

/**
 * Puts the caller's {@link PeerIdentity} into the gRPC {@link Context} as {@link #PEER}, read from the client
 * certificate the TLS handshake verified against the federation's CA. It rejects nothing: a call without a
 * certificate (joining) simply has no {@code PEER}, and each service decides what it requires.
 */
public final class PeerCertificateInterceptor implements ServerInterceptor {
    /** The verified caller, or {@code null} when it presented no certificate. */
    public static final Context.Key<PeerIdentity> PEER = Context.key("mipfed-peer");
    /** The verified caller's certificate, set together with {@link #PEER}. */
    public static final Context.Key<X509Certificate> PEER_CERTIFICATE = Context.key("mipfed-peer-certificate");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        X509Certificate leaf = leafOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        PeerIdentity peer = leaf == null ? null : identityOf(leaf);
        if (peer == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(
                Context.current().withValues(PEER, peer, PEER_CERTIFICATE, leaf), call, headers, next);
    }

    private static X509Certificate leafOf(SSLSession session) {
        if (session == null) {
            return null;
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            // the client sent no certificate: a node that is joining
            return null;
        }
        return chain.length == 0 || !(chain[0] instanceof X509Certificate leaf) ? null : leaf;
    }

    private static PeerIdentity identityOf(X509Certificate leaf) {
        try {
            return PeerIdentity.of(leaf);
        } catch (IllegalArgumentException e) {
            // signed by our CA but not a node certificate (e.g. the manager's own): no node identity
            return null;
        }
    }
}
