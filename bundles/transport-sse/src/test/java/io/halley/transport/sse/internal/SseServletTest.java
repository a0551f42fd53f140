package io.halley.transport.sse.internal;

import io.halley.api.testing.TestFrame;
import io.halley.api.testing.TestHub;
import io.halley.api.testing.TestServer;
import io.halley.api.testing.TestSession;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import io.halley.api.CloseReason;

public class SseServletTest {

    private static final Pattern SESSION = Pattern.compile("\"session\":\"([^\"]+)\"");

    private final TestHub hub = new TestHub();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private SseServlet servlet;
    private TestServer server;

    private void start(Map<String, Object> config) throws Exception {
        servlet = new SseServlet(hub, Converters.standardConverter().convert(config).to(SseConfig.class));
        server = new TestServer(servlet, "/halley/sse");
    }

    private void start(Map<String, Object> config, long idleTimeout) throws Exception {
        servlet = new SseServlet(hub, Converters.standardConverter().convert(config).to(SseConfig.class));
        server = new TestServer(servlet, "/halley/sse", idleTimeout);
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
        return HttpRequest.newBuilder(server.uri("/halley/sse" + query)).timeout(Duration.ofSeconds(10));
    }

    private static String sessionOf(SseStream.Event connected) {
        Matcher m = SESSION.matcher(connected.data());
        assertTrue(connected.data(), m.find());
        return m.group(1);
    }

    private static void assertMessage(SseStream.Event e, long seq, String data) {
        assertNotNull("stream ended early", e);
        assertEquals(String.valueOf(seq), e.id());
        assertNull(e.event());
        assertTrue(e.data(), e.data().startsWith("{\"type\":\"message\",\"seq\":" + seq + ","));
        assertTrue(e.data(), e.data().endsWith(",\"data\":" + data + "}"));
    }

    @Test
    public void streamCarriesFramesInOrderWithTheirSeqAsId() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news,demo.sports").build())) {
            HttpResponse.ResponseInfo info = s.info();
            assertEquals(200, info.statusCode());
            assertEquals("text/event-stream;charset=utf-8",
                    info.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase());
            assertEquals("no-cache", info.headers().firstValue("Cache-Control").orElseThrow());
            assertEquals("no", info.headers().firstValue("X-Accel-Buffering").orElseThrow());

            SseStream.Event connected = s.next();
            assertEquals("connected", connected.event());
            assertEquals(Long.valueOf(2000), connected.retry());
            String id = sessionOf(connected);
            assertEquals("{\"type\":\"connected\",\"session\":\"" + id
                    + "\",\"resumed\":false,\"missed\":0,\"heartbeat\":15000}", connected.data());
            assertEquals("halley_sse=" + id + "; Path=/halley/sse; HttpOnly; SameSite=Strict",
                    info.headers().firstValue("Set-Cookie").orElseThrow());
            assertEquals("attach:-1", hub.session(id).awaitEvent());

