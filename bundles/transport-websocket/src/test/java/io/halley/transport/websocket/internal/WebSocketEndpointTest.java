package io.halley.transport.websocket.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import io.halley.api.CloseReason;
import io.halley.api.testing.TestHub;
import io.halley.api.testing.TestSession;

public class WebSocketEndpointTest {

    private static final Pattern SESSION = Pattern.compile("\"session\":\"([^\"]+)\"");

    private final TestHub hub = new TestHub();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private WebSocketEndpoint endpoint;
    private WsServer server;

    private void start(Map<String, Object> config) throws Exception {
        endpoint = new WebSocketEndpoint(hub, Converters.standardConverter().convert(config).to(WebSocketConfig.class));
        server = new WsServer(endpoint);
    }

    private void start() throws Exception {
        start(new HashMap<>());
    }

    @After
    public void stop() throws Exception {
        if (endpoint != null) {
            endpoint.deactivate();
        }
        if (server != null) {
            server.stop();
        }
    }

    private WsClient open() throws Exception {
        return WsClient.open(client, server.uri());
    }

    /** Connects a new session subscribed to the channels; returns its id. */
    private String connect(WsClient ws, String... channels) throws Exception {
        ws.send("{\"type\":\"connect\"}");
        String connected = ws.next();
        String id = sessionOf(connected);
        assertEquals("{\"type\":\"connected\",\"session\":\"" + id
                + "\",\"resumed\":false,\"missed\":0,\"heartbeat\":" + heartbeatOf(connected) + "}", connected);
        TestSession s = hub.session(id);
        assertEquals("attach:-1", s.awaitEvent());
        for (String c : channels) {
            s.subscribe(c);
        }
        return id;
    }

    private static String sessionOf(String connected) {
        Matcher m = SESSION.matcher(connected);
        assertTrue(connected, m.find());
        return m.group(1);
    }

    private static long heartbeatOf(String connected) {
        Matcher m = Pattern.compile("\"heartbeat\":(\\d+)").matcher(connected);
        assertTrue(connected, m.find());
        return Long.parseLong(m.group(1));
    }

    private static void assertMessage(String frame, long seq, String data) {
        assertTrue(frame, frame.startsWith("{\"type\":\"message\",\"seq\":" + seq + ","));
        assertTrue(frame, frame.endsWith(",\"data\":" + data + "}"));
    }

    private static void assertError(String frame, String code) {
        assertTrue(frame, frame.startsWith("{\"type\":\"error\",\"code\":\"" + code + "\",\"message\":\""));
    }

    @Test
    public void connectAnswersConnectedAndFramesFollowAsTextMessages() throws Exception {
        start();
        try (WsClient ws = open()) {
            String id = connect(ws, "demo.news", "demo.sports");
            assertEquals("websocket", hub.session(id).transport());
            assertEquals("127.0.0.1", hub.session(id).remoteAddress());
            hub.publish("demo.news", "{\"a\":1}");
            hub.publish("demo.other", "\"not subscribed\"");
            hub.publish("demo.sports", "\"two\"");
            assertMessage(ws.nextFrame(), 1, "{\"a\":1}");
            assertMessage(ws.nextFrame(), 2, "\"two\"");
        }
    }

    @Test
    public void resumeWithSessionAndLastSeqGetsTheFramesAfterIt() throws Exception {
        start();
        String id;
        TestSession s;
        try (WsClient ws = open()) {
            id = connect(ws, "demo.news");
            s = hub.session(id);
            for (int i = 1; i <= 3; i++) {
                hub.publish("demo.news", String.valueOf(i));
            }
            for (int i = 1; i <= 3; i++) {
                assertMessage(ws.nextFrame(), i, String.valueOf(i));
            }
        }
        assertEquals("detach", s.awaitEvent());
        hub.publish("demo.news", "4");
        hub.publish("demo.news", "5");
        try (WsClient ws = open()) {
            ws.send("{\"type\":\"connect\",\"session\":\"" + id + "\",\"lastSeq\":1}");
            assertEquals("{\"type\":\"connected\",\"session\":\"" + id
                    + "\",\"resumed\":true,\"missed\":0,\"heartbeat\":15000}", ws.next());
            for (int i = 2; i <= 5; i++) {
                assertMessage(ws.nextFrame(), i, String.valueOf(i));
            }
            assertEquals("attach:1", s.awaitEvent());
        }
    }

