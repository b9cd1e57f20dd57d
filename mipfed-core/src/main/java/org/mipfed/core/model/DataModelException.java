package org.mipfed.core.model;

/** A data model file (CDEsMetadata.json) that breaks a rule; the message names where and which rule. */
public class DataModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataModelException(String message) {
        super(message);
    }

    public DataModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
