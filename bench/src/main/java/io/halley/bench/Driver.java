package io.halley.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load-driver process: many subscribers of one transport, written with the JDK's java.net.http only. It records
 * the latency of every message from the publisher's timestamp to its arrival, and counts every message by its
 * per-channel sequence, so that a lost or repeated message shows.
 *
 * <p>Commands on stdin, answers on stdout, one line each: the driver prints {@code READY <open> <failed>} once its
 * clients are subscribed; {@code BEGIN <step>} starts a step ({@code OK}); {@code END <step> <n0> ... <n99>} (how many
 * messages each channel got in the step) waits until the arrivals stop and prints
 * {@code RESULT <received> <lost> <dups> <dropped> <lastArrivalMicros> <histogram>}; {@code QUIT} exits.
 */
public final class Driver {

    private final String transport;
    private final String base;
    private final String prefix;
    private final int channels;
    private final Recorder recorder = new Recorder(60_000_000L, 3);
    private final LongAdder received = new LongAdder();
    private final AtomicLong lastArrival = new AtomicLong();
    private final AtomicInteger dropped = new AtomicInteger();
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<Sub> subs = new ArrayList<>();
    /** Counted down once per subscriber when it is subscribed or has failed. */
    private volatile java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(0);
    /** Transports this module does not hold (CometD, on its own classpath: bench/cometd) plug in here. */
    static java.util.function.Consumer<Sub> external;
    /**
     * The HTTP client of the long-polling subscribers when not the JDK's: bench/cometd plugs in the Jetty 12 client that
     * CometD's subscribers use, so that both long-polling sides are driven by the same client (the JDK's cost the driver
     * two to five times the CPU the server spent per delivery, on the same two cores as the server).
     */
    static PollClient pollClient;

    /** One GET, answered asynchronously: the status and the body as a string, or the failure. */
    interface PollClient {
        void get(String url, java.util.function.BiConsumer<Integer, String> answer,
                java.util.function.Consumer<Throwable> failed);
    }

    /**
     * Whether the WebSocket subscribers (Halley's and ActiveMQ's) use Jetty 9.4's client ({@link JettyWs}); {@code
     * --ws-client jdk} for java.net.http's.
     */
    static boolean jettyWebSocket;

    /** ActiveMQ's STOMP-over-WebSocket connector, for the "stomp-ws" transport. */
    private static String stompWs;
    /** How long a STOMP client waits after the WebSocket opened before its CONNECT (see startStompWs). */
    static final long STOMP_CONNECT_DELAY_MS = 500;
    private volatile int currentStep;
    private volatile boolean quitting;

    private Driver(String transport, String base, String prefix, int channels) {
        this.transport = transport;
        this.base = base;
        this.prefix = prefix;
        this.channels = channels;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Bench.args(args);
        stompWs = a.get("stomp-ws");
        jettyWebSocket = !"jdk".equals(a.getOrDefault("ws-client", "jetty"));
        Driver d = new Driver(a.get("transport"), a.get("base"), a.getOrDefault("prefix", "bench.c"),
                Integer.parseInt(a.getOrDefault("channels", "100")));
        int n = Integer.parseInt(a.get("clients"));
        int perClient = Integer.parseInt(a.getOrDefault("per-client", "10"));
        int offset = Integer.parseInt(a.getOrDefault("offset", "0"));
        d.run(n, perClient, offset);
    }