            hub.publish("demo.news", "{\"a\":1}");
            hub.publish("demo.sports", "\"two\"");
            hub.publish("demo.other", "\"not subscribed\"");
            hub.publish("demo.news", "3");
            assertMessage(s.next(), 1, "{\"a\":1}");
            assertMessage(s.next(), 2, "\"two\"");
            assertMessage(s.next(), 3, "3");
        }
    }

    @Test
    public void manyFramesArriveInOrderAcrossSmallWrites() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxFramesPerWrite", 7);
        config.put("maxBytesPerWrite", 1024);
        start(config);
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
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
                assertMessage(s.nextData(), i, String.valueOf(i));
            }
            publisher.join(10_000);
        }
    }

    @Test
    public void resumesWithSessionParamAndLastEventId() throws Exception {
        start();
        String id;
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            hub.publish("demo.news", "1");
            hub.publish("demo.news", "2");
            hub.publish("demo.news", "3");
            assertMessage(s.next(), 1, "1");
            assertMessage(s.next(), 2, "2");
            assertMessage(s.next(), 3, "3");
        }
        // the client saw only 1 of them; 2 and 3 come again, then new ones
        try (SseStream s = SseStream.open(client, get("?session=" + id)
                .header("Last-Event-ID", "1").build())) {
            SseStream.Event connected = s.next();
            assertEquals("{\"type\":\"connected\",\"session\":\"" + id
                    + "\",\"resumed\":true,\"missed\":0,\"heartbeat\":15000}", connected.data());
            assertMessage(s.next(), 2, "2");
            assertMessage(s.next(), 3, "3");
            hub.publish("demo.news", "4");
            assertMessage(s.next(), 4, "4");
        }
        // a client coming from another transport puts its last seq in the URL
        try (SseStream s = SseStream.open(client, get("?protocol=1&session=" + id + "&lastEventId=3").build())) {
            s.next();
            assertMessage(s.next(), 4, "4");
        }
        // the header, newer, wins over the URL of an EventSource that reconnected by itself
        try (SseStream s = SseStream.open(client, get("?protocol=1&session=" + id + "&lastEventId=1")
                .header("Last-Event-ID", "3").build())) {
            s.next();
            assertMessage(s.next(), 4, "4");
        }
    }

    @Test
    public void resumeReportsFramesNoLongerAvailable() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(s.next());
            TestSession session = hub.session(id);
            session.awaitEvent();
            for (int i = 1; i <= 5; i++) {
                hub.publish("demo.news", String.valueOf(i));
            }
            session.drop(3);
            try (SseStream r = SseStream.open(client, get("?session=" + id)
                    .header("Last-Event-ID", "0").build())) {
                assertTrue(r.next().data().contains("\"resumed\":true,\"missed\":3,"));
                assertMessage(r.next(), 4, "4");
                assertMessage(r.next(), 5, "5");
            }
        }
    }

    @Test
    public void resumeAddsNewChannels() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(s.next());
            try (SseStream r = SseStream.open(client,
                    get("?session=" + id + "&subscribe=demo.news,demo.sports").build())) {
                r.next();
                assertEquals(java.util.Set.of("demo.news", "demo.sports"), hub.session(id).subscriptions());
            }
        }
    }

    @Test
    public void cookieResumesTheSession() throws Exception {
        start();
        String id;
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            hub.publish("demo.news", "1");
            hub.publish("demo.news", "2");
            assertMessage(s.next(), 1, "1");
            assertMessage(s.next(), 2, "2");
        }
        // what EventSource sends when it reconnects by itself
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news")
                .header("Cookie", "halley_sse=" + id).header("Last-Event-ID", "1").build())) {
            SseStream.Event connected = s.next();
            assertEquals(id, sessionOf(connected));
            assertTrue(connected.data(), connected.data().contains("\"resumed\":true"));
            assertMessage(s.next(), 2, "2");
        }
        // a new page or a second tab sends the cookie but no Last-Event-ID: it gets its own session
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news")
                .header("Cookie", "halley_sse=" + id).build())) {
            SseStream.Event connected = s.next();
            assertTrue(connected.data(), connected.data().contains("\"resumed\":false"));
            assertTrue(!id.equals(sessionOf(connected)));
        }
    }

    @Test
    public void cookieOfAnExpiredSessionOpensANewOne() throws Exception {
        start();
        String old;
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            old = sessionOf(s.next());
        }
        hub.session(old).close(CloseReason.EXPIRED);
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news")
                .header("Cookie", "halley_sse=" + old).header("Last-Event-ID", "7").build())) {
            assertEquals(200, s.info().statusCode());
            SseStream.Event connected = s.next();
            String id = sessionOf(connected);
            assertNotEquals(old, id);
            assertTrue(connected.data(), connected.data().contains("\"resumed\":false"));
            assertTrue(s.info().headers().firstValue("Set-Cookie").orElseThrow().startsWith("halley_sse=" + id + ";"));
            hub.session(id).awaitEvent();
            hub.publish("demo.news", "1");
            assertMessage(s.next(), 1, "1");
        }
    }

    @Test
    public void unknownSessionParamIs404Json() throws Exception {
        start();
        HttpResponse<String> r = client.send(get("?session=nope").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":\"unknown_session\",\"message\":\"no open session with this id\"}", r.body());
        assertEquals(java.util.List.of("sse:unknown_session"), hub.errors);
    }

    @Test
    public void badLastEventIdIs400() throws Exception {
        start();
        String id = hub.openSession("sse", "test", io.halley.api.Credentials.none(), java.util.List.of("demo.news")).id();
        HttpResponse<String> r = client.send(get("?session=" + id).header("Last-Event-ID", "12abc").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));
        assertEquals(java.util.List.of("sse:bad_request"), hub.errors);
    }

    @Test
    public void requestErrorsAreDocumentedJson() throws Exception {
        start();
        HttpResponse<String> r = client.send(get("").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"missing_channel\","));

        r = client.send(get("?subscribe=bad..name").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"invalid_channel\","));

        r = client.send(get("?subscribe=a,b,c,d,e,f,g,h,i").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"too_many_channels\","));

        r = client.send(get("?subscribe=" + "a".repeat(5000)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));

        r = client.send(get("?subscribe=demo.news").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElseThrow());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"method_not_allowed\","));

        assertEquals(java.util.List.of("sse:missing_channel", "sse:invalid_channel", "sse:too_many_channels",
                "sse:bad_request", "sse:method_not_allowed"), hub.errors);
        assertTrue(hub.sessions.isEmpty());
    }

    @Test
    public void idleStreamGetsHeartbeats() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 100);
        start(config);
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            assertTrue(s.next().data().endsWith(",\"heartbeat\":100}"));
            SseStream.Event e = s.next();
            assertEquals(java.util.List.of("heartbeat"), e.comments());
            assertNull(e.data());
            assertEquals(java.util.List.of("heartbeat"), s.next().comments());
        }
    }

    @Test
    public void closeFrameEndsTheStream() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            hub.publish("demo.news", "1");
            assertMessage(s.next(), 1, "1");
            hub.publish("demo.news", "2");
            hub.session(id).close(CloseReason.SLOW_CONSUMER);
            SseStream.Event e = s.nextData();
            if ("2".equals(e.id())) {
                e = s.nextData();
            }
            assertEquals("close", e.event());
            assertNull(e.id());
            assertEquals("{\"type\":\"close\",\"reason\":\"slow_consumer\",\"reconnect\":false}", e.data());
            assertNull(s.next());
        }
    }

    @Test
    public void replacedStreamEndsWithoutTakingFrames() throws Exception {
        start();
        try (SseStream first = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(first.next());
            TestSession session = hub.session(id);
            session.awaitEvent();
            try (SseStream second = SseStream.open(client, get("?session=" + id).build())) {
                SseStream.Event closed = first.nextData();
                assertEquals("close", closed.event());
                assertEquals("{\"type\":\"close\",\"reason\":\"replaced\",\"reconnect\":false}", closed.data());
                assertNull(first.next());
                assertTrue(second.next().data().contains("\"resumed\":true"));
                hub.publish("demo.news", "1");
                assertMessage(second.next(), 1, "1");
            }
        }
    }

    @Test
    public void deactivateEndsStreamsAndKeepsSessions() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(s.next());
            TestSession session = hub.session(id);
            assertEquals("attach:-1", session.awaitEvent());
            servlet.deactivate();
            assertNull(s.nextData());
            assertEquals("detach", session.awaitEvent());
            assertTrue(session.isOpen());
            assertEquals(0, servlet.openConnections());
        }
    }

    @Test
    public void anIdleStreamOutlastsTheConnectorIdleTimeout() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 1000);
        start(config, 200);
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(s.next());
            assertEquals(java.util.List.of("heartbeat"), s.next().comments());
            hub.publish("demo.news", "1");
            assertMessage(s.nextData(), 1, "1");
            assertTrue(hub.session(id).isOpen());
        }
    }

    @Test
    public void aVanishedClientIsDetachedByTheNextHeartbeat() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 100);
        start(config);
        TestSession session;
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            session = hub.session(sessionOf(s.next()));
            assertEquals("attach:-1", session.awaitEvent());
        }
        assertEquals("detach", session.awaitEvent());
        assertTrue(session.isOpen());
        assertEquals(0, servlet.openConnections());
    }

    // --- protocol=1: the full protocol over SSE

    private HttpResponse<String> post(String query, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = get(query).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String query, String json) throws Exception {
        return post(query, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    public void protocolModeOpensASessionWithNoChannelAndNamesItsNonMessageFrames() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?protocol=1").build())) {
            assertEquals(200, s.info().statusCode());
            SseStream.Event connected = s.next();
            assertEquals("connected", connected.event());
            String id = sessionOf(connected);
            assertEquals("{\"type\":\"connected\",\"session\":\"" + id
                    + "\",\"resumed\":false,\"missed\":0,\"heartbeat\":15000}", connected.data());
            TestSession session = hub.session(id);
            assertEquals(java.util.Set.of(), session.subscriptions());
            assertEquals("attach:-1", session.awaitEvent());

            // what a subscribe frame does on the real hub
            session.subscribe("demo.news");
            hub.publish("demo.news", "{\"a\":1}");
            assertMessage(s.next(), 1, "{\"a\":1}");

            String reply = "{\"type\":\"reply\",\"seq\":2,\"id\":4,\"ok\":true,\"result\":{}}";
            session.queue("reply", "\"id\":4,\"ok\":true,\"result\":{}");
            SseStream.Event e = s.next();
            assertEquals("2", e.id());
            assertEquals("reply", e.event());
            assertEquals(reply, e.data());

            String gap = "{\"type\":\"gap\",\"seq\":3,\"channel\":\"demo.news\",\"from\":1,\"to\":4}";
            session.queue("gap", "\"channel\":\"demo.news\",\"from\":1,\"to\":4");
            e = s.next();
            assertEquals("3", e.id());
            assertEquals("gap", e.event());
            assertEquals(gap, e.data());
        }
    }

    @Test
    public void withoutProtocolASequencedReplyStaysAPlainEvent() throws Exception {
        start();
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news").build())) {
            String id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            String reply = "{\"type\":\"reply\",\"seq\":1,\"id\":4,\"ok\":true,\"result\":{}}";
            hub.session(id).queue("reply", "\"id\":4,\"ok\":true,\"result\":{}");
            SseStream.Event e = s.next();
            assertEquals("1", e.id());
            assertNull(e.event());
            assertEquals(reply, e.data());
        }
    }

    @Test
    public void protocolModeResumesWithSessionAndLastEventId() throws Exception {
        start();
        String id;
        try (SseStream s = SseStream.open(client, get("?protocol=1").build())) {
            id = sessionOf(s.next());
            hub.session(id).awaitEvent();
            hub.session(id).subscribe("demo.news");
            hub.publish("demo.news", "1");
            hub.publish("demo.news", "2");
            assertMessage(s.next(), 1, "1");
            assertMessage(s.next(), 2, "2");
        }
        try (SseStream s = SseStream.open(client, get("?protocol=1&session=" + id)
                .header("Last-Event-ID", "1").build())) {
            assertTrue(s.next().data().contains("\"resumed\":true,\"missed\":0,"));
            assertMessage(s.next(), 2, "2");
        }
    }

    @Test
    public void protocolModeHeartbeatsAreEvents() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 100);
        start(config);
        try (SseStream s = SseStream.open(client, get("?protocol=1").build())) {
            assertTrue(s.next().data().endsWith(",\"heartbeat\":100}"));
            for (int i = 0; i < 2; i++) {
                SseStream.Event e = s.next();
                assertEquals("heartbeat", e.event());
                assertEquals("{\"type\":\"heartbeat\"}", e.data());
                assertNull(e.id());
                assertEquals(java.util.List.of(), e.comments());
            }
        }
    }

    @Test
    public void protocolOtherThanOneIs400() throws Exception {
        start();
        HttpResponse<String> r = client.send(get("?protocol=2").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));
        assertTrue(hub.sessions.isEmpty());
    }

    @Test
    public void postHandsTheBodyToTheSession() throws Exception {
        start();
        String id;
        try (SseStream s = SseStream.open(client, get("?protocol=1").build())) {
            id = sessionOf(s.next());
        }
        String frames = "[{\"type\":\"subscribe\",\"id\":1,\"channel\":\"demo.chat\"},{\"type\":\"ping\",\"id\":\"é\"}]";
        HttpResponse<String> r = post("?session=" + id, frames);
        assertEquals(202, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"accepted\":1}", r.body());
        assertEquals(frames, hub.session(id).handled.poll());

        // no Content-Type (curl --data-binary @file -H 'Content-Type:') and exactly the maximum
        String largest = "{" + " ".repeat(hub.maxClientFrameSize() - 2) + "}";
        r = post("?session=" + id, null, largest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(202, r.statusCode());
        assertEquals(largest, hub.session(id).handled.poll());
        assertEquals(java.util.List.of(), hub.errors);
    }

    @Test
    public void postErrorsAreDocumentedJsonAndCounted() throws Exception {
        start();
        String id = hub.openSession("sse", "test", io.halley.api.Credentials.none(), java.util.List.of()).id();

        HttpResponse<String> r = post("?session=nope", "{\"type\":\"ping\"}");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":\"unknown_session\",\"message\":\"no open session with this id\"}", r.body());

        r = post("", "{\"type\":\"ping\"}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));

        r = post("?session=" + id, "not json");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_frame\","));

        r = post("?session=" + id, "{" + " ".repeat(hub.maxClientFrameSize() - 1) + "}");
        assertEquals(413, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"too_large\","));

        r = post("?session=" + id, "text/plain", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(415, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"unsupported_media_type\","));

        r = post("?session=" + id, "application/json", new byte[] {'{', '"', (byte) 0xc3, '"', '}'});
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"invalid_text\","));

        hub.session(id).close(CloseReason.EXPIRED);
        r = post("?session=" + id, "{}");
        assertEquals(404, r.statusCode());

        assertEquals(java.util.List.of("sse:unknown_session", "sse:bad_request", "sse:bad_frame", "sse:too_large",
                "sse:unsupported_media_type", "sse:invalid_text", "sse:unknown_session"), hub.errors);
        assertTrue(hub.session(id).handled.isEmpty());
    }

    @Test
    public void credentialsComeFromTheHeaderOrTheTokenParameterAndOnlyTheirOwnerResumes() throws Exception {
        start();
        HttpResponse<String> refused = client.send(get("?subscribe=demo.news").header("Authorization", "Bearer bad").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
        assertEquals("Bearer realm=\"halley\"", refused.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"authentication failed\"}", refused.body());
        HttpResponse<String> malformed = client.send(get("?subscribe=demo.news").header("Authorization", "Digest x").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, malformed.statusCode());
        HttpResponse<String> forbidden = client.send(get("?subscribe=forbidden").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forbidden.statusCode());
        assertTrue(forbidden.body(), forbidden.body().startsWith("{\"error\":\"forbidden\""));

        String id;
        try (SseStream s = SseStream.open(client, get("?subscribe=demo.news&token=alice.t.x").build())) {
            assertEquals(200, s.info().statusCode());
            id = sessionOf(s.next());
            assertEquals("user:alice", hub.session(id).identity().toString());
        }
        // another subject, or nobody, cannot resume alice's session; alice can
        HttpResponse<String> stolen = client.send(get("?session=" + id).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, stolen.statusCode());
        HttpResponse<String> bob = client.send(get("?session=" + id).header("Authorization", "Bearer bob.t.x").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, bob.statusCode());
        try (SseStream s = SseStream.open(client, get("?session=" + id).header("Authorization", "Bearer alice.t.x").build())) {
            assertEquals(200, s.info().statusCode());
            assertEquals("connected", s.next().event());
        }
        assertEquals(java.util.List.of("sse:unauthorized", "sse:unauthorized", "sse:forbidden", "sse:unknown_session",
                "sse:unknown_session"), hub.errors);
    }
}
