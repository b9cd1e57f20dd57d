package org.mipfed.core.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.mipfed.core.json.Json;

/**
 * A data model: the common data elements (CDEs) hospitals agree on, as published in a MIP
 * {@code CDEsMetadata.json}. Parsing validates the model the way mipdb does, so a node never stores
 * data under a model it could not describe.
 */
public final class DataModel {
    public static final String DATASET = "dataset";
    /** Variable codes become SQL column names (always quoted), so they are restricted to this shape. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_.\\-]{1,32}");

    private final String code;
    private final String version;
    private final String label;
    private final Map<String, Cde> cdes;
    private final String json;

    private DataModel(String code, String version, String label, Map<String, Cde> cdes, String json) {
        this.code = requireNonNull(code, "code is null");
        this.version = requireNonNull(version, "version is null");
        this.label = label;
        this.cdes = Collections.unmodifiableMap(cdes);
        this.json = json;
    }

    /** Parses and validates a CDEsMetadata.json document. */
    public static DataModel parse(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new DataModelException("The data model is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new DataModelException(
                    "The data model must be a JSON object with code, version, label, variables and groups");
        }
        String code = requiredText(root, "code", "the data model");
        String version = requiredText(root, "version", "the data model");
        if (!CODE.matcher(code).matches()) {
            throw new DataModelException("The data model code '" + code
                    + "' must be letters, digits and underscores, starting with a letter or underscore");
        }
        if (!VERSION.matcher(version).matches()) {
            throw new DataModelException("The data model version '" + version
                    + "' must be 1 to 32 letters, digits, dots, dashes or underscores");
        }
        String label = text(root, "label");
        Map<String, Cde> cdes = new LinkedHashMap<>();
        collect(root, "", "", cdes);
        Cde dataset = cdes.get(DATASET);
        if (dataset == null) {
            throw new DataModelException(
                    "The data model " + code + ":" + version
                            + " has no 'dataset' variable; every MIP data model needs one (nominal, sql_type text, with the dataset codes as enumerations)");
        }
        if (!dataset.categorical()
                || dataset.sqlType() != SqlType.TEXT
                || dataset.enumerations().isEmpty()) {
            throw new DataModelException("The 'dataset' variable of " + code + ":" + version
                    + " must be categorical, of sql_type text, with its dataset codes as enumerations");
        }
        return new DataModel(code, version, label, cdes, json);
    }

    private static void collect(JsonNode group, String path, String groupLabel, Map<String, Cde> cdes) {
        JsonNode variables = group.get("variables");
        if (variables != null && !variables.isNull()) {
            if (!variables.isArray()) {
                throw new DataModelException("'variables' of " + where(path) + " must be a list");
            }
            for (int i = 0; i < variables.size(); i++) {
                Cde cde = parseCde(variables.get(i), path + "variables[" + i + "]", groupLabel);
                if (cdes.putIfAbsent(cde.code(), cde) != null) {
                    throw new DataModelException(
                            "The variable code '" + cde.code() + "' appears twice in the data model (second at " + path
                                    + "variables[" + i + "]); codes must be unique");
                }
            }
        }
        JsonNode groups = group.get("groups");
        if (groups != null && !groups.isNull()) {
            if (!groups.isArray()) {
                throw new DataModelException("'groups' of " + where(path) + " must be a list");
            }
            for (int i = 0; i < groups.size(); i++) {
                JsonNode child = groups.get(i);
                String childPath = path + "groups[" + i + "].";
                String childCode = requiredText(child, "code", "the group at " + childPath);
                String childLabel = text(child, "label");
                String name = childLabel == null || childLabel.isBlank() ? childCode : childLabel;
                collect(child, childPath, groupLabel.isEmpty() ? name : groupLabel + " / " + name, cdes);
            }
        }
    }

    private static Cde parseCde(JsonNode node, String path, String groupLabel) {
        if (node == null || !node.isObject()) {
            throw new DataModelException("The variable at " + path + " must be a JSON object");
        }
        String code = requiredText(node, "code", "the variable at " + path);
        String where = "variable '" + code + "' (" + path + ")";
        if (!CODE.matcher(code).matches()) {
            throw new DataModelException("The code of " + where
                    + " must be letters, digits and underscores (at most 63), starting with a letter or underscore");
        }
        String label = requiredText(node, "label", where);
        SqlType sqlType = SqlType.parse(requiredText(node, "sql_type", where));
        if (sqlType == null) {
            throw new DataModelException("The sql_type of " + where + " must be one of int, real, text; it is '"
                    + text(node, "sql_type") + "'");
        }
        JsonNode categoricalNode = node.get("isCategorical");
        if (categoricalNode == null || !categoricalNode.isBoolean()) {
            throw new DataModelException("The " + where + " needs 'isCategorical': true or false");
        }
        boolean categorical = categoricalNode.booleanValue();
        Map<String, String> enumerations = new LinkedHashMap<>();
        JsonNode enums = node.get("enumerations");
        if (categorical) {
            if (enums == null || !enums.isArray() || enums.isEmpty()) {
                throw new DataModelException(
                        "The categorical " + where + " needs a non-empty 'enumerations' list of {code, label}");
            }
            for (int i = 0; i < enums.size(); i++) {
                JsonNode e = enums.get(i);
                String enumCode = requiredText(e, "code", "enumeration " + i + " of " + where);
                String enumLabel = text(e, "label");
                if (sqlType == SqlType.INT && !enumCode.matches("-?\\d+")) {
                    throw new DataModelException("The enumeration '" + enumCode + "' of " + where
                            + " is not an integer, but the variable's sql_type is int");
                }
                if (sqlType == SqlType.REAL) {
                    throw new DataModelException("The categorical " + where
                            + " has sql_type real; categorical variables must be int or text");
                }
                if (enumerations.putIfAbsent(enumCode, enumLabel == null ? enumCode : enumLabel) != null) {
                    throw new DataModelException("The enumeration code '" + enumCode + "' appears twice in " + where);
                }
            }
        } else if (enums != null && !enums.isNull() && !(enums.isArray() && enums.isEmpty())) {
            throw new DataModelException("The " + where
                    + " is not categorical but has enumerations; set isCategorical to true or remove them");
        }
        Double min = number(node, "minValue", where);
        Double max = number(node, "maxValue", where);
        if ((min != null || max != null) && (categorical || sqlType == SqlType.TEXT)) {
            throw new DataModelException("The " + where
                    + " has minValue/maxValue, which only numerical (int or real, non-categorical) variables may have");
        }
        if (min != null && max != null && min > max) {
            throw new DataModelException("The " + where + " has minValue " + min + " greater than maxValue " + max);
        }
        return new Cde(
                code,
                label,
                text(node, "description"),
                sqlType,
                categorical,
                enumerations,
                min,
                max,
                text(node, "units"),
                groupLabel);
    }

    private static String where(String path) {
        return path.isEmpty() ? "the data model" : path;
    }

    private static String requiredText(JsonNode node, String field, String where) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null
                || value.isNull()
                || !value.isValueNode()
                || value.asText().isBlank()) {
            throw new DataModelException("'" + field + "' is missing or empty in " + where);
        }
        return value.asText().trim();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Double number(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new DataModelException("'" + field + "' of " + where + " must be a number");
        }
        return value.doubleValue();
    }

    public String code() {
        return code;
    }

    public String version() {
        return version;
    }

    /** "code:version", the id used by Exareme2's API (e.g. {@code dementia:0.1}). */
    public String id() {
        return code + ":" + version;
    }

    public String label() {
        return label;
    }

    /** Every CDE by code, in the order of the data model file. */
    public Map<String, Cde> cdes() {
        return cdes;
    }

    public Cde cde(String variable) {
        return cdes.get(variable);
    }

    /** The dataset codes and labels the data model enumerates. */
    public Map<String, String> datasets() {
        return cdes.get(DATASET).enumerations();
    }

    /** The original CDEsMetadata.json text. */
    public String json() {
        return json;
    }

    public List<String> variableCodes() {
        return new ArrayList<>(cdes.keySet());
    }

    @Override
    public String toString() {
        return id();
    }
}
