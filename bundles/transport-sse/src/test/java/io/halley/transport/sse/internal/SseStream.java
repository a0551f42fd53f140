package io.halley.transport.sse.internal;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client-side event stream: pushes lines as they arrive, no reader thread of its own. */
final class SseStream implements Flow.Subscriber<String>, AutoCloseable {

    /** One SSE block, up to its blank line. */
    record Event(String id, String event, String data, Long retry, List<String> comments) {
    }

    private static final String EOF = "\u0000eof";

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse.ResponseInfo> info = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    static SseStream open(HttpClient client, HttpRequest request) throws Exception {
        SseStream s = new SseStream();
        client.sendAsync(request, ri -> {
            s.info.complete(ri);
            return HttpResponse.BodySubscribers.fromLineSubscriber(s);
        }).whenComplete((r, t) -> {
            if (t != null) {
                s.info.completeExceptionally(t);
                s.lines.add(EOF);
            }
        });
        return s;
    }

    HttpResponse.ResponseInfo info() throws Exception {
        return info.get(10, TimeUnit.SECONDS);
    }

    /** @return the next event, or null when the stream ended */
    Event next() throws InterruptedException {
        String id = null;
        String event = null;
        StringBuilder data = null;
        Long retry = null;
        List<String> comments = new ArrayList<>();
        while (true) {
            String line = lines.poll(10, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("no line within 10 s");
            }
            if (line == EOF) {
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

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        lines.add(line);
    }

    @Override
    public void onError(Throwable t) {
        lines.add(EOF);
    }

    @Override
    public void onComplete() {
        lines.add(EOF);
    }

    @Override
    public void close() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
