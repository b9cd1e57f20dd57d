package org.mipfed.manager.api;

import java.nio.file.Path;
import org.mipfed.manager.users.OidcSettings;

/**
 * How the manager serves its HTTP port, from {@code manager start}'s options. HTTPS is the default: an address other
 * machines can reach gets a certificate from the federation's CA unless the operator brings their own or says
 * {@code --insecure-http}; only a loopback address (behind a reverse proxy, or the demo) is served plain by default.
 *
 * @param certificate with {@code key}: serve HTTPS with the operator's certificate chain (PEM)
 * @param issueCertificate serve HTTPS with a certificate the federation's CA issues for the advertise address, even
 *     on a loopback address
 * @param insecureHttp serve plain HTTP even on an address other machines can reach (warned at every start)
 * @param oidc sign-in through an OpenID Connect provider, or null
 * @param behindProxy the manager listens on loopback behind a reverse proxy that terminates TLS: believe its
 *     {@code X-Forwarded-Proto/For} (and {@code Forwarded}) headers. Off by default: without a proxy that replaces
 *     them, any client could name another address and so escape the sign-in limits per address.
 */
public record WebOptions(
        Path certificate,
        Path key,
        boolean issueCertificate,
        boolean insecureHttp,
        OidcSettings oidc,
        boolean behindProxy) {
    /** No flag: HTTPS with the CA's certificate unless the HTTP address is loopback. */
    public static final WebOptions DEFAULT = new WebOptions(null, null, false, false, null);

    /** Not behind a reverse proxy. */
    public WebOptions(Path certificate, Path key, boolean issueCertificate, boolean insecureHttp, OidcSettings oidc) {
        this(certificate, key, issueCertificate, insecureHttp, oidc, false);
    }

    public WebOptions {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException(
                    "HTTPS needs both the certificate (--http-cert) and its key (--http-key)");
        }
        if (certificate != null && issueCertificate) {
            throw new IllegalArgumentException(
                    "Choose either your own certificate (--http-cert, --http-key) or one issued by the federation's CA (--https), not both");
        }
        if (insecureHttp && (certificate != null || issueCertificate)) {
            throw new IllegalArgumentException(
                    "--insecure-http serves plain HTTP; it cannot be combined with --https or --http-cert/--http-key. Choose one.");
        }
        if (behindProxy && (insecureHttp || certificate != null || issueCertificate)) {
            throw new IllegalArgumentException(
                    "--behind-proxy means the reverse proxy terminates TLS and the manager listens on loopback in plain HTTP; "
                            + "it cannot be combined with --insecure-http, --https or --http-cert/--http-key");
        }
    }

    /**
     * Whether the federation's CA issues the HTTPS certificate: asked for with {@code --https}, or by default when
     * the HTTP address is reachable from other machines and neither the operator's certificate nor
     * {@code --insecure-http} is given.
     */
    public boolean issuesCertificate(boolean loopbackOnly) {
        return issueCertificate || certificate == null && !insecureHttp && !loopbackOnly;
    }
}