    @Test
    public void thousandsOfFramesArriveInOrder() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxFramesPerWrite", 7);
        config.put("maxBytesPerWrite", 1024);
        start(config);
        try (WsClient ws = open()) {
            connect(ws, "demo.news");
            int n = 5000;
            Thread publisher = new Thread(() -> {
                for (int i = 1; i <= n; i++) {
                    hub.publish("demo.news", String.valueOf(i));
                }
            });
            publisher.start();
            for (int i = 1; i <= n; i++) {
                assertMessage(ws.nextFrame(), i, String.valueOf(i));
            }
            publisher.join(10_000);
        }
    }

    @Test
    public void aClientThatDoesNotReadLeavesItsFramesInTheSession() throws Exception {
        start();
        try (RawSocket raw = new RawSocket(server.port(), WebSocketEndpoint.PATH)) {
            raw.sendText("{\"type\":\"connect\"}".getBytes(StandardCharsets.UTF_8));
            TestSession s = hub.session(sessionOf(raw.nextText()));
            assertEquals("attach:-1", s.awaitEvent());
            s.subscribe("demo.news");
            String data = "\"" + "x".repeat(10_000) + "\"";
            long start = System.nanoTime();
            // ~30 MB, far more than the socket buffers take: the rest must wait in the session
            for (int i = 0; i < 3000; i++) {
                hub.publish("demo.news", data);
            }
            assertTrue("publishing waited for the socket",
                    System.nanoTime() - start < TimeUnit.SECONDS.toNanos(WsClient.WAIT_SECONDS));
            assertTrue(s.hasPending());
            assertEquals(1, endpoint.openConnections());
        }
    }

    @Test
    public void clientFramesGoToTheSession() throws Exception {
        start();
        try (WsClient ws = open()) {
            String id = connect(ws);
            String subscribe = "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"demo.chat\"}";
            String batch = "[{\"type\":\"ack\",\"seq\":0},{\"type\":\"ping\",\"id\":2}]";
            ws.send(subscribe);
            ws.send(batch);
            TestSession s = hub.session(id);
            assertEquals(subscribe, s.handled.poll(WsClient.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(batch, s.handled.poll(WsClient.WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    public void aFirstFrameOtherThanConnectGetsAnErrorAndCloses4400() throws Exception {
        start();
        try (WsClient ws = open()) {
            ws.send("{\"type\":\"subscribe\",\"channel\":\"demo.news\"}");
            assertError(ws.next(), "not_connected");
            assertEquals(4400, ws.awaitClose());
        }
        try (WsClient ws = open()) {
            ws.send("not json");
            assertError(ws.next(), "bad_frame");
            assertEquals(4400, ws.awaitClose());
        }
        assertTrue(hub.errors.toString(), hub.errors.contains("websocket:not_connected"));
        assertTrue(hub.errors.toString(), hub.errors.contains("websocket:bad_frame"));
        assertTrue(hub.sessions.isEmpty());
    }

    @Test
    public void aBadFrameLaterGetsAnErrorFrameAndTheSocketStays() throws Exception {
        start();
        try (WsClient ws = open()) {
            String id = connect(ws, "demo.news");
            ws.send("nonsense");
            assertError(ws.nextFrame(), "bad_frame");
            ws.sendBinary(new byte[] {1, 2, 3});
            assertError(ws.nextFrame(), "bad_frame");
            // counted before the error frame is sent
            assertEquals(2, hub.errors.stream().filter("websocket:bad_frame"::equals).count());

            String ping = "{\"type\":\"ping\",\"id\":1}";
            ws.send(ping);
            assertEquals(ping, hub.session(id).handled.poll(WsClient.WAIT_SECONDS, TimeUnit.SECONDS));
            hub.publish("demo.news", "1");
            assertMessage(ws.nextFrame(), 1, "1");
            assertTrue(!ws.isClosed());
        }
    }

    @Test
    public void tooManyBadFramesInARowClose1008() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxBadFrames", 2);
        start(config);
        try (WsClient ws = open()) {
            connect(ws);
            ws.send("bad 1");
            assertError(ws.nextFrame(), "bad_frame");
            ws.send("{\"type\":\"ping\"}"); // a good frame between: the count starts again
            ws.send("bad 2");
            assertError(ws.nextFrame(), "bad_frame");
            ws.send("bad 3");
            assertError(ws.nextFrame(), "bad_frame");
            ws.send("bad 4");
            assertError(ws.nextFrame(), "bad_frame");
            assertEquals(1008, ws.awaitClose());
        }
    }

    @Test
    public void aMessageOverTheHubsLimitCloses1009() throws Exception {
        start(); // the TestHub takes at most 65,536 characters, under the configured 300,000
        try (WsClient ws = open()) {
            String id = connect(ws);
            ws.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
            assertEquals(1009, ws.awaitClose());
            assertEquals("detach", hub.session(id).awaitEvent());
        }
        assertTrue(hub.errors.toString(), hub.errors.contains("websocket:too_large"));
    }

    @Test
    public void aMessageOverTheContainersLimitCloses1009() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxMessageSize", 2000);
        start(config);
        try (WsClient ws = open()) {
            String id = connect(ws);
            // over the container's byte limit (3 bytes per allowed character): Jetty refuses
            // it while reading, before it is ever buffered whole
            ws.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(7000) + "\"}");
            assertEquals(1009, ws.awaitClose());
            assertEquals("detach", hub.session(id).awaitEvent());
        }
    }

    @Test
    public void textThatIsNotUtf8Closes1007() throws Exception {
        start();
        try (RawSocket raw = new RawSocket(server.port(), WebSocketEndpoint.PATH)) {
            raw.sendText(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
            assertEquals(1007, raw.awaitClose());
        }
        try (RawSocket raw = new RawSocket(server.port(), WebSocketEndpoint.PATH)) {
            raw.sendText("{\"type\":\"connect\"}".getBytes(StandardCharsets.UTF_8));
            raw.sendText(new byte[] {'[', (byte) 0xFF, ']'});
            assertEquals(1007, raw.awaitClose());
        }
    }

    @Test
    public void aCloseFrameFromTheHubIsSentThenTheSocketCloses1000() throws Exception {
        start();
        try (WsClient ws = open()) {
            String id = connect(ws, "demo.news");
            hub.publish("demo.news", "1");
            hub.session(id).close(CloseReason.CLOSED_BY_ADMIN);
            assertMessage(ws.nextFrame(), 1, "1");
            assertEquals("{\"type\":\"close\",\"reason\":\"closed_by_admin\",\"reconnect\":false}", ws.nextFrame());
            assertEquals(1000, ws.awaitClose());
        }
    }

    @Test
    public void aReplacedSocketGetsItsCloseFrameAndCloses4409() throws Exception {
        start();
        try (WsClient first = open(); WsClient second = open()) {
            String id = connect(first, "demo.news");
            hub.publish("demo.news", "1");
            assertMessage(first.nextFrame(), 1, "1");

            second.send("{\"type\":\"connect\",\"session\":\"" + id + "\",\"lastSeq\":1}");
            assertEquals("{\"type\":\"connected\",\"session\":\"" + id
                    + "\",\"resumed\":true,\"missed\":0,\"heartbeat\":15000}", second.next());
            assertEquals("{\"type\":\"close\",\"reason\":\"replaced\",\"reconnect\":false}", first.nextFrame());
            assertEquals(4409, first.awaitClose());

            hub.publish("demo.news", "2");
            assertMessage(second.nextFrame(), 2, "2");
            assertTrue(hub.session(id).isOpen());
        }
    }

    @Test
    public void anIdleSocketGetsHeartbeats() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("heartbeatInterval", 100);
        start(config);
        try (WsClient ws = open()) {
            ws.send("{\"type\":\"connect\"}");
            String connected = ws.next();
            assertEquals(100, heartbeatOf(connected));
            assertEquals(WebSocketConnection.HEARTBEAT, ws.next());
            assertEquals(WebSocketConnection.HEARTBEAT, ws.next());
        }
    }

    @Test
    public void deactivateClosesEverySocket1001AndTheSessionsLiveOn() throws Exception {
        start();
        try (WsClient a = open(); WsClient b = open()) {
            String idA = connect(a);
            String idB = connect(b);
            assertEquals(2, endpoint.openConnections());
            endpoint.deactivate();
            assertEquals(1001, a.awaitClose());
            assertEquals(1001, b.awaitClose());
            assertEquals("detach", hub.session(idA).awaitEvent());
            assertEquals("detach", hub.session(idB).awaitEvent());
            assertTrue(hub.session(idA).isOpen());
            assertTrue(hub.session(idB).isOpen());
            assertEquals(0, endpoint.openConnections());
        }
        try (WsClient late = open()) {
            assertEquals(1001, late.awaitClose());
        }
    }
}
