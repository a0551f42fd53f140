package io.halley.itests;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;

/**
 * The full protocol (docs/protocol.md) spoken over one transport by the JDK's own HTTP and
 * WebSocket clients: frames down are queued, heartbeats dropped; frames up are sent the
 * way the transport takes them.
 */
public abstract class ProtocolClient implements AutoCloseable {

    protected final HttpClient http;
    protected final String base;
    protected final BlockingQueue<Map<String, Object>> frames = new LinkedBlockingQueue<>();
    protected volatile String session;

    protected ProtocolClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    public static ProtocolClient of(String transport, HttpClient http, String base) {
        return switch (transport) {
            case "websocket" -> new Ws(http, base);
            case "sse" -> new Sse(http, base);
            case "streaming" -> new Streaming(http, base);
            case "longpoll" -> new LongPoll(http, base);
            default -> throw new IllegalArgumentException(transport);
        };
    }

    /** Connects (resuming {@code session} after {@code lastSeq} when not null); returns the connected frame. */
    public abstract Map<String, Object> connect(String resume, long lastSeq) throws Exception;

    /** Sends client frames up (one JSON object or an array). */
    public abstract void send(String frames) throws Exception;

    /** Drops the connection the way a network would; the session stays on the server. */
    public abstract void drop();

    public String session() {
        return session;
    }

    protected void received(String json) {
        Map<String, Object> f = Json.object(json);
        if (!"heartbeat".equals(f.get("type"))) {
            frames.add(f);
        }
    }

    /** Called before waiting for a frame that is not queued yet. */
    protected void beforeWait() {
    }

    public Map<String, Object> next(long timeoutMs) throws InterruptedException {
        if (frames.isEmpty()) {
            beforeWait();
        }
        Map<String, Object> f = frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (f == null) {
            throw new AssertionError("no frame within " + timeoutMs + " ms");
        }
        return f;
    }

    /** The next frame, which must be of this type. */
    public Map<String, Object> next(String type, long timeoutMs) throws InterruptedException {
        Map<String, Object> f = next(timeoutMs);
        assertEquals("frame " + f, type, f.get("type"));
        return f;
    }

    @Override
    public void close() {
        drop();
    }

