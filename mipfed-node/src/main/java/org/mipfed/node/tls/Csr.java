package org.mipfed.node.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.mipfed.core.security.KeyPairs;

/** The certificate signing request a node sends when it joins. */
public final class Csr {
    private Csr() {}

    /**
     * A PKCS#10 request (DER) for {@code keys}, signed with its private key. The subject {@code CN=<hostname>}
     * is informative only: the manager's CA replaces it with the node's id, role and federation.
     */
    public static byte[] create(KeyPair keys, String hostname) {
        requireNonNull(keys, "keys is null");
        requireNonNull(hostname, "hostname is null");
        if (hostname.isBlank()) {
            throw new IllegalArgumentException("hostname is blank");
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, hostname.strip())
                .build();
        try {
            return new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(keys.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException e) {
            throw new IllegalArgumentException(
                    "cannot sign a certificate request with a "
                            + keys.getPrivate().getAlgorithm() + " key: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            // encoding into memory does not fail
            throw new UncheckedIOException(e);
        }
    }
}
