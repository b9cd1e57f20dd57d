package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import org.mipfed.proto.v1.Refusal;

/**
 * A primitive the node will not answer: {@link #rule()} names what was broken and the message says
 * what to do. {@link #callerError()} is true when the request itself was wrong (the researcher gets
 * a 4xx), false for the node's own faults.
 */
public class RefusalException extends RuntimeException {
    public static final String UNKNOWN_DATA_MODEL = "unknown_data_model";
    public static final String UNKNOWN_DATASET = "unknown_dataset";
    public static final String UNKNOWN_VARIABLE = "unknown_variable";
    public static final String VARIABLE_TYPE = "variable_type";
    public static final String UNKNOWN_LEVEL = "unknown_level";
    public static final String INVALID_FILTER = "invalid_filter";
    public static final String INVALID_QUERY = "invalid_query";
    public static final String INTERNAL_ERROR = "internal_error";
    /** The analysis was cancelled on the manager: the node stopped computing (nothing was released). */
    public static final String CANCELLED = "cancelled";
    /** The attached source of the data model cannot be read now; the node's operator sees why. */
    public static final String SOURCE_UNAVAILABLE = "source_unavailable";

    private static final long serialVersionUID = 1L;

    private final String rule;
    private final boolean callerError;

    public RefusalException(String rule, String message, boolean callerError) {
        this(rule, message, callerError, null);
    }

    public RefusalException(String rule, String message, boolean callerError, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.rule = requireNonNull(rule, "rule is null");
        this.callerError = callerError;
    }

    /** A mistake in the request. */
    static RefusalException caller(String rule, String message) {
        return new RefusalException(rule, message, true);
    }

    public String rule() {
        return rule;
    }

    public boolean callerError() {
        return callerError;
    }

    public Refusal toProto() {
        return Refusal.newBuilder()
                .setRule(rule)
                .setMessage(getMessage())
                .setCallerError(callerError)
                .build();
    }
}