    private void run(int n, int perClient, int offset) throws Exception {
        for (int i = 0; i < Math.max(1, (n + 249) / 250); i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(20)).build());
        }
        int stride = Math.max(1, channels / perClient);
        Semaphore handshakes = new Semaphore(100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        settled = new java.util.concurrent.CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int g = offset + i;
            int[] chans = new int[perClient];
            for (int j = 0; j < perClient; j++) {
                chans[j] = (g + j * stride) % channels;
            }
            Sub s = new Sub(clients.get(i % clients.size()), chans, handshakes);
            subs.add(s);
            if (!handshakes.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                s.failed = true;
                s.settle();
                continue;
            }
            s.start();
        }
        // wait (bounded) for every client to be subscribed or failed
        settled.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        long open = subs.stream().filter(s -> s.ready && !s.failed).count();
        System.out.println("READY " + open + " " + (n - open));
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            switch (w[0]) {
                case "BEGIN" -> {
                    currentStep = Integer.parseInt(w[1]);
                    received.reset();
                    lastArrival.set(0);
                    recorder.getIntervalHistogram();
                    System.out.println("OK");
                }
                case "END" -> {
                    long[] published = new long[channels];
                    long expected = 0;
                    for (int c = 0; c < channels; c++) {
                        published[c] = Long.parseLong(w[2 + c]);
                    }
                    for (Sub s : subs) {
                        if (s.ready) {
                            for (int c : s.chans) {
                                expected += published[c];
                            }
                        }
                    }
                    // wait until everything came or the arrivals stopped for 2 s (at most 20 s)
                    long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    long last = -1;
                    long quietSince = System.nanoTime();
                    while (System.nanoTime() < stop) {
                        long r = received.sum();
                        if (r >= expected) {
                            break;
                        }
                        if (r != last) {
                            last = r;
                            quietSince = System.nanoTime();
                        } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(2)) {
                            break;
                        }
                        Thread.sleep(20);
                    }
                    long lost = 0;
                    long dups = 0;
                    int step = currentStep;
                    for (Sub s : subs) {
                        if (!s.ready) {
                            continue;
                        }
                        synchronized (s) {
                            for (int k = 0; k < s.chans.length; k++) {
                                long got = s.step == step ? s.count[k] : 0;
                                lost += Math.max(0, published[s.chans[k]] - got);
                            }
                            dups += s.dups;
                            s.dups = 0;
                        }
                    }
                    Histogram h = recorder.getIntervalHistogram();
                    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
                    int len = h.encodeIntoCompressedByteBuffer(buf);
                    String hist = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), len));
                    System.out.println("RESULT " + received.sum() + " " + lost + " " + dups + " " + dropped.get() + " "
                            + lastArrival.get() + " " + hist);
                }
                case "QUIT" -> {
                    quitting = true;
                    System.out.println("BYE");
                    System.out.flush();
                    subs.forEach(Sub::close);
                    System.exit(0);
                }
                default -> System.err.println("unknown command: " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }

    /** One subscriber: one connection, its channels, and what it got of each in the current step. */
    final class Sub implements Wire.Sink {
        final HttpClient http;
        final int[] chans;
        final int[] slotOf = new int[channels];
        final long[] last;
        final long[] count;
        final Semaphore handshakes;
        int step = -1;
        long dups;
        volatile boolean ready;
        volatile boolean failed;
        volatile boolean gone;
        // WebSocket
        WebSocket ws;
        /** The connection of a Jetty client (when {@link #jettyWebSocket}), instead of {@link #ws}. */
        volatile JettyWs.Link link;
        final StringBuilder partial = new StringBuilder();
        CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
        int replies;
        long seq;
        long acked;
        // SSE
        Flow.Subscription sse;
        // external transports: how to close
        volatile Runnable onClose;

        Sub(HttpClient http, int[] chans, Semaphore handshakes) {
            this.http = http;
            this.chans = chans;
            this.handshakes = handshakes;
            java.util.Arrays.fill(slotOf, -1);
            for (int k = 0; k < chans.length; k++) {
                slotOf[chans[k]] = k;
            }
            last = new long[chans.length];
            count = new long[chans.length];
        }

        String channelList() {
            return java.util.Arrays.stream(chans).mapToObj(c -> prefix + c).collect(Collectors.joining(","));
        }

        void start() {
            switch (transport) {
                case "websocket" -> startWebSocket();
                case "sse" -> startSse();
                case "longpoll" -> startPoll();
                case "stomp-ws" -> startStompWs();
                case "cometd" -> {
                    if (external == null) {
                        throw new IllegalStateException("the cometd transport runs from bench/cometd's classpath");
                    }
                    external.accept(this);
                }
                default -> throw new IllegalArgumentException(transport);
            }
        }

        private final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();

        void handshakeDone(boolean ok) {
            if (ok) {
                ready = true;
            } else {
                failed = true;
            }
            handshakes.release();
            settle();
        }

        void settle() {
            if (counted.compareAndSet(false, true)) {
                settled.countDown();
            }
        }

        void lostConnection(Throwable t) {
            if (quitting || gone) {
                return;
            }
            gone = true;
            if (ready) {
                dropped.incrementAndGet();
                System.err.println("dropped: " + transport + " " + (t == null ? "closed" : t));
            } else if (!failed) {
                handshakeDone(false);
                System.err.println("failed: " + transport + " " + (t == null ? "closed" : t));
            }
        }

        @Override
        public void message(int s, int c, long n, long micros) {
            long now = Wire.nowMicros();
            if (s != currentStep || c < 0 || c >= channels) {
                return;
            }
            synchronized (this) {
                if (step != s) {
                    step = s;
                    java.util.Arrays.fill(last, 0);
                    java.util.Arrays.fill(count, 0);
                }
                int k = slotOf[c];
                if (k < 0) {
                    return;
                }
                if (n <= last[k]) {
                    dups++;
                    return;
                }
                last[k] = n;
                count[k]++;
            }
            recorder.recordValue(Math.min(59_000_000L, Math.max(0, now - micros)));
            received.increment();
            lastArrival.accumulateAndGet(now, Math::max);
        }

        // ---- WebSocket: connect, then one subscribe frame per channel, cumulative acks

        void startWebSocket() {
            URI uri = URI.create(base.replaceFirst("^http", "ws") + "/halley/ws");
            if (jettyWebSocket) {
                JettyWs.connect(uri, null, new JettyWs.Handler() {
                    @Override
                    public void opened(JettyWs.Link l) {
                        link = l;
                        send("{\"type\":\"connect\"}");
                        for (int k = 0; k < chans.length; k++) {
                            send("{\"type\":\"subscribe\",\"id\":" + k + ",\"channel\":\"" + prefix + chans[k] + "\"}");
                        }
                    }

                    @Override
                    public void text(String text) {
                        onFrame(text);
                    }

                    @Override
                    public void closed(Throwable why) {
                        lostConnection(why);
                    }
                });
                return;
            }
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20)).buildAsync(uri, new WebSocket.Listener() {
                @Override
                public void onOpen(WebSocket w) {
                    ws = w;
                    send("{\"type\":\"connect\"}");
                    for (int k = 0; k < chans.length; k++) {
                        send("{\"type\":\"subscribe\",\"id\":" + k + ",\"channel\":\"" + prefix + chans[k] + "\"}");
                    }
                    w.request(Long.MAX_VALUE); // a subscriber that keeps up: no demand signal per message
                }

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean lastPart) {
                    if (!lastPart) {
                        partial.append(data);
                        return null;
                    }
                    CharSequence frame = data;
                    if (partial.length() > 0) {
                        frame = partial.append(data).toString();
                        partial.setLength(0);
                    }
                    onFrame(frame.toString());
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                    lostConnection(new RuntimeException("websocket closed " + code + " " + reason));
                    return null;
                }

                @Override
                public void onError(WebSocket w, Throwable error) {
                    lostConnection(error);
                }
            }).exceptionally(t -> {
                lostConnection(t);
                return null;
            });
        }

        void onFrame(String f) {
            if (f.startsWith("{\"type\":\"message\"")) {
                int at = f.indexOf("\"seq\":");
                if (at >= 0) {
                    seq = Wire.number(f, at + 6);
                }
                Wire.parse(f, this);
                if (seq - acked >= 256) {
                    acked = seq;
                    send("{\"type\":\"ack\",\"seq\":" + seq + "}");
                }
            } else if (f.startsWith("{\"type\":\"reply\"")) {
                int at = f.indexOf("\"seq\":");
                if (at >= 0) {
                    seq = Wire.number(f, at + 6);
                }
                if (f.contains("\"ok\":true")) {
                    if (++replies == chans.length) {
                        handshakeDone(true);
                    }
                } else {
                    System.err.println("refused: " + f);
                    handshakeDone(false);
                }
            } else if (f.startsWith("{\"type\":\"close\"") || f.startsWith("{\"type\":\"error\"")) {
                lostConnection(new RuntimeException(f));
            }
        }

        // ---- ActiveMQ's STOMP over WebSocket: CONNECT (STOMP 1.2), one SUBSCRIBE per channel, MESSAGE frames

        String channelName(int c) {
            return prefix + c;
        }

        void startStompWs() {
            if (jettyWebSocket) {
                JettyWs.connect(URI.create(stompWs), "v12.stomp", new JettyWs.Handler() {
                    @Override
                    public void opened(JettyWs.Link l) {
                        link = l;
                        // see the JDK client's onOpen below: CONNECT a little after the socket opened
                        CompletableFuture.runAsync(
                                () -> send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n\n\0"),
                                CompletableFuture.delayedExecutor(STOMP_CONNECT_DELAY_MS, TimeUnit.MILLISECONDS));
                    }

                    @Override
                    public void text(String text) {
                        stompText(text);
                    }

                    @Override
                    public void closed(Throwable why) {
                        lostConnection(why);
                    }
                });
                return;
            }
            http.newWebSocketBuilder().subprotocols("v12.stomp").connectTimeout(Duration.ofSeconds(20))
                    .buildAsync(URI.create(stompWs), new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket w) {
                            ws = w;
                            w.request(Long.MAX_VALUE); // a subscriber that keeps up: no demand signal per message
                            // ActiveMQ 5.18.5's ws transport starts its connect-check timer only after it lets
                            // frames through (AbstractStompSocket.doStart: countDown, then startConnectCheckTask);
                            // a CONNECT handled in between leaves the timer running, and 30 s later the broker
                            // closes a healthy, subscribed connection ("Channel was inactive (no connection
                            // attempt made)"): 17 of 300 clients on this machine when CONNECT went out at once.
                            // Sending CONNECT a little later keeps that race out of the throughput figures.
                            CompletableFuture.runAsync(
                                    () -> send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n\n\0"),
                                    CompletableFuture.delayedExecutor(STOMP_CONNECT_DELAY_MS, TimeUnit.MILLISECONDS));
                        }

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean lastPart) {
                            partial.append(data);
                            if (lastPart) {
                                String text = partial.toString();
                                partial.setLength(0);
                                stompText(text);
                            }
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                            lostConnection(new RuntimeException("websocket closed " + code + " " + reason));
                            return null;
                        }

                        @Override
                        public void onError(WebSocket w, Throwable error) {
                            lostConnection(error);
                        }
                    }).exceptionally(t -> {
                        lostConnection(t);
                        return null;
                    });
        }

        /** One WebSocket message from ActiveMQ: one STOMP frame, but split on NUL to be safe. */
        void stompText(String text) {
            int from = 0;
            while (from < text.length()) {
                int end = text.indexOf('\0', from);
                if (end < 0) {
                    end = text.length();
                }
                onStompFrame(text.substring(from, end));
                from = end + 1;
            }
        }

        void onStompFrame(String f) {
            int i = 0;
            while (i < f.length() && (f.charAt(i) == '\n' || f.charAt(i) == '\r')) {
                i++; // heart-beats and the EOLs after a frame's NUL
            }
            if (f.startsWith("CONNECTED", i)) {
                // subscribe once connected, as STOMP clients (stomp.js, stomp.py) do
                for (int k = 0; k < chans.length; k++) {
                    send("SUBSCRIBE\nid:" + k + "\ndestination:/topic/" + prefix + chans[k] + "\nack:auto"
                            + (k == chans.length - 1 ? "\nreceipt:subscribed" : "") + "\n\n\0");
                }
            } else if (f.startsWith("MESSAGE", i)) {
                int body = f.indexOf("\n\n", i);
                if (body >= 0) {
                    Wire.parse(f.substring(body + 2), this, Wire.BODY_MARK);
                }
            } else if (f.startsWith("RECEIPT", i)) {
                handshakeDone(true);
            } else if (f.startsWith("ERROR", i)) {
                System.err.println("STOMP ERROR: " + f);
                lostConnection(new RuntimeException("STOMP ERROR"));
            }
        }

        /** Sends in order: java.net.http allows one outstanding send per WebSocket. */
        synchronized void send(String text) {
            if (link != null) {
                link.send(text);
                return;
            }
            sending = sending.thenCompose(x -> ws.sendText(text, true)).exceptionally(t -> {
                lostConnection(t);
                return null;
            });
        }

        // ---- SSE: GET /halley/sse?subscribe=..., a line subscriber over the stream

        void startSse() {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/halley/sse?subscribe=" + channelList()))
                    .header("Accept", "text/event-stream").build();
            http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
                boolean connectedEvent;

                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    sse = subscription;
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String line) {
                    if (line.startsWith("event: connected")) {
                        connectedEvent = true;
                    } else if (line.startsWith("data: ")) {
                        if (connectedEvent) {
                            connectedEvent = false;
                            handshakeDone(true);
                        } else {
                            Wire.parse(line, Sub.this);
                        }
                    } else if (line.startsWith("event: close")) {
                        lostConnection(new RuntimeException("close event"));
                    }
                }

                @Override
                public void onError(Throwable t) {
                    lostConnection(t);
                }

                @Override
                public void onComplete() {
                    lostConnection(null);
                }
            })).whenComplete((r, t) -> {
                if (t != null) {
                    lostConnection(t);
                } else if (r.statusCode() != 200) {
                    lostConnection(new RuntimeException("HTTP " + r.statusCode()));
                }
            });
        }

        // ---- long-polling: a first poll with timeout=0 opens the session, then the cursor loop

        void startPoll() {
            poll("/halley/poll?subscribe=" + channelList() + "&timeout=0", true);
        }

        void poll(String path, boolean first) {
            if (quitting) {
                return;
            }
            if (pollClient != null) {
                pollClient.get(base + path, (status, body) -> answered(status, body, first), this::lostConnection);
                return;
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).build();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, t) -> {
                if (t != null) {
                    lostConnection(t);
                } else {
                    answered(r.statusCode(), r.body(), first);
                }
            });
        }

        /** A poll's answer: its messages, then the next poll on its cursor at once. */
        void answered(int status, String body, boolean first) {
            if (status != 200) {
                lostConnection(new RuntimeException("HTTP " + status + " " + body));
                return;
            }
            if (body.contains("\"close\":{")) {
                lostConnection(new RuntimeException(body));
                return;
            }
            Wire.parse(body, this);
            String cursor = Wire.field(body, "cursor");
            if (first) {
                handshakeDone(cursor != null);
            }
            if (cursor != null) {
                poll("/halley/poll?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) + "&timeout=20000", false);
            }
        }

        void close() {
            gone = true;
            try {
                if (ws != null) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
                }
                if (link != null) {
                    link.close();
                }
                if (sse != null) {
                    sse.cancel();
                }
                if (onClose != null) {
                    onClose.run();
                }
            } catch (Exception ignored) {
                // exiting anyway
            }
        }
    }
}
