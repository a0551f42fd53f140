package io.halley.transport.websocket.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The JDK's WebSocket client, with what it received queued for a test to wait on. */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    static final long WAIT_SECONDS = 10;

    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket ws;

    private WsClient(HttpClient client, URI uri) throws Exception {
        ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, this).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static WsClient open(HttpClient client, URI uri) throws Exception {
        return new WsClient(client, uri);
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] data) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(data), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** @return the next text message; fails after a while without one */
    String next() throws InterruptedException {
        String t = texts.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("no text message within " + WAIT_SECONDS + " s"
                    + (closed.isDone() ? "; closed with " + closed.getNow(null) : ""));
        }
        return t;
    }

    /** @return the next text message that is not a heartbeat */
    String nextFrame() throws InterruptedException {
        String t = next();
        while (WebSocketConnection.HEARTBEAT.equals(t)) {
            t = next();
        }
        return t;
    }

    /** @return the close code the server closed with */
    int awaitClose() throws Exception {
        return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        try {
            if (!ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // the server may have gone first
        } finally {
            ws.abort();
        }
    }
}
