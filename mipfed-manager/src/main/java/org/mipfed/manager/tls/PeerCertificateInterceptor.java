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

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        PeerIdentity peer = peerOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (peer == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
    }

    private static PeerIdentity peerOf(SSLSession session) {
        if (session == null) {
            return null;
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        }
        catch (SSLPeerUnverifiedException e) {
            // the client sent no certificate: a node that is joining
            return null;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return null;
        }
        try {
            return PeerIdentity.of(leaf);
        }
        catch (IllegalArgumentException e) {
            // signed by our CA but not a node certificate (e.g. the manager's own): no node identity
            return null;
        }
    }
}
