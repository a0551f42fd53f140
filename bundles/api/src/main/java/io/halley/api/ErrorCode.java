package io.halley.api;

/**
 * The documented errors a client can get, on every way in. Each has a stable
 * machine-readable {@link #code()} (used in JSON error bodies and error frames)
 * and the HTTP status that HTTP endpoints answer with.
 */
public enum ErrorCode {
    /** A channel name that breaks the naming rules of {@link ChannelName}. */
    INVALID_CHANNEL("invalid_channel", 400),
    /** A wildcard used where only a concrete channel is allowed (publishing). */
    WILDCARD_NOT_ALLOWED("wildcard_not_allowed", 400),
    /** A request that names no channel where one is required. */
    MISSING_CHANNEL("missing_channel", 400),
    /** More channels in one subscription than the configured maximum. */
    TOO_MANY_CHANNELS("too_many_channels", 400),
    /** A body declared as JSON that is not valid JSON. */
    INVALID_JSON("invalid_json", 400),
    /** A body that is not valid UTF-8 text. */
    INVALID_TEXT("invalid_text", 400),
    /** A malformed request: bad parameter, bad header, unsupported content type. */
    BAD_REQUEST("bad_request", 400),
    /** A client frame that is not a JSON object (or array of objects) or lacks a required field. */
    BAD_FRAME("bad_frame", 400),
    /** A client frame whose {@code type} the server does not know. */
    UNKNOWN_TYPE("unknown_type", 400),
    /** A frame other than {@code connect} on a connection that has not connected yet. */
    NOT_CONNECTED("not_connected", 400),
    /**
     * Credentials that were missing where required, or wrong: unknown user, wrong password,
     * malformed, forged or expired token, unknown API key. The refusal never says which.
     */
    UNAUTHORIZED("unauthorized", 401),
    /** An identity that the channel permissions (or the admin role) do not allow to do this. */
    FORBIDDEN("forbidden", 403),
    /** A long-poll cursor that names no live session (a malformed one is {@link #BAD_REQUEST}). */
    UNKNOWN_CURSOR("unknown_cursor", 404),
    /** A session id that names no live session. */
    UNKNOWN_SESSION("unknown_session", 404),
    /** A path that names no resource. */
    NOT_FOUND("not_found", 404),
    /** An HTTP method the endpoint does not support. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** A message or request body larger than the configured maximum. */
    TOO_LARGE("too_large", 413),
    /** A content type the endpoint does not accept. */
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    /** More sessions than the configured maximum. */
    TOO_MANY_SESSIONS("too_many_sessions", 503),
    /** A part that the request needs (the broker, the hub) is not running. */
    UNAVAILABLE("unavailable", 503),
    /** A failure inside Halley; the detail is logged, not sent. */
    INTERNAL("internal", 500);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** @return the stable code sent to clients, such as {@code invalid_channel} */
    public String code() {
        return code;
    }

    /** @return the HTTP status that HTTP endpoints answer this error with */
    public int httpStatus() {
        return httpStatus;
    }
}
