package io.halley.api;

import java.util.Objects;

/**
 * A failure a client caused, or a part that is not available, with its documented
 * {@link ErrorCode}. The message is meant for the client: it never carries secrets
 * or stack details.
 */
public class HalleyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public HalleyException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public HalleyException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return the documented error code */
    public ErrorCode code() {
        return code;
    }

    /**
     * @return the documented JSON error body: {@code {"error":"<code>","message":"<text>"}}
     */
    public String toJson() {
        return errorJson(code, getMessage());
    }

    /**
     * @return the documented JSON error body for a code and a client-facing message
     */
    public static String errorJson(ErrorCode code, String message) {
        StringBuilder b = new StringBuilder(64).append("{\"error\":");
        Json.quote(b, code.code()).append(",\"message\":");
        return Json.quote(b, message == null ? "" : message).append('}').toString();
    }
}
