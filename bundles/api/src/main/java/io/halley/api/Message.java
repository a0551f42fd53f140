package io.halley.api;

import java.util.Objects;

/**
 * A message as the hub received it from the broker topic of its channel.
 *
 * @param channel   the concrete channel it was published to
 * @param id        the broker's message id
 * @param offset    its position in the channel: 1 for the first message the hub saw
 *                  on the channel, increasing by one with each message
 * @param timestamp when the broker received it, in milliseconds since the epoch
 * @param payload   the payload as compact JSON text on one line: the published JSON
 *                  value, or a JSON string for text
 */
public record Message(String channel, String id, long offset, long timestamp, String payload) {

    public Message {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
    }
}
