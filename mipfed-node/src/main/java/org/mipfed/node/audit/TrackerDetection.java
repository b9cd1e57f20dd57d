package org.mipfed.node.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.mipfed.core.json.Json;

/**
 * Looks in a node's audit log for trackers: answered requests of one requester that each pass every
 * privacy rule but whose row counts combine into a handful of rows. The classic (Denning) tracker asks
 * over all rows, over "P or T" and over "P or not T": each answer is large and far from the others,
 * yet the first two summed minus the third describe P alone. Exact answers cannot prevent that; the
 * audit log, which names the requester, the data and the rows used of every answer, shows it.
 *
 * <p>The rule, kept simple and explainable: among one requester's answered requests of one primitive
 * over the same data model, datasets and variables, three requests a, b and c (at least one of a and b
 * filtered) whose row counts give {@code n_a + n_b - n_c} between 1 and the node's minimum of rows
 * minus 1 are flagged. Two requests differing by so few rows the node refuses already (differencing),
 * so pairs are not looked at. Ordinary work (the same analysis over all rows, over complementary
 * filters such as F and M, over growing datasets) gives sums of 0 or of many rows and is not flagged;
 * a tracker built with more queries, or with sizes padded beyond the minimum, can escape this rule.
 */
public final class TrackerDetection {
    private TrackerDetection() {}

    /**
     * Requests that together may describe fewer rows than the node's minimum.
     *
     * @param requestIds the three requests: a and b (added) and c (subtracted)
     * @param rows their row counts, in the same order
     */
    public record Finding(
            String requester,
            String dataModel,
            String primitive,
            List<String> datasets,
            List<String> variables,
            List<String> requestIds,
            List<Long> rows) {
        public Finding {
            requireNonNull(requester, "requester is null");
            requireNonNull(dataModel, "dataModel is null");
            requireNonNull(primitive, "primitive is null");
            datasets = List.copyOf(datasets);
            variables = List.copyOf(variables);
            requestIds = List.copyOf(requestIds);
            rows = List.copyOf(rows);
        }

        /** One line for an operator. */
        public String describe() {
            return requester + ": " + primitive + " of " + String.join(", ", variables) + " in " + dataModel + " "
                    + String.join(", ", datasets)
                    + ": requests " + requestIds.get(0) + " (" + rows.get(0) + " rows) + " + requestIds.get(1) + " ("
                    + rows.get(1) + " rows) - "
                    + requestIds.get(2) + " (" + rows.get(2) + " rows) describe "
                    + (rows.get(0) + rows.get(1) - rows.get(2)) + " rows";
        }
    }

    private record Request(String id, long rows, boolean filtered) {}

    /** Reads the audit log (one JSON object per line) and looks for trackers. */
    public static List<Finding> scan(Path auditLog, int minRows) {
        Map<List<Object>, List<Request>> byAnalysis = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(auditLog, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = Json.mapper().readTree(line);
                if (!AuditEntry.ANSWERED.equals(entry.path("outcome").asText())
                        || entry.path("rows_used").asLong() <= 0) {
                    continue;
                }
                List<Object> key = List.of(
                        entry.path("requester").asText(),
                        entry.path("data_model").asText(),
                        entry.path("primitive").asText(),
                        sorted(entry.path("datasets")),
                        sorted(entry.path("variables")));
                byAnalysis
                        .computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new Request(
                                entry.path("request_id").asText(),
                                entry.path("rows_used").asLong(),
                                !entry.path("filter_variables").isEmpty()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + auditLog + ": " + e.getMessage(), e);
        }
        List<Finding> findings = new ArrayList<>();
        byAnalysis.forEach((key, requests) -> find(requests, minRows).ifPresent(found -> {
            @SuppressWarnings("unchecked")
            List<String> datasets = (List<String>) key.get(3);
            @SuppressWarnings("unchecked")
            List<String> variables = (List<String>) key.get(4);
            findings.add(new Finding(
                    (String) key.get(0),
                    (String) key.get(1),
                    (String) key.get(2),
                    datasets,
                    variables,
                    List.of(found[0].id(), found[1].id(), found[2].id()),
                    List.of(found[0].rows(), found[1].rows(), found[2].rows())));
        }));
        return findings;
    }

    /** The first a, b, c (distinct requests, a or b filtered) with n_a + n_b - n_c in [1, minRows - 1]. */
    private static Optional<Request[]> find(List<Request> requests, int minRows) {
        // One request per distinct (rows, filtered): repeats of a flow's rounds add nothing.
        Map<List<Object>, Request> distinct = new LinkedHashMap<>();
        requests.forEach(r -> distinct.putIfAbsent(List.of(r.rows(), r.filtered()), r));
        List<Request> unique = new ArrayList<>(distinct.values());
        if (unique.size() < 3) {
            return Optional.empty();
        }
        NavigableMap<Long, List<Request>> bySize = new TreeMap<>();
        unique.forEach(
                r -> bySize.computeIfAbsent(r.rows(), k -> new ArrayList<>()).add(r));
        for (int i = 0; i < unique.size(); i++) {
            for (int j = i + 1; j < unique.size(); j++) {
                Request a = unique.get(i);
                Request b = unique.get(j);
                if (!a.filtered() && !b.filtered()) {
                    continue;
                }
                long sum = a.rows() + b.rows();
                for (List<Request> candidates :
                        bySize.subMap(sum - minRows + 1, true, sum - 1, true).values()) {
                    for (Request c : candidates) {
                        if (c != a && c != b) {
                            return Optional.of(new Request[] {a, b, c});
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> sorted(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        values.sort(null);
        return values;
    }
}
