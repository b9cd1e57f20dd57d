package org.mipfed.core.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.text.EditDistance;

/**
 * Reads a configuration file strictly ({@link Json#strict()}) and turns every mistake into one
 * message an operator can act on: the file, the key (as a path such as {@code privacy.min_rows}),
 * what is wrong and what to write instead. A process that cannot read its configuration must not
 * start with a guess: an ignored misspelled privacy key or a rounded {@code min_rows} weakens the
 * node without anyone knowing.
 */
public final class ConfigFile {
    private ConfigFile() {}

    /**
     * Reads {@code file} as a {@code type}.
     *
     * @throws Problem (422, "Invalid configuration") naming the file, the key and the fix; with
     *     status 500 if the file cannot be read at all
     */
    public static <T> T read(Path file, Class<T> type) {
        requireNonNull(file, "file is null");
        requireNonNull(type, "type is null");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Problem(ProblemType.CANNOT_READ_CONFIGURATION, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return Json.strict().readValue(bytes, type);
        } catch (UnrecognizedPropertyException e) {
            throw invalid(file, explain(e));
        } catch (JsonMappingException e) {
            // Jackson builds a record before it looks at unknown keys, so a misspelled required key first shows as a
            // missing
            // value: name the misspelling when there is one, since that is the mistake to fix.
            throw invalid(file, unknownKey(bytes, type).orElseGet(() -> explain(e)));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw invalid(
                    file,
                    (at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ")
                            + "this is not valid JSON (" + e.getOriginalMessage()
                            + "); correct the syntax (a missing comma or quote, a trailing comma, a key given twice)");
        } catch (IOException e) {
            throw new Problem(ProblemType.CANNOT_READ_CONFIGURATION, "Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The error for a value that parsed but is not acceptable (e.g. below a safe floor), in the same words. */
    public static Problem invalid(Path file, String what) {
        return new Problem(
                ProblemType.INVALID_CONFIGURATION,
                file + ": " + what + ". Nothing was started; correct the file and start again");
    }

    private static String explain(JsonMappingException e) {
        String key = path(e);
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = known(unknown.getKnownPropertyIds());
            String near = closest(unknown.getPropertyName(), unknown.getKnownPropertyIds());
            return "the key '" + key + "' is unknown" + (near == null ? "." : "; did you mean '" + near + "'?")
                    + " Rename or remove it (keys known there: " + known + ")";
        }
        if (e instanceof ValueInstantiationException && e.getCause() != null) {
            String where = key.isEmpty() ? "" : "in '" + key + "': ";
            return where + e.getCause().getMessage();
        }
        if (e instanceof InvalidFormatException format) {
            return "'" + key + "' must be " + expected(format.getTargetType()) + ", not " + shown(format.getValue());
        }
        if (e instanceof MismatchedInputException mismatch
                && mismatch.getTargetType() != null
                && e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Cannot map `null`")) {
            return "'" + key + "' is missing; write it as " + expected(mismatch.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "'" + key + "' must be " + expected(mismatch.getTargetType()) + " ("
                    + firstLine(e.getOriginalMessage()) + ")";
        }
        return (key.isEmpty() ? "" : "'" + key + "': ") + firstLine(e.getOriginalMessage());
    }

    /** The first key of the file that {@code type} does not declare (at any depth), explained; only when binding failed. */
    private static Optional<String> unknownKey(byte[] bytes, Class<?> type) {
        try {
            JsonNode tree = Json.strict().readTree(bytes);
            return unknownKey(tree, Json.strict().constructType(type), "");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> unknownKey(JsonNode node, JavaType type, String path) {
        if (node.isArray() && type.isContainerType() && type.getContentType() != null) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> found = unknownKey(node.get(i), type.getContentType(), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        }
        if (!node.isObject()
                || type.isContainerType()
                || type.isPrimitive()
                || type.getRawClass().getName().startsWith("java.")) {
            return Optional.empty();
        }
        BeanDescription bean = Json.strict().getDeserializationConfig().introspect(type);
        Map<String, JavaType> declared = new LinkedHashMap<>();
        for (BeanPropertyDefinition property : bean.findProperties()) {
            declared.put(property.getName(), property.getPrimaryType());
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JavaType fieldType = declared.get(field.getKey());
            if (fieldType == null) {
                if (bean.getIgnoredPropertyNames().contains(field.getKey())) {
                    continue;
                }
                List<Object> known = new ArrayList<>(declared.keySet());
                String near = closest(field.getKey(), known);
                return Optional.of(
                        "the key '" + key + "' is unknown" + (near == null ? "." : "; did you mean '" + near + "'?")
                                + " Rename or remove it (keys known there: " + known(known) + ")");
            }
            Optional<String> found = unknownKey(field.getValue(), fieldType, key);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number (e.g. 10, without a fraction or quotes)";
        }
        if (type == double.class || type == Double.class) {
            return "a number (e.g. 0.33, without quotes)";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false (without quotes)";
        }
        if (type == String.class) {
            return "text in double quotes";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list [\"…\", …]";
        }
        return "a " + type.getSimpleName();
    }

    private static String shown(Object value) {
        String text = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not acceptable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String known(Collection<Object> ids) {
        TreeSet<String> names = new TreeSet<>();
        ids.forEach(id -> names.add(String.valueOf(id)));
        return String.join(", ", names);
    }

    /** The known key nearest to {@code name} by edit distance, ignoring case, if it is near enough to be a slip. */
    static String closest(String name, Collection<Object> known) {
        String target = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Object id : known) {
            String candidate = String.valueOf(id);
            String lower = candidate.toLowerCase(Locale.ROOT);
            // minRows for min_rows counts as a slip of one character, not of two
            int distance = Math.min(
                    EditDistance.between(target, lower),
                    1 + EditDistance.between(target.replace("_", ""), lower.replace("_", "")));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? best : null;
    }
}
