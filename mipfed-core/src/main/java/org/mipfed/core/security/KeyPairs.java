package org.mipfed.core.security;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** The one kind of key mipfed makes: EC P-256, signing with ECDSA over SHA-256. */
public final class KeyPairs {
    /** The JCA name of the signature every mipfed key makes (certificates, CSRs). */
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private static final String CURVE = "secp256r1";

    private KeyPairs() {}

    /** A fresh EC P-256 key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            // P-256 is required of every Java platform
            throw new IllegalStateException("cannot generate an EC " + CURVE + " key: " + e.getMessage(), e);
        }
    }
}
