package io.halley.transport.streaming.internal;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client-side stream of lines: pushes them as they arrive, no reader thread of its own. */
final class LineStream implements Flow.Subscriber<String>, AutoCloseable {

    private static final String EOF = "\u0000eof";
    static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse.ResponseInfo> info = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    static LineStream open(HttpClient client, HttpRequest request) {
        LineStream s = new LineStream();
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

    /** @return the next line, or null when the response ended */
    String next() throws InterruptedException {
        String line = lines.poll(10, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no line within 10 s");
        }
        return line == EOF ? null : line;
    }

    /** @return the next line that is not a heartbeat, or null when the response ended */
    String nextFrame() throws InterruptedException {
        String line;
        do {
            line = next();
        } while (HEARTBEAT.equals(line));
        return line;
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
