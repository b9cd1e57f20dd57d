package org.mipfed.manager.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code mipfed manager ca}: the CA rotation as the API sees it. The server adapts its rotation to this, so that the
 * API does not depend on how the CA is kept.
 */
public interface CaAdministration {
    JsonNode status();

    JsonNode rotate();

    JsonNode finish();
}
