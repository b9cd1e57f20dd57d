package org.mipfed.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.DataModelException;
import org.mipfed.node.store.AttachedSource;
import org.mipfed.node.store.AttachedSources;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.SourceMapping;
import org.mipfed.node.store.StoreException;
import org.mipfed.node.store.StoredDataModel;
import org.mipfed.node.store.StoredDataset;

/**
 * {@code mipfed data attach/detach/ls} on a node's store, as JSON: the same code serves a stopped node
 * (from the CLI) and a running one (over its control socket, which also tells the manager at once).
 */
public final class NodeAttachments {
    private NodeAttachments() {}

    /**
     * What to attach, as the CLI gives it (and as the control socket carries it, paths absolute).
     *
     * @param mapping the mapping.json file, or null for the data model's own codes
     * @param rowKey the source's unique integer column, or null
     * @param datasetColumn the source's dataset column, or null (the mapping's, else {@code dataset})
     */
    public record Request(
            Path dataModel,
            AttachedSource.Kind kind,
            String source,
            Path mapping,
            String rowKey,
            String datasetColumn) {
        public ObjectNode toJson() {
            ObjectNode json = Json.mapper()
                    .createObjectNode()
                    .put("op", "attach")
                    .put("data_model", dataModel.toAbsolutePath().toString())
                    .put("kind", kind.wireName())
                    .put("source", source)
                    .put(
                            "mapping",
                            mapping == null ? null : mapping.toAbsolutePath().toString())
                    .put("row_key", rowKey)
                    .put("dataset_column", datasetColumn);
            return json;
        }

        public static Request fromJson(JsonNode json) {
            return new Request(
                    Path.of(json.path("data_model").asText()),
                    AttachedSource.Kind.valueOf(json.path("kind").asText().toUpperCase(Locale.ROOT)),
                    json.path("source").asText(),
                    text(json, "mapping") == null ? null : Path.of(text(json, "mapping")),
                    text(json, "row_key"),
                    text(json, "dataset_column"));
        }

        private static String text(JsonNode json, String field) {
            JsonNode value = json.path(field);
            return value.isNull() || value.isMissingNode() ? null : value.asText();
        }
    }

    /**
     * Attaches and validates; returns what {@link #list} shows of the model.
     *
     * @throws StoreException saying what is wrong (an unreadable file, a column the source lacks…)
     */
    public static ObjectNode attach(DataStore store, AttachedSources sources, Request request) {
        DataModel model;
        try {
            model = DataModel.parse(Files.readString(request.dataModel(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreException("Cannot read the data model " + request.dataModel() + ": " + e.getMessage(), e);
        } catch (DataModelException e) {
            throw new StoreException(request.dataModel().getFileName() + ": " + e.getMessage(), e);
        }
        SourceMapping mapping = SourceMapping.IDENTITY;
        if (request.mapping() != null) {
            try {
                mapping = SourceMapping.parse(
                        Files.readString(request.mapping(), StandardCharsets.UTF_8),
                        request.mapping().toString(),
                        model);
            } catch (IOException e) {
                throw new StoreException("Cannot read the mapping " + request.mapping() + ": " + e.getMessage(), e);
            }
        }
        if (request.datasetColumn() != null) {
            mapping = mapping.withDatasetColumn(request.datasetColumn());
        }
        sources.attach(
                model, new AttachedSource(model.id(), request.kind(), request.source(), mapping, request.rowKey()));
        return describe(store.dataModel(model.id()).orElseThrow());
    }

    /** Every data model of the store: where its rows come from, its datasets, and for a source its last check. */
    public static ArrayNode list(DataStore store) {
        ArrayNode out = Json.mapper().createArrayNode();
        store.dataModels().forEach(m -> out.add(describe(m)));
        return out;
    }

    static ObjectNode describe(StoredDataModel stored) {
        ObjectNode json = Json.mapper().createObjectNode().put("data_model", stored.id());
        ObjectNode datasets = json.putObject("datasets");
        for (StoredDataset dataset : stored.datasets()) {
            datasets.put(dataset.code(), dataset.rows());
        }
        if (!stored.attached()) {
            json.put("rows_from", "imported");
            return json;
        }
        json.put("rows_from", stored.source().kind().wireName())
                .put("source", stored.source().source())
                .put("row_key", stored.source().rowKey());
        if (stored.status() != null) {
            json.setAll(stored.status().toJson());
        }
        return json;
    }
}
