package io.halley.transport.streaming.internal;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;

import io.halley.api.testing.TestLineStream;

/** A client-side NDJSON stream: one frame per line. */
final class LineStream extends TestLineStream {

    static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";

    static LineStream open(HttpClient client, HttpRequest request) {
        LineStream s = new LineStream();
        s.send(client, request);
        return s;
    }

    /** @return the next line, or null when the response ended */
    String next() throws InterruptedException {
        return nextLine();
    }

    /** @return the next line that is not a heartbeat, or null when the response ended */
    String nextFrame() throws InterruptedException {
        String line;
        do {
            line = next();
        } while (HEARTBEAT.equals(line));
        return line;
    }
}
