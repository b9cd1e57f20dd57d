package org.mipfed.manager.api;

import java.nio.file.Path;
import org.mipfed.manager.users.OidcSettings;

/**
 * How the manager serves its HTTP port, from {@code manager start}'s options.
 *
 * @param certificate with {@code key}: serve HTTPS with the operator's certificate chain (PEM)
 * @param issueCertificate serve HTTPS with a certificate the federation's CA issues for the advertise address
 * @param oidc sign-in through an OpenID Connect provider, or null
 */
public record WebOptions(Path certificate, Path key, boolean issueCertificate, OidcSettings oidc) {
    public static final WebOptions PLAIN = new WebOptions(null, null, false, null);

    public WebOptions {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("HTTPS needs both the certificate (--http-cert) and its key (--http-key)");
        }
        if (certificate != null && issueCertificate) {
            throw new IllegalArgumentException("Choose either your own certificate (--http-cert, --http-key) or one issued by the federation's CA (--https), not both");
        }
    }

    public boolean https() {
        return certificate != null || issueCertificate;
    }
}
