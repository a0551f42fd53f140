package io.halley.transport.sse.internal;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

import io.halley.api.testing.TestLineStream;

/** A client-side event stream, read an SSE block at a time. */
final class SseStream extends TestLineStream {

    /** One SSE block, up to its blank line. */
    record Event(String id, String event, String data, Long retry, List<String> comments) {
    }

    static SseStream open(HttpClient client, HttpRequest request) throws Exception {
        SseStream s = new SseStream();
        s.send(client, request);
        return s;
    }

    /** @return the next event, or null when the stream ended */
    Event next() throws InterruptedException {
        String id = null;
        String event = null;
        StringBuilder data = null;
        Long retry = null;
        List<String> comments = new ArrayList<>();
        while (true) {
            String line = nextLine();
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                return new Event(id, event, data == null ? null : data.toString(), retry, comments);
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
            switch (field) {
                case "" -> comments.add(value);
                case "id" -> id = value;
                case "event" -> event = value;
                case "retry" -> retry = Long.parseLong(value);
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> throw new AssertionError("unexpected line " + line);
            }
        }
    }

    /** @return the next event that is not a heartbeat */
    Event nextData() throws InterruptedException {
        Event e;
        do {
            e = next();
        } while (e != null && e.data() == null && e.event() == null);
        return e;
    }
}
