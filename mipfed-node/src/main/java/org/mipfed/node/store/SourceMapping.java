package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;

/**
 * How an attached source's columns and codes map onto a data model, from a {@code mapping.json}:
 *
 * <pre>{@code
 * {"columns": {"lefthippocampus": "left_hippocampus_vol", "dataset": "cohort"},
 *  "codes":   {"gender": {"F": "F", "female": "F", "male": "M"}}}
 * }</pre>
 *
 * A variable not named in {@code columns} is read from the source column of its own code; one mapped
 * to {@code null} is absent from the source (always missing). {@code codes} maps a nominal
 * variable's source codes to the data model's levels; a source code not listed is read as it is.
 *
 * @param columns data-model code to source column (a null value: the source has no such column)
 * @param codes data-model code to (source code to data-model level)
 */
public record SourceMapping(Map<String, String> columns, Map<String, Map<String, String>> codes) {
    public static final SourceMapping IDENTITY = new SourceMapping(Map.of(), Map.of());

    public SourceMapping {
        columns =
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(columns, "columns is null")));
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        requireNonNull(codes, "codes is null").forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        codes = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * Reads a mapping file's text and checks it against the data model.
     *
     * @param where names the file in messages
     * @throws StoreException naming the entry that is wrong and what to do
     */
    public static SourceMapping parse(String json, String where, DataModel model) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException(
                    where + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new StoreException(where + " must be a JSON object with \"columns\" and/or \"codes\"");
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!name.equals("columns") && !name.equals("codes")) {
                throw new StoreException(
                        where + " has the key '" + name + "'; only \"columns\" and \"codes\" are understood");
            }
        });
        Map<String, String> columns = new LinkedHashMap<>();
        JsonNode columnsNode = root.path("columns");
        if (!columnsNode.isMissingNode()) {
            if (!columnsNode.isObject()) {
                throw new StoreException(where + ": \"columns\" must map data-model codes to source column names");
            }
            columnsNode.properties().forEach(e -> {
                requireVariable(model, e.getKey(), where + " \"columns\"");
                if (e.getValue().isNull()) {
                    columns.put(e.getKey(), null);
                } else if (e.getValue().isTextual()) {
                    columns.put(e.getKey(), SourceNames.column(e.getValue().asText(), where));
                } else {
                    throw new StoreException(where + ": \"columns\"." + e.getKey()
                            + " must be a source column name (text) or null (no such column in the source)");
                }
            });
        }
        Map<String, Map<String, String>> codes = new LinkedHashMap<>();
        JsonNode codesNode = root.path("codes");
        if (!codesNode.isMissingNode()) {
            if (!codesNode.isObject()) {
                throw new StoreException(where + ": \"codes\" must map nominal variables to {source code: level}");
            }
            codesNode.properties().forEach(e -> {
                Cde cde = requireVariable(model, e.getKey(), where + " \"codes\"");
                if (!cde.categorical()) {
                    throw new StoreException(where + ": \"codes\"." + e.getKey()
                            + " maps codes of a variable that is not nominal; remove it");
                }
                if (!e.getValue().isObject()) {
                    throw new StoreException(
                            where + ": \"codes\"." + e.getKey() + " must be an object {source code: level}");
                }
                Map<String, String> levels = new LinkedHashMap<>();
                e.getValue().properties().forEach(level -> {
                    String target = level.getValue().asText();
                    if (!level.getValue().isValueNode() || !cde.enumerations().containsKey(target)) {
                        throw new StoreException(where + ": \"codes\"." + e.getKey() + " maps '" + level.getKey()
                                + "' to '" + level.getValue() + "', which is not a level of " + e.getKey()
                                + " (its levels: "
                                + String.join(", ", cde.enumerations().keySet()) + ")");
                    }
                    levels.put(level.getKey(), target);
                });
                codes.put(e.getKey(), levels);
            });
        }
        return new SourceMapping(columns, codes);
    }

    private static Cde requireVariable(DataModel model, String code, String where) {
        Cde cde = model.cde(code);
        if (cde == null) {
            throw new StoreException(where + " names '" + code + "', which is not a variable of the data model "
                    + model.id() + "; use the data model's codes on the left side");
        }
        return cde;
    }

    /** This mapping with the dataset read from {@code column}. */
    public SourceMapping withDatasetColumn(String column) {
        Map<String, String> copy = new LinkedHashMap<>(columns);
        copy.put(DataModel.DATASET, column);
        return new SourceMapping(copy, codes);
    }

    /** Whether the mapping names the variable at all (else the source column has the variable's code). */
    boolean maps(String code) {
        return columns.containsKey(code);
    }

    /** The source column of a variable, null if the source has none. */
    String column(String code) {
        return columns.containsKey(code) ? columns.get(code) : code;
    }

    ObjectNode toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode c = root.putObject("columns");
        columns.forEach(c::put);
        ObjectNode k = root.putObject("codes");
        codes.forEach((code, levels) -> {
            ObjectNode l = k.putObject(code);
            levels.forEach(l::put);
        });
        return root;
    }

    static SourceMapping fromJson(JsonNode node) {
        Map<String, String> columns = new LinkedHashMap<>();
        node.path("columns")
                .properties()
                .forEach(e -> columns.put(
                        e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        Map<String, Map<String, String>> codes = new LinkedHashMap<>();
        node.path("codes").properties().forEach(e -> {
            Map<String, String> levels = new LinkedHashMap<>();
            e.getValue()
                    .properties()
                    .forEach(l -> levels.put(l.getKey(), l.getValue().asText()));
            codes.put(e.getKey(), levels);
        });
        return new SourceMapping(columns, codes);
    }
}
