package org.mipfed.algorithms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.request.AnalysisRequest;

/** Small hand-made data sets and requests for flow tests. */
public final class Rows {
    private Rows() {}

    /** A row from alternating names and values (null for missing); numbers become Double. */
    public static Map<String, Object> row(Object... namesAndValues) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            row.put((String) namesAndValues[i], value instanceof Number number ? (Object) number.doubleValue() : value);
        }
        return row;
    }

    /** Rows of one dataset, each given as alternating names and values. */
    public static List<Map<String, Object>> dataset(String dataset, Object[]... rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object[] values : rows) {
            Map<String, Object> row = row(values);
            row.put(DataModel.DATASET, dataset);
            out.add(row);
        }
        return out;
    }

    /** An Exareme2 request body on dementia:0.1. */
    public static AnalysisRequest request(List<String> datasets, List<String> x, List<String> y) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode input = body.putObject("inputdata");
        input.put("data_model", "dementia:0.1");
        datasets.forEach(input.putArray("datasets")::add);
        x.forEach(input.putArray("x")::add);
        y.forEach(input.putArray("y")::add);
        body.putObject("parameters");
        return AnalysisRequest.fromJson(body);
    }
}
