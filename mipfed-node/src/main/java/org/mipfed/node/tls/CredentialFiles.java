package org.mipfed.node.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The three files of a node's identity: its key, its certificate and the CA certificates it trusts. The data
 * directory's layout ({@code NodePaths}) hands these over, so that {@code tls} does not depend on the node's root
 * package, which depends on it.
 */
public record CredentialFiles(Path key, Path certificate, Path caCertificate) {
    public CredentialFiles {
        requireNonNull(key, "key is null");
        requireNonNull(certificate, "certificate is null");
        requireNonNull(caCertificate, "caCertificate is null");
    }
}
