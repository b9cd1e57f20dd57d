package org.mipfed.manager.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;

/** How every resource reads a JSON request body and writes a JSON answer: one place for the body's refusals. */
final class JsonBodies {
    private JsonBodies() {}

    /** The request's JSON body; a missing, oversized or malformed one is refused with where it went wrong. */
    static JsonNode read(Context ctx) {
        // Parsed from the bytes as they came (UTF-8), without decoding them into a String first.
        byte[] bytes = ctx.bodyAsBytes();
        if (blank(bytes)) {
            throw Problem.badRequest("The request needs a JSON body");
        }
        try {
            return Json.mapper().readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw Problem.badRequest(
                    "The request body goes beyond what the manager reads: JSON nested deeper than 1000 levels, a number "
                            + "longer than 1000 digits or a string longer than 20 million characters");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw Problem.badRequest("The request body is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            // bytes that are no JSON text in any encoding the parser detects (e.g. a broken UTF-32 sequence)
            throw Problem.badRequest("The request body is not valid JSON text in UTF-8: " + e.getMessage());
        }
    }

    /** Whether a body holds nothing but JSON's whitespace (an empty one too). */
    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** A text field of the JSON body for the audit trail, or "" when the body has none (the handler then refuses it). */
    static String textField(Context ctx, String field) {
        try {
            JsonNode value = Json.mapper().readTree(ctx.body()).get(field);
            return value != null && value.isTextual() ? value.asText() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** The names of the JSON body's fields (which settings a change touches; never their values). */
    static List<String> fieldNames(Context ctx) {
        try {
            List<String> names = new ArrayList<>();
            Json.mapper().readTree(ctx.body()).fieldNames().forEachRemaining(names::add);
            return names;
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Writes {@code body} as UTF-8 bytes straight from the tree (no String of it in between). */
    static void write(Context ctx, JsonNode body) {
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON answer: " + e.getOriginalMessage(), e);
        }
        ctx.contentType("application/json").result(bytes);
    }
}
