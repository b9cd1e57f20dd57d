package org.mipfed.manager.ca;

import org.mipfed.core.security.Base36;

/** Node (and federation) ids: 25 random characters of {@code [0-9a-z]}, like Docker's node ids. */
public final class NodeIds {
    public static final int LENGTH = 25;

    private NodeIds() {}

    /** A new random id; 129 bits, so ids never collide in practice and cannot be guessed. */
    public static String newId() {
        return Base36.random(LENGTH);
    }
}
