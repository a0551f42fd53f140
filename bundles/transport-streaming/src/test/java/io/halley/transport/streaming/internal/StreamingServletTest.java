package io.halley.transport.streaming.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import io.halley.api.CloseReason;
import io.halley.api.Hub;
import io.halley.api.Message;
import io.halley.api.testing.TestFrame;
import io.halley.api.testing.TestHub;
import io.halley.api.testing.TestServer;
import io.halley.api.testing.TestSession;

public class StreamingServletTest {

    private static final Pattern SESSION = Pattern.compile("\"session\":\"([^\"]+)\"");

    private final TestHub hub = new TestHub();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private StreamingServlet servlet;
    private TestServer server;

    private void start(Hub h, Map<String, Object> config) throws Exception {
        servlet = new StreamingServlet(h, Converters.standardConverter().convert(config).to(StreamingConfig.class));
        server = new TestServer(servlet, "/halley/stream");
    }

    private void start(Map<String, Object> config) throws Exception {
        start(hub, config);
    }

    private void start() throws Exception {
        start(new HashMap<>());
    }

    @After
    public void stop() throws Exception {
        if (servlet != null) {
            servlet.deactivate();
        }
        if (server != null) {
            server.stop();
        }
    }

    private HttpRequest.Builder get(String query) {
        return HttpRequest.newBuilder(server.uri("/halley/stream" + query)).timeout(Duration.ofSeconds(10));
    }

    private LineStream open(String query) {
        return LineStream.open(client, get(query).build());
    }

    private HttpResponse<String> send(String query) throws Exception {
        return client.send(get(query).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String query, String contentType, String body) throws Exception {
        HttpRequest.Builder b = get(query).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sessionOf(String connected) {
        Matcher m = SESSION.matcher(connected);
        assertTrue(connected, m.find());
        return m.group(1);
    }

    private static String connected(String id, boolean resumed, long missed, long heartbeat) {
        return "{\"type\":\"connected\",\"session\":\"" + id + "\",\"resumed\":" + resumed + ",\"missed\":" + missed
                + ",\"heartbeat\":" + heartbeat + "}";
    }

    private static String frame(long seq, String channel, String data) {
        return TestFrame.message(seq, new Message(channel, "ID:" + seq, seq, 0, data)).json();
    }

    @Test
    public void aProtocolStreamIsConnectedThenOneFrameALine() throws Exception {
        start();
        try (LineStream s = open("?protocol=1")) {
            HttpResponse.ResponseInfo info = s.info();
            assertEquals(200, info.statusCode());
            assertEquals("application/x-ndjson", info.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("no-cache", info.headers().firstValue("Cache-Control").orElseThrow());
            assertEquals("no", info.headers().firstValue("X-Accel-Buffering").orElseThrow());
            assertEquals("chunked", info.headers().firstValue("Transfer-Encoding").orElseThrow());

            String first = s.next();
            String id = sessionOf(first);
            assertEquals(connected(id, false, 0, 15000), first);
            TestSession session = hub.session(id);
            assertEquals(Set.of(), session.subscriptions());
            assertEquals("attach:-1", session.awaitEvent());

            // what subscribe frames do on the real hub
            session.subscribe("demo.news");
            session.subscribe("demo.sports");
            hub.publish("demo.news", "{\"a\":1}");
            hub.publish("demo.sports", "\"two\\nlines\"");
            hub.publish("demo.other", "\"not subscribed\"");
            assertEquals(frame(1, "demo.news", "{\"a\":1}"), s.next());
            assertEquals(frame(2, "demo.sports", "\"two\\nlines\""), s.next());

            String reply = "{\"type\":\"reply\",\"seq\":3,\"id\":4,\"ok\":true,\"result\":{}}";
            session.queue("reply", "\"id\":4,\"ok\":true,\"result\":{}");
            assertEquals(reply, s.next());
        }
    }

    @Test
    public void subscribeOpensAPlainStreamForCurl() throws Exception {
        start();
        try (LineStream s = open("?subscribe=demo.news,demo.sports")) {
            String id = sessionOf(s.next());
            assertEquals(Set.of("demo.news", "demo.sports"), hub.session(id).subscriptions());
            assertEquals("attach:-1", hub.session(id).awaitEvent());
            hub.publish("demo.sports", "1");
            assertEquals(frame(1, "demo.sports", "1"), s.next());
        }
    }

    @Test
    public void manyFramesArriveInOrderAcrossSmallWrites() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxFramesPerWrite", 7);
        config.put("maxBytesPerWrite", 1024);
        start(config);
        try (LineStream s = open("?subscribe=demo.news")) {
            String id = sessionOf(s.next());
            assertEquals("attach:-1", hub.session(id).awaitEvent());
            int n = 3000;
            Thread publisher = new Thread(() -> {
                for (int i = 1; i <= n; i++) {
                    hub.publish("demo.news", String.valueOf(i));
                }
            });
            publisher.start();
            for (int i = 1; i <= n; i++) {
                assertEquals(frame(i, "demo.news", String.valueOf(i)), s.nextFrame());
            }
            publisher.join(10_000);
        }
    }

    @Test
    public void resumesWithSessionAndLastSeq() throws Exception {
        start();
        String id;
        try (LineStream s = open("?protocol=1&subscribe=demo.news")) {
            id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            for (int i = 1; i <= 3; i++) {
                hub.publish("demo.news", String.valueOf(i));
            }
            for (int i = 1; i <= 3; i++) {
                assertEquals(frame(i, "demo.news", String.valueOf(i)), s.next());
            }
        }
        // the client saw only 1 of them: 2 and 3 come again, then new ones
        try (LineStream s = open("?protocol=1&session=" + id + "&lastSeq=1")) {
            assertEquals(connected(id, true, 0, 15000), s.next());
            assertEquals(frame(2, "demo.news", "2"), s.next());
            assertEquals(frame(3, "demo.news", "3"), s.next());
            hub.publish("demo.news", "4");
            assertEquals(frame(4, "demo.news", "4"), s.next());
        }
    }

    @Test
    public void resumeReportsFramesNoLongerAvailable() throws Exception {
        start();
        String id = hub.openSession("streaming", "test", io.halley.api.Credentials.none(), List.of("demo.news")).id();
        for (int i = 1; i <= 5; i++) {
            hub.publish("demo.news", String.valueOf(i));
        }
        hub.session(id).drop(3);
        try (LineStream s = open("?protocol=1&session=" + id + "&lastSeq=0")) {
            assertEquals(connected(id, true, 3, 15000), s.next());
            assertEquals(frame(4, "demo.news", "4"), s.next());
            assertEquals(frame(5, "demo.news", "5"), s.next());
        }
    }

    @Test
    public void idleStreamGetsHeartbeatLines() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 100);
        start(config);
        try (LineStream s = open("?protocol=1")) {
            assertTrue(s.next().endsWith(",\"heartbeat\":100}"));
            assertEquals(LineStream.HEARTBEAT, s.next());
            assertEquals(LineStream.HEARTBEAT, s.next());
        }
    }

