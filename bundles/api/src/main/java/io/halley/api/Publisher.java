package io.halley.api;

/**
 * Publishes a message to a channel through the broker topic of the channel, exactly as
 * a JMS or STOMP publisher would. Registered as an OSGi service while the broker is
 * reachable; absent otherwise.
 */
public interface Publisher {

    /**
     * Publishes a message on behalf of an identity and returns once the broker has taken it.
     *
     * @param publisher who publishes: checked against the channel permissions ({@link Permission#PUBLISH})
     * @param channel a concrete channel name
     * @param body    the body, at most {@link #maxMessageSize()} bytes
     * @param type    how to read the body
     * @return the broker's message id
     * @throws HalleyException a channel error, {@link ErrorCode#TOO_LARGE},
     *         {@link ErrorCode#INVALID_JSON}, {@link ErrorCode#INVALID_TEXT}, or
     *         {@link ErrorCode#FORBIDDEN} when the publisher may not publish there,
     *         {@link ErrorCode#UNAVAILABLE} when the broker cannot take it
     */
    String publish(Identity publisher, String channel, byte[] body, ContentType type);

    /** @return the largest body accepted, in bytes */
    int maxMessageSize();
}
