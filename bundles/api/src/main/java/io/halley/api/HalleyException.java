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
}
