package io.halley.core.internal;

import io.halley.api.Json;
import io.halley.api.Message;

import java.nio.charset.StandardCharsets;

/**
 * A message as fanned out: its frame text, less the per-session sequence number, is
 * encoded once however many sessions receive it.
 */
final class Delivery {

    final Message message;
    /** {@code ,"channel":...,"data":...}} in UTF-8. */
    final byte[] tail;
    final String tailText;
    /** When the hub received it, by its own clock: history ages by it. */
    final long received;

    Delivery(Message message, String encoding, long received) {
        this.message = message;
        this.received = received;
        StringBuilder b = new StringBuilder(message.payload().length() + 128);
        b.append(",\"channel\":");
        Json.quote(b, message.channel());
        b.append(",\"offset\":").append(message.offset());
        b.append(",\"id\":");
        Json.quote(b, message.id());
        b.append(",\"ts\":").append(message.timestamp());
        if (encoding != null) {
            b.append(",\"encoding\":");
            Json.quote(b, encoding);
        }
        b.append(",\"data\":").append(message.payload()).append('}');
        this.tailText = b.toString();
        this.tail = tailText.getBytes(StandardCharsets.UTF_8);
    }
}