    @Test
    public void closeFrameEndsTheResponse() throws Exception {
        start();
        try (LineStream s = open("?subscribe=demo.news")) {
            String id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            hub.publish("demo.news", "1");
            assertEquals(frame(1, "demo.news", "1"), s.next());
            hub.publish("demo.news", "2");
            hub.session(id).close(CloseReason.SLOW_CONSUMER);
            String line = s.next();
            if (line.equals(frame(2, "demo.news", "2"))) {
                line = s.next();
            }
            assertEquals("{\"type\":\"close\",\"reason\":\"slow_consumer\",\"reconnect\":false}", line);
            assertNull(s.next());
        }
    }

    @Test
    public void aDisconnectedStreamEndsAndItsSessionResumes() throws Exception {
        start();
        String id;
        try (LineStream s = open("?subscribe=demo.news")) {
            id = sessionOf(s.next());
            assertEquals("attach:-1", hub.session(id).awaitEvent());
            assertTrue(hub.session(id).disconnect());
            assertEquals("{\"type\":\"close\",\"reason\":\"disconnected\",\"reconnect\":true}", s.nextFrame());
            assertNull(s.next());
        }
        hub.publish("demo.news", "1");
        try (LineStream s = open("?session=" + id + "&lastSeq=0")) {
            assertEquals(connected(id, true, 0, 15000), s.next());
            assertEquals(frame(1, "demo.news", "1"), s.next());
        }
    }

    @Test
    public void replacedStreamEndsWithoutTakingFrames() throws Exception {
        start();
        try (LineStream first = open("?protocol=1")) {
            String id = sessionOf(first.next());
            TestSession session = hub.session(id);
            session.subscribe("demo.news");
            session.awaitEvent();
            try (LineStream second = open("?protocol=1&session=" + id)) {
                assertEquals("{\"type\":\"close\",\"reason\":\"replaced\",\"reconnect\":false}", first.nextFrame());
                assertNull(first.next());
                assertEquals(connected(id, true, 0, 15000), second.next());
                hub.publish("demo.news", "1");
                assertEquals(frame(1, "demo.news", "1"), second.next());
            }
        }
    }