    protected void postFrames(String path, String frames) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path + "?session="
                + URLEncoder.encode(session, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(frames)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new HttpError(r.statusCode(), r.body());
        }
    }

    /** An HTTP transport refused what was sent up. */
    public static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        public final int status;
        public final String body;

        HttpError(int status, String body) {
            super(status + " " + body);
            this.status = status;
            this.body = body;
        }
    }

    static final class Ws extends ProtocolClient {
        private WebSocket socket;
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();

        Ws(HttpClient http, String base) {
            super(http, base);
        }

        CompletableFuture<Integer> closed() {
            return closed;
        }

        @Override
        public Map<String, Object> connect(String resume, long lastSeq) throws Exception {
            socket = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http:", "ws:") + "/halley/ws"),
                    new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                received(text.toString());
                                text.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                            closed.complete(code);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket ws, Throwable error) {
                            closed.complete(-1);
                        }
                    }).get(30, TimeUnit.SECONDS);
            String connect = resume == null ? "{\"type\":\"connect\"}"
                    : "{\"type\":\"connect\",\"session\":\"" + resume + "\",\"lastSeq\":" + lastSeq + "}";
            socket.sendText(connect, true).get(10, TimeUnit.SECONDS);
            Map<String, Object> c = next("connected", 20_000);
            session = (String) c.get("session");
            return c;
        }

        @Override
        public void send(String frames) throws Exception {
            socket.sendText(frames, true).get(10, TimeUnit.SECONDS);
        }

        void sendRaw(String text) throws Exception {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
        }

        @Override
        public void drop() {
            if (socket != null) {
                socket.abort();
            }
        }
    }

    /** Reads lines of a streaming GET; cancelled by drop. */
    abstract static class Streamed extends ProtocolClient {
        private volatile Flow.Subscription subscription;
        private volatile CompletableFuture<HttpResponse<Void>> response;

        Streamed(HttpClient http, String base) {
            super(http, base);
        }

        void open(String pathAndQuery, Map<String, String> headers, java.util.function.Consumer<String> line) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
            headers.forEach(b::header);
            response = http.sendAsync(b.build(), HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String item) {
                    line.accept(item);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            }));
        }

        @Override
        public void drop() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            if (response != null) {
                response.cancel(true);
            }
        }
    }

    static final class Sse extends Streamed {
        private String data;

        Sse(HttpClient http, String base) {
            super(http, base);
        }

        @Override
        public Map<String, Object> connect(String resume, long lastSeq) throws Exception {
            String q = resume == null ? "" : "&session=" + URLEncoder.encode(resume, StandardCharsets.UTF_8);
            open("/halley/sse?protocol=1" + q, resume == null ? Map.of() : Map.of("Last-Event-ID", Long.toString(lastSeq)),
                    line -> {
                        if (line.startsWith("data:")) {
                            data = line.substring(5).trim();
                        } else if (line.isEmpty() && data != null) {
                            received(data);
                            data = null;
                        }
                    });
            Map<String, Object> c = next("connected", 20_000);
            session = (String) c.get("session");
            return c;
        }

        @Override
        public void send(String frames) throws Exception {
            postFrames("/halley/sse", frames);
        }
    }

    static final class Streaming extends Streamed {
        Streaming(HttpClient http, String base) {
            super(http, base);
        }

        @Override
        public Map<String, Object> connect(String resume, long lastSeq) throws Exception {
            String q = resume == null ? ""
                    : "&session=" + URLEncoder.encode(resume, StandardCharsets.UTF_8) + "&lastSeq=" + lastSeq;
            open("/halley/stream?protocol=1" + q, Map.of(), line -> {
                if (!line.isBlank()) {
                    received(line);
                }
            });
            Map<String, Object> c = next("connected", 20_000);
            session = (String) c.get("session");
            return c;
        }

        @Override
        public void send(String frames) throws Exception {
            postFrames("/halley/stream", frames);
        }
    }

    static final class LongPoll extends ProtocolClient {
        private volatile boolean running;
        private volatile CompletableFuture<HttpResponse<String>> pending;
        private volatile String cursor;

        LongPoll(HttpClient http, String base) {
            super(http, base);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map<String, Object> connect(String resume, long lastSeq) throws Exception {
            if (resume == null) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/halley/poll?protocol=1"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(r.body(), 200, r.statusCode());
                Map<String, Object> answer = Json.object(r.body());
                session = (String) answer.get("session");
                cursor = (String) answer.get("cursor");
            } else {
                session = resume;
                cursor = resume + ":" + lastSeq;
            }
            running = true;
            return Map.of("type", "connected", "session", session, "resumed", resume != null);
        }

        /**
         * Polls only once everything of the last answer was taken: the cursor acknowledges,
         * so this client acknowledges only what its user has seen.
         */
        @Override
        protected void beforeWait() {
            // the answer's cursor is taken in the completion callback, after the future is done
            if (running && inFlight.compareAndSet(false, true)) {
                poll();
            }
        }

        private final java.util.concurrent.atomic.AtomicBoolean inFlight = new java.util.concurrent.atomic.AtomicBoolean();

        @SuppressWarnings("unchecked")
        private void poll() {
            if (!running) {
                return;
            }
            pending = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/halley/poll?timeout=20000&cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            pending.whenComplete((r, t) -> {
                if (t != null || !running) {
                    inFlight.set(false);
                    return;
                }
                if (r.statusCode() != 200) {
                    frames.add(Map.of("type", "http-error", "status", (long) r.statusCode(), "body", r.body()));
                    inFlight.set(false);
                    return;
                }
                Map<String, Object> answer = Json.object(r.body());
                for (Object m : (List<Object>) answer.get("messages")) {
                    Map<String, Object> f = (Map<String, Object>) m;
                    if (!"heartbeat".equals(f.get("type"))) {
                        frames.add(f);
                    }
                }
                if (answer.get("close") != null) {
                    frames.add((Map<String, Object>) answer.get("close"));
                    inFlight.set(false);
                    return;
                }
                cursor = (String) answer.get("cursor");
                if (frames.isEmpty()) {
                    poll();
                } else {
                    inFlight.set(false);
                }
            });
        }

        @Override
        public void send(String frames) throws Exception {
            postFrames("/halley/poll", frames);
        }

        @Override
        public void drop() {
            running = false;
            if (pending != null) {
                pending.cancel(true);
            }
        }
    }
}
