package org.mipfed.testing;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The HBPMedical portal-backend's side of the Exareme2 API, written for this test field by field after its DTOs (facts,
 * not code): what it parses from Exareme2's controller with Gson, how it converts an algorithm's specification for
 * the frontend (where a missing field throws), and the request body it sends. Each record names the upstream file it
 * mirrors.
 */
final class PortalBackendDtos {
    private PortalBackendDtos() {}

    /** As the portal-backend's {@code JsonConverters}: Gson, nulls written out. */
    static final Gson GSON = new GsonBuilder().serializeNulls().create();

    /** {@code hbp/mip/algorithm/Exareme2AlgorithmSpecificationDTO.java}: one entry of {@code GET /algorithms}. */
    record AlgorithmSpecification(
            String name,
            String label,
            String desc,
            InputdataSpecification inputdata,
            Map<String, ParameterSpecification> parameters,
            List<TransformerSpecification> preprocessing) {}

    /** {@code Exareme2AlgorithmSpecificationDTO.Exareme2AlgorithmParameterSpecificationDTO}. */
    record ParameterSpecification(
            String label,
            String desc,
            List<String> types,
            String notblank,
            String multiple,
            String min,
            String max,
            @SerializedName("default") String defaultValue,
            EnumSpecification enums,
            EnumSpecification dict_keys_enums,
            EnumSpecification dict_values_enums) {}

    /** {@code Exareme2AlgorithmParameterSpecificationDTO.Exareme2AlgorithmEnumDTO}. */
    record EnumSpecification(String type, List<String> source) {}

    /** {@code Exareme2AlgorithmSpecificationDTO.Exareme2AlgorithmInputdataSpecificationDTO}. */
    record InputdataSpecification(
            InputSpecification x,
            InputSpecification y,
            InputSpecification data_model,
            InputSpecification datasets,
            InputSpecification filter) {}

    /** {@code Exareme2AlgorithmSpecificationDTO.Exareme2AlgorithmInputDataDetailSpecificationDTO}. */
    record InputSpecification(
            String label,
            String desc,
            List<String> types,
            List<String> stattypes,
            String notblank,
            String multiple,
            Integer enumslen) {}

    /** {@code Exareme2AlgorithmSpecificationDTO.Exareme2TransformerSpecificationDTO}. */
    record TransformerSpecification(
            String name, String label, String desc, Map<String, ParameterSpecification> parameters) {}

    /**
     * {@code hbp/mip/models/DTOs/ExaremeAlgorithmRequestParamDTO.java}: one parameter as the frontend gets it. Its two
     * constructors read {@code types.get(0)} and, for x and y, the stattypes; a missing field is a
     * NullPointerException there, and stattypes naming neither nominal nor numerical an error.
     */
    record FrontendParameter(
            String name,
            String label,
            String desc,
            String type,
            String valueType,
            String columnValuesSQLType,
            String columnValuesIsCategorical,
            String valueNotBlank,
            String valueMultiple,
            String valueMin,
            String valueMax,
            String defaultValue,
            List<String> valueEnumerations) {

        static FrontendParameter of(String name, ParameterSpecification p) {
            return new FrontendParameter(
                    name,
                    p.label(),
                    p.desc(),
                    "other",
                    p.types().get(0),
                    null,
                    null,
                    p.notblank(),
                    p.multiple(),
                    p.min(),
                    p.max(),
                    p.defaultValue(),
                    p.enums() == null ? null : p.enums().source());
        }

        static FrontendParameter of(String name, InputSpecification input) {
            boolean hidden = List.of("x", "y", "dataset", "filter", "pathology").contains(name);
            String label = hidden ? name : input.label();
            if (List.of("dataset", "filter", "pathology").contains(name)) {
                return new FrontendParameter(
                        name,
                        label,
                        input.desc(),
                        name,
                        input.types().get(0),
                        null,
                        null,
                        input.notblank(),
                        input.multiple(),
                        null,
                        null,
                        null,
                        null);
            }
            return new FrontendParameter(
                    name,
                    label,
                    input.desc(),
                    "column",
                    null,
                    String.join(", ", input.types()),
                    categorical(input.stattypes()),
                    input.notblank(),
                    input.multiple(),
                    null,
                    null,
                    null,
                    null);
        }

        private static String categorical(List<String> stattypes) {
            if (stattypes.contains("nominal") && stattypes.contains("numerical")) {
                return "";
            } else if (stattypes.contains("nominal")) {
                return "true";
            } else if (stattypes.contains("numerical")) {
                return "false";
            }
            throw new IllegalStateException("Invalid stattypes");
        }
    }

