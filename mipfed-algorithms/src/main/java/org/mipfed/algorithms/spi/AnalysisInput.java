package org.mipfed.algorithms.spi;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LongitudinalTransform;

/**
 * A request that has passed validation: variables exist in the data model, datasets are known,
 * parameters are typed and defaulted per the algorithm's spec.
 *
 * @param filter the parsed filters, or null
 * @param longitudinal the longitudinal transformation the nodes apply before each primitive, or null
 */
public record AnalysisInput(
        DataModel dataModel,
        List<String> datasets,
        List<String> x,
        List<String> y,
        Filter filter,
        ObjectNode parameters,
        LongitudinalTransform longitudinal) {
    public AnalysisInput {
        requireNonNull(dataModel, "dataModel is null");
        datasets = List.copyOf(datasets);
        x = List.copyOf(x);
        y = List.copyOf(y);
        requireNonNull(parameters, "parameters is null");
    }

    /** An input without preprocessing. */
    public AnalysisInput(
            DataModel dataModel,
            List<String> datasets,
            List<String> x,
            List<String> y,
            Filter filter,
            ObjectNode parameters) {
        this(dataModel, datasets, x, y, filter, parameters, null);
    }
}
