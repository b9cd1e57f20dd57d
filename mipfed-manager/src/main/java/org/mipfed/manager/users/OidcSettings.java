package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Sign-in through an OpenID Connect provider (the organisation's identity provider): its issuer URL, this manager's
 * client id there, and the client secret for a confidential client (null for a public client, PKCE only).
 */
public record OidcSettings(URI issuer, String clientId, String clientSecret) {
    public OidcSettings {
        requireNonNull(issuer, "issuer is null");
        requireNonNull(clientId, "clientId is null");
        if (!"https".equals(issuer.getScheme()) && !"http".equals(issuer.getScheme())) {
            throw new IllegalArgumentException("The OpenID Connect issuer is an http(s) URL, not '" + issuer + "'");
        }
    }
}
