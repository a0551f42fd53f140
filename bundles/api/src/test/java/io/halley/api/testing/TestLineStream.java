package io.halley.api.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client's view of a streamed HTTP response, line by line as the lines arrive, with no
 * reader thread of its own. What a line means (an SSE field, an NDJSON frame) is for the
 * transport's test to say; it extends this class.
 */
public class TestLineStream implements Flow.Subscriber<String>, AutoCloseable {

    private static final String EOF = "\u0000eof";

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse.ResponseInfo> info = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    /** Sends the request; the lines of its response arrive in this stream. Call it once. */
    public final void send(HttpClient client, HttpRequest request) {
        client.sendAsync(request, ri -> {
            info.complete(ri);
            return HttpResponse.BodySubscribers.fromLineSubscriber(this);
        }).whenComplete((r, t) -> {
            if (t != null) {
                info.completeExceptionally(t);
                lines.add(EOF);
            }
        });
    }

    /** @return the response's status and headers, within 10 s */
    public final HttpResponse.ResponseInfo info() throws Exception {
        return info.get(10, TimeUnit.SECONDS);
    }

    /**
     * @return the next line, or null when the response ended
     * @throws AssertionError when no line comes within 10 s
     */
    public final String nextLine() throws InterruptedException {
        String line = lines.poll(10, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no line within 10 s");
        }
        return line == EOF ? null : line;
    }

    @Override
    public final void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public final void onNext(String line) {
        lines.add(line);
    }

    @Override
    public final void onError(Throwable t) {
        lines.add(EOF);
    }

    @Override
    public final void onComplete() {
        lines.add(EOF);
    }

    @Override
    public final void close() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
