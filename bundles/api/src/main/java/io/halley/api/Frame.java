package io.halley.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One frame from the server to a session, as a transport writes it.
 *
 * <p>Its JSON text is one line (no raw line breaks), so that every transport can carry
 * it unchanged: a Server-Sent Events {@code data:} line, an element of a long-poll
 * response array, a WebSocket text frame. A message frame reads
 * <pre>{"type":"message","seq":7,"channel":"demo.news","offset":42,"id":"ID:...","ts":1763769600000,"data":{"a":1}}</pre>
 * and a close frame
 * <pre>{"type":"close","reason":"slow_consumer","reconnect":false}</pre>
 * The sequenced frames are {@code message}, {@code reply} (the answer to a client
 * frame with an {@code id}) and {@code gap} (a recovery that history could not cover);
 * {@code close} is not sequenced. See docs/protocol.md.
 */
public interface Frame {

    /** @return the frame type: {@code message}, {@code reply}, {@code gap} or {@code close} */
    String type();

    /**
     * @return the session's sequence number of a sequenced frame: 1 for the session's
     *         first, increasing by one with each; 0 for a control frame
     */
    long seq();

    /** @return the message of a message frame, or null for any other frame */
    Message message();

    /** @return the frame as one line of JSON */
    String json();

    /** @return the length of {@link #json()} in UTF-8 bytes */
    int size();

    /** Writes {@link #json()} in UTF-8. */
    default void writeTo(OutputStream out) throws IOException {
        out.write(json().getBytes(StandardCharsets.UTF_8));
    }
}
