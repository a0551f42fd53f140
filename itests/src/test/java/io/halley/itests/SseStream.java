package io.halley.itests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events reader on the JDK's HTTP client: it parses the stream as the
 * EventSource specification says (fields, blank line ends an event, comments) and
 * queues the events.
 */
public final class SseStream implements AutoCloseable {

    /** One event as EventSource would dispatch it; a comment has event "comment". */
    public record Event(String id, String event, String data) {
        public Map<String, Object> json() {
            return Json.object(data);
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Void>> response;
    private final CompletableFuture<HttpResponse.ResponseInfo> info = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean ended;

    public SseStream(HttpClient client, URI uri, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers.forEach(b::header);
        Flow.Subscriber<String> lines = new Flow.Subscriber<String>() {
            private String id;
            private String event;
            private StringBuilder data;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, event == null ? "message" : event, data.toString()));
                    }
                    event = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, "comment", line.substring(1).trim()));
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> { }
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                ended = true;
            }

            @Override
            public void onComplete() {
                ended = true;
                events.add(new Event(null, "end", ""));
            }
        };
        // the response future completes only when the stream ends: take status and headers as they come
        response = client.sendAsync(b.build(), responseInfo -> {
            info.complete(responseInfo);
            return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
        });
        response.whenComplete((r, t) -> {
            if (t != null) {
                info.completeExceptionally(t);
            }
        });
    }

    /** The status and headers, as soon as they arrive. */
    public HttpResponse.ResponseInfo response() throws Exception {
        return info.get(30, TimeUnit.SECONDS);
    }

    /** The next event that is not a comment, waiting up to the timeout. */
    public Event next(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no event within " + timeoutMs + " ms");
            }
            if (!e.event().equals("comment")) {
                return e;
            }
        }
    }

    /** The next event of any kind, comments included. */
    public Event nextRaw(long timeoutMs) throws InterruptedException {
        Event e = events.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeoutMs + " ms");
        }
        return e;
    }

    /** The next n message events, in order. */
    public List<Event> messages(int n, long timeoutMs) throws InterruptedException {
        List<Event> out = new ArrayList<>(n);
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (out.size() < n) {
            Event e = next(Math.max(1, deadline - System.currentTimeMillis()));
            if (e.event().equals("message")) {
                out.add(e);
            } else {
                throw new AssertionError("expected a message, got " + e + " after " + out);
            }
        }
        return out;
    }

    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        response.cancel(true);
    }

    public static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }
}