    @Test
    public void deactivateEndsStreamsAndKeepsSessions() throws Exception {
        start();
        try (LineStream s = open("?protocol=1")) {
            String id = sessionOf(s.next());
            TestSession session = hub.session(id);
            assertEquals("attach:-1", session.awaitEvent());
            servlet.deactivate();
            assertNull(s.nextFrame());
            assertEquals("detach", session.awaitEvent());
            assertTrue(session.isOpen());
            assertEquals(0, servlet.openConnections());
        }
        HttpResponse<String> r = send("?protocol=1");
        assertEquals(503, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"unavailable\","));
    }

    @Test
    public void aVanishedClientIsDetachedByTheNextHeartbeat() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 100);
        start(config);
        TestSession session;
        try (LineStream s = open("?protocol=1")) {
            session = hub.session(sessionOf(s.next()));
            assertEquals("attach:-1", session.awaitEvent());
        }
        assertEquals("detach", session.awaitEvent());
        assertTrue(session.isOpen());
        assertEquals(0, servlet.openConnections());
    }

    @Test
    public void requestErrorsAreDocumentedJson() throws Exception {
        start();
        String id = hub.openSession("streaming", "test", io.halley.api.Credentials.none(), List.of("demo.news")).id();

        HttpResponse<String> r = send("?protocol=1&session=nope");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":\"unknown_session\",\"message\":\"no open session with this id\"}", r.body());

        for (String query : List.of("?protocol=1&session=" + id + "&lastSeq=x1",
                "?protocol=1&session=" + id + "&lastSeq=-1", "?protocol=1&session=" + id + "&lastSeq=",
                "?protocol=1&session=" + id + "&lastSeq=1", "?protocol=1&lastSeq=0", "?protocol=2",
                "?subscribe=" + "a".repeat(5000))) {
            r = send(query);
            assertEquals(query, 400, r.statusCode());
            assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));
        }

        r = send("");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"missing_channel\","));

        r = send("?subscribe=bad..name");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"invalid_channel\","));

        r = client.send(get("?protocol=1").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElseThrow());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"method_not_allowed\","));

        assertEquals(List.of("streaming:unknown_session", "streaming:bad_request", "streaming:bad_request",
                "streaming:bad_request", "streaming:bad_request", "streaming:bad_request", "streaming:bad_request",
                "streaming:bad_request", "streaming:missing_channel", "streaming:invalid_channel",
                "streaming:method_not_allowed"), hub.errors);
        assertEquals(1, hub.sessions.size());
        assertEquals("", String.join(",", hub.session(id).events));
    }

    @Test
    public void postHandsTheBodyToTheSession() throws Exception {
        start();
        String id;
        try (LineStream s = open("?protocol=1")) {
            id = sessionOf(s.next());
            String frames = "[{\"type\":\"subscribe\",\"id\":1,\"channel\":\"demo.chat\"},{\"type\":\"ack\",\"seq\":0}]";
            HttpResponse<String> r = post("?session=" + id, "application/json", frames);
            assertEquals(202, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("{\"accepted\":1}", r.body());
            assertEquals(frames, hub.session(id).handled.poll());
        }
        assertEquals(List.of(), hub.errors);
    }

    @Test
    public void postErrorsAreDocumentedJsonAndCounted() throws Exception {
        start();
        String id = hub.openSession("streaming", "test", io.halley.api.Credentials.none(), List.of()).id();

        HttpResponse<String> r = post("?session=nope", "application/json", "{}");
        assertEquals(404, r.statusCode());
        assertEquals("{\"error\":\"unknown_session\",\"message\":\"no open session with this id\"}", r.body());

        r = post("?protocol=1", "application/json", "{}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));

        r = post("?session=" + id, "application/json", "ping");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_frame\","));

        r = post("?session=" + id, "application/json", "{\"data\":\"" + "é".repeat(hub.maxClientFrameSize()) + "\"}");
        assertEquals(413, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"too_large\","));

        r = post("?session=" + id, "application/json; charset=iso-8859-1", "{}");
        assertEquals(415, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"unsupported_media_type\","));

        assertEquals(List.of("streaming:unknown_session", "streaming:bad_request", "streaming:bad_frame",
                "streaming:too_large", "streaming:unsupported_media_type"), hub.errors);
        assertTrue(hub.session(id).handled.isEmpty());
    }
}
