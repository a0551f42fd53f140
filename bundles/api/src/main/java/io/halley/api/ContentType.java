package io.halley.api;

/**
 * How the body of a published message is to be read.
 */
public enum ContentType {
    /** The body is JSON text; it is delivered as that JSON value, and refused when malformed. */
    JSON,
    /** The body is UTF-8 text; it is delivered as a JSON string. */
    TEXT,
    /**
     * Nothing is declared (a JMS or STOMP publisher that sets no content type): a body
     * that is a JSON object or array is delivered as that value, anything else as a string.
     */
    AUTO
}