    /**
     * {@code hbp/mip/models/DTOs/ExaremeAlgorithmDTO.java}, its constructor from an Exareme2 specification: y and x
     * when present, then pathology (the data model), dataset and filter, then the parameters and the preprocessing
     * steps.
     */
    record FrontendAlgorithm(
            String name,
            String label,
            String desc,
            String type,
            List<FrontendParameter> parameters,
            List<String> steps) {

        static FrontendAlgorithm of(AlgorithmSpecification spec) {
            List<FrontendParameter> parameters = new ArrayList<>();
            if (spec.inputdata().y() != null) {
                parameters.add(FrontendParameter.of("y", spec.inputdata().y()));
            }
            if (spec.inputdata().x() != null) {
                parameters.add(FrontendParameter.of("x", spec.inputdata().x()));
            }
            parameters.add(FrontendParameter.of("pathology", spec.inputdata().data_model()));
            parameters.add(FrontendParameter.of("dataset", spec.inputdata().datasets()));
            parameters.add(FrontendParameter.of("filter", spec.inputdata().filter()));
            if (spec.parameters() != null) {
                spec.parameters().forEach((name, p) -> parameters.add(FrontendParameter.of(name, p)));
            }
            List<String> steps = new ArrayList<>();
            if (spec.preprocessing() != null) {
                for (TransformerSpecification t : spec.preprocessing()) {
                    steps.add(t.name().toUpperCase(java.util.Locale.ROOT));
                    if (t.parameters() != null) {
                        t.parameters().forEach(FrontendParameter::of);
                    }
                }
            }
            return new FrontendAlgorithm(
                    spec.name().toUpperCase(java.util.Locale.ROOT),
                    spec.label(),
                    spec.desc(),
                    "exareme2",
                    parameters,
                    steps);
        }
    }

    /** {@code hbp/mip/pathology/PathologyService.java}'s {@code DataModelAttributes}. */
    record DataModelAttributes(Map<String, List<MetadataHierarchy>> properties, List<String> tags) {}

    /** {@code hbp/mip/pathology/PathologyMetadataDTO.java}. */
    record MetadataHierarchy(
            String code,
            String version,
            String label,
            Boolean longitudinal,
            List<CommonDataElement> variables,
            List<MetadataGroup> groups) {}

    /** {@code PathologyMetadataDTO.PathologyMetadataGroupDTO}. */
    record MetadataGroup(String code, String label, List<CommonDataElement> variables, List<MetadataGroup> groups) {}

    /** {@code PathologyMetadataDTO.CommonDataElementDTO}. */
    record CommonDataElement(
            String code,
            String label,
            String description,
            String sql_type,
            String is_categorical,
            List<Enumeration> enumerations,
            String min,
            String max,
            String type,
            String methodology,
            String units) {}

    /** {@code hbp/mip/pathology/PathologyDTO.EnumerationDTO}. */
    record Enumeration(String code, String label) {}

    /** {@code hbp/mip/pathology/Exareme2PathologyCommonDataElementDTO.java}: a CDE of {@code GET /cdes_metadata}. */
    record CdeMetadata(
            Boolean is_categorical,
            String code,
            String sql_type,
            String description,
            Map<String, String> enumerations,
            String label,
            String units,
            String type,
            String methodology,
            String min,
            String max) {}

    /** {@code hbp/mip/algorithm/Exareme2AlgorithmRequestDTO.java}: the body of {@code POST /algorithms/{name}}. */
    record AlgorithmRequest(
            String request_id,
            InputDataRequest inputdata,
            Map<String, Object> parameters,
            Map<String, Object> preprocessing,
            String type) {}

    /** {@code Exareme2AlgorithmRequestDTO.Exareme2InputDataRequestDTO}. */
    record InputDataRequest(
            String data_model, List<String> datasets, List<String> x, List<String> y, FilterRequest filters) {}

    /** {@code Exareme2AlgorithmRequestDTO.Exareme2FilterRequestDTO}: the frontend's query-builder JSON, read by Gson. */
    record FilterRequest(String condition, List<Object> rules) {}

    /**
     * How the portal-backend turns the frontend's comma-separated values into a request
     * ({@code Exareme2AlgorithmRequestDTO}'s {@code getInputData}): the lists split on commas, the filter string read
     * by Gson (so its numbers become doubles: {@code 60} is sent as {@code 60.0}).
     */
    static AlgorithmRequest request(
            String requestId,
            String dataModel,
            String datasets,
            String x,
            String y,
            String filterJson,
            Map<String, Object> parameters) {
        return new AlgorithmRequest(
                requestId,
                new InputDataRequest(
                        dataModel,
                        Arrays.asList(datasets.split(",")),
                        x == null ? null : Arrays.asList(x.split(",")),
                        y == null ? null : Arrays.asList(y.split(",")),
                        filterJson == null || filterJson.isEmpty()
                                ? null
                                : GSON.fromJson(filterJson, FilterRequest.class)),
                parameters,
                Map.of(),
                "exareme2");
    }
}
