package io.halley.transport.longpoll.internal;

import io.halley.api.testing.TestFrame;
import io.halley.api.testing.TestHub;
import io.halley.api.testing.TestServer;
import io.halley.api.testing.TestSession;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import io.halley.api.CloseReason;

public class LongPollServletTest {

    private final TestHub hub = new TestHub();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private LongPollServlet servlet;
    private TestServer server;

    private void start(Map<String, Object> config) throws Exception {
        servlet = new LongPollServlet(hub, Converters.standardConverter().convert(config).to(LongPollConfig.class));
        server = new TestServer(servlet, "/halley/poll");
    }

    private void start(Map<String, Object> config, long idleTimeout) throws Exception {
        servlet = new LongPollServlet(hub, Converters.standardConverter().convert(config).to(LongPollConfig.class));
        server = new TestServer(servlet, "/halley/poll", idleTimeout);
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
        return HttpRequest.newBuilder(server.uri("/halley/poll" + query)).timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(String query) throws Exception {
        return client.send(get(query).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String query) {
        return client.sendAsync(get(query).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String answer(String id, long cursor, String messages) {
        return "{\"session\":\"" + id + "\",\"cursor\":\"" + id + ":" + cursor + "\",\"missed\":0,\"messages\":["
                + messages + "]}";
    }

    private static String frame(long seq, String channel, String data) {
        return TestFrame.message(seq, new io.halley.api.Message(channel, "ID:" + seq, seq, 0, data)).json();
    }

    /** Opens a session with a first poll that returns at once, as a client would. */
    private String openSession(String channels) throws Exception {
        HttpResponse<String> r = send("?subscribe=" + channels + "&timeout=0");
        assertEquals(200, r.statusCode());
        String id = hub.sessions.keySet().iterator().next();
        assertEquals(answer(id, 0, ""), r.body());
        TestSession s = hub.session(id);
        assertEquals("attach:-1", s.awaitEvent());
        assertEquals("detach", s.awaitEvent());
        return id;
    }

    @Test
    public void firstAnswerOfANewSessionCarriesItsCursor() throws Exception {
        start();
        HttpResponse<String> r = send("?subscribe=demo.news,demo.sports&timeout=0");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        String id = hub.sessions.keySet().iterator().next();
        assertEquals(answer(id, 0, ""), r.body());
        assertEquals(java.util.Set.of("demo.news", "demo.sports"), hub.session(id).subscriptions());
        assertTrue(hub.session(id).isOpen());
        assertEquals(0, servlet.waitingPolls());
    }

    @Test
    public void answersAtOnceWhenFramesArePending() throws Exception {
        start();
        String id = openSession("demo.news");
        hub.publish("demo.news", "{\"a\":1}");
        hub.publish("demo.news", "2");
        // the default 30 s wait would outlast the client's 10 s timeout
        HttpResponse<String> r = send("?cursor=" + id + ":0");
        assertEquals(answer(id, 2, frame(1, "demo.news", "{\"a\":1}") + "," + frame(2, "demo.news", "2")),
                r.body());
    }

    @Test
    public void waitsThenAnswersWhenAMessageArrives() throws Exception {
        start();
        String id = openSession("demo.news");
        TestSession session = hub.session(id);
        CompletableFuture<HttpResponse<String>> pending = sendAsync("?cursor=" + id + ":0");
        assertEquals("attach:0", session.awaitEvent());
        assertFalse(pending.isDone());
        assertEquals(1, servlet.waitingPolls());
        hub.publish("demo.news", "\"hello\"");
        HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
        assertEquals(answer(id, 1, frame(1, "demo.news", "\"hello\"")), r.body());
        assertEquals("detach", session.awaitEvent());
        assertTrue(session.isOpen());
    }

    @Test
    public void timeoutAnswersEmptyWithTheSameCursor() throws Exception {
        start();
        String id = openSession("demo.news");
        TestSession session = hub.session(id);
        hub.publish("demo.news", "1");
        send("?cursor=" + id + ":0");
        session.awaitEvent();
        session.awaitEvent();
        HttpResponse<String> r = send("?cursor=" + id + ":1&timeout=100");
        assertEquals(200, r.statusCode());
        assertEquals(answer(id, 1, ""), r.body());
        assertEquals("attach:1", session.awaitEvent());
        assertEquals("detach", session.awaitEvent());
    }

    @Test
    public void timeoutIsBoundedByMaxTimeout() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxTimeout", 100);
        start(config);
        String id = openSession("demo.news");
        // asks for an hour; the client gives up after 10 s, so an answer proves the bound
        HttpResponse<String> r = send("?cursor=" + id + ":0&timeout=3600000");
        assertEquals(answer(id, 0, ""), r.body());
    }

    @Test
    public void repeatingACursorResendsWhatFollowsIt() throws Exception {
        start();
        String id = openSession("demo.news");
        for (int i = 1; i <= 3; i++) {
            hub.publish("demo.news", String.valueOf(i));
        }
        String all = frame(1, "demo.news", "1") + "," + frame(2, "demo.news", "2") + "," + frame(3, "demo.news", "3");
        assertEquals(answer(id, 3, all), send("?cursor=" + id + ":0").body());
        // the answer was lost: the same cursor again gets the same frames
        assertEquals(answer(id, 3, all), send("?cursor=" + id + ":0").body());
        assertEquals(answer(id, 3, frame(2, "demo.news", "2") + "," + frame(3, "demo.news", "3")),
                send("?cursor=" + id + ":1").body());
        assertEquals(answer(id, 3, ""), send("?cursor=" + id + ":3&timeout=0").body());
    }

    @Test
    public void answersAreBoundedInMessages() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("maxMessages", 2);
        start(config);
        String id = openSession("demo.news");
        for (int i = 1; i <= 5; i++) {
            hub.publish("demo.news", String.valueOf(i));
        }
        assertEquals(answer(id, 2, frame(1, "demo.news", "1") + "," + frame(2, "demo.news", "2")),
                send("?cursor=" + id + ":0").body());
        assertEquals(answer(id, 4, frame(3, "demo.news", "3") + "," + frame(4, "demo.news", "4")),
                send("?cursor=" + id + ":2").body());
        assertEquals(answer(id, 5, frame(5, "demo.news", "5")), send("?cursor=" + id + ":4").body());
    }

    @Test
    public void reportsFramesNoLongerAvailable() throws Exception {
        start();
        String id = openSession("demo.news");
        for (int i = 1; i <= 4; i++) {
            hub.publish("demo.news", String.valueOf(i));
        }
        hub.session(id).drop(2);
        assertEquals("{\"session\":\"" + id + "\",\"cursor\":\"" + id + ":4\",\"missed\":2,\"messages\":["
                + frame(3, "demo.news", "3") + "," + frame(4, "demo.news", "4") + "]}",
                send("?cursor=" + id + ":0").body());
    }

    @Test
    public void malformedCursorIs400() throws Exception {
        start();
        String id = openSession("demo.news");
        for (String cursor : List.of(id, id + ":", id + ":x1", ":5", id + ":-1", id + ":1234567890123456789",
                "a".repeat(200) + ":1")) {
            HttpResponse<String> r = send("?cursor=" + cursor);
            assertEquals(cursor, 400, r.statusCode());
            assertEquals("{\"error\":\"bad_request\",\"message\":\"malformed cursor\"}", r.body());
        }
        HttpResponse<String> r = send("?cursor=" + id + ":7");
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"bad_request\",\"message\":\"the cursor is ahead of its session\"}", r.body());
    }

    @Test
    public void unknownCursorIs404() throws Exception {
        start();
        HttpResponse<String> r = send("?cursor=nope:0");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":\"unknown_cursor\",\"message\":\"the cursor names no open session\"}", r.body());
        assertEquals(List.of("longpoll:unknown_cursor"), hub.errors);
    }

    @Test
    public void requestErrorsAreDocumentedJson() throws Exception {
        start();
        HttpResponse<String> r = send("");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"missing_channel\","));

        r = send("?subscribe=demo.news&timeout=soon");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));

        r = send("?subscribe=demo..news");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"invalid_channel\","));

        r = send("?subscribe=" + "a".repeat(5000));
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));

        r = client.send(get("?subscribe=demo.news").PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElseThrow());
        assertEquals("{\"error\":\"method_not_allowed\",\"message\":\"only GET and POST are allowed\"}", r.body());

        assertEquals(List.of("longpoll:missing_channel", "longpoll:bad_request", "longpoll:invalid_channel",
                "longpoll:bad_request", "longpoll:method_not_allowed"), hub.errors);
        assertTrue(hub.sessions.isEmpty());
    }

    @Test
    public void closedSessionAnswersItsCloseFrame() throws Exception {
        start();
        String id = openSession("demo.news");
        TestSession session = hub.session(id);
        CompletableFuture<HttpResponse<String>> pending = sendAsync("?cursor=" + id + ":0");
        assertEquals("attach:0", session.awaitEvent());
        session.close(CloseReason.CLOSED_BY_ADMIN);
        assertEquals("{\"session\":\"" + id + "\",\"cursor\":\"" + id + ":0\",\"missed\":0,\"messages\":[],"
                + "\"close\":{\"type\":\"close\",\"reason\":\"closed_by_admin\",\"reconnect\":false}}",
                pending.get(10, TimeUnit.SECONDS).body());
        // the session is gone: its cursor with it
        HttpResponse<String> r = send("?cursor=" + id + ":0");
        assertEquals(404, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"unknown_cursor\","));
    }

    @Test
    public void aNewerPollReplacesAWaitingOne() throws Exception {
        start();
        String id = openSession("demo.news");
        TestSession session = hub.session(id);
        CompletableFuture<HttpResponse<String>> older = sendAsync("?cursor=" + id + ":0");
        assertEquals("attach:0", session.awaitEvent());
        CompletableFuture<HttpResponse<String>> newer = sendAsync("?cursor=" + id + ":0");
        assertEquals("{\"session\":\"" + id + "\",\"cursor\":\"" + id + ":0\",\"missed\":0,\"messages\":[],"
                + "\"close\":{\"type\":\"close\",\"reason\":\"replaced\",\"reconnect\":false}}",
                older.get(10, TimeUnit.SECONDS).body());
        assertFalse(newer.isDone());
        hub.publish("demo.news", "1");
        assertEquals(answer(id, 1, frame(1, "demo.news", "1")), newer.get(10, TimeUnit.SECONDS).body());
    }

    @Test
    public void deactivateAnswersWaitingPollsAndKeepsSessions() throws Exception {
        start();
        String id = openSession("demo.news");
        TestSession session = hub.session(id);
        CompletableFuture<HttpResponse<String>> pending = sendAsync("?cursor=" + id + ":0");
        assertEquals("attach:0", session.awaitEvent());
        servlet.deactivate();
        assertEquals(answer(id, 0, ""), pending.get(10, TimeUnit.SECONDS).body());
        assertEquals("detach", session.awaitEvent());
        assertTrue(session.isOpen());
        assertEquals(0, servlet.waitingPolls());
        HttpResponse<String> r = send("?cursor=" + id + ":0");
        assertEquals(503, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"unavailable\","));
    }

    @Test
    public void aWaitOutlastsTheConnectorIdleTimeout() throws Exception {
        start(new HashMap<>(), 200);
        String id = openSession("demo.news");
        long t0 = System.nanoTime();
        HttpResponse<String> r = send("?cursor=" + id + ":0&timeout=1000");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals(answer(id, 0, ""), r.body());
        assertTrue("answered after " + ms + " ms", ms >= 900);
    }

    // --- protocol=1: the full protocol over long-polling

    private HttpResponse<String> post(String query, String contentType, String body) throws Exception {
        HttpRequest.Builder b = get(query).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void aNewProtocolSessionAnswersAtOnceWithItsCursorAndConnected() throws Exception {
        start();
        // no timeout=0: the default 30 s wait would outlast the client's 10 s timeout
        HttpResponse<String> r = send("?protocol=1");
        assertEquals(200, r.statusCode());
        String id = hub.sessions.keySet().iterator().next();
        assertEquals("{\"session\":\"" + id + "\",\"cursor\":\"" + id + ":0\",\"missed\":0,\"messages\":[],"
                + "\"connected\":{\"type\":\"connected\",\"session\":\"" + id + "\",\"resumed\":false,\"missed\":0}}",
                r.body());
        TestSession session = hub.session(id);
        assertEquals(java.util.Set.of(), session.subscriptions());
        assertEquals("attach:-1", session.awaitEvent());
        assertEquals("detach", session.awaitEvent());
        assertTrue(session.isOpen());

        // then it polls with the cursor as any client: it waits, and acknowledges
        CompletableFuture<HttpResponse<String>> pending = sendAsync("?protocol=1&cursor=" + id + ":0");
        assertEquals("attach:0", session.awaitEvent());
        session.subscribe("demo.news");
        hub.publish("demo.news", "1");
        assertEquals(answer(id, 1, frame(1, "demo.news", "1")), pending.get(10, TimeUnit.SECONDS).body());
    }

    @Test
    public void protocolOtherThanOneIs400() throws Exception {
        start();
        HttpResponse<String> r = send("?protocol=yes");
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"bad_request\",\"message\":\"protocol must be 1\"}", r.body());
        assertTrue(hub.sessions.isEmpty());
    }

    @Test
    public void postHandsTheBodyToTheSession() throws Exception {
        start();
        send("?protocol=1");
        String id = hub.sessions.keySet().iterator().next();
        String frames = "{\"type\":\"publish\",\"id\":4,\"channel\":\"demo.chat\",\"data\":{\"text\":\"hi\"}}";
        HttpResponse<String> r = post("?session=" + id, "application/json; charset=UTF-8", frames);
        assertEquals(202, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"accepted\":1}", r.body());
        assertEquals(frames, hub.session(id).handled.poll());
        assertEquals(List.of(), hub.errors);
    }

    @Test
    public void postErrorsAreDocumentedJsonAndCounted() throws Exception {
        start();
        String id = hub.openSession("longpoll", "test", io.halley.api.Credentials.none(), List.of()).id();

        HttpResponse<String> r = post("?session=nope", "application/json", "{}");
        assertEquals(404, r.statusCode());
        assertEquals("{\"error\":\"unknown_session\",\"message\":\"no open session with this id\"}", r.body());

        r = post("?cursor=" + id + ":0", "application/json", "{}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_request\","));

        r = post("?session=" + id, "application/json", "not json");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"bad_frame\","));

        r = post("?session=" + id, "application/json", "[" + "{},".repeat(hub.maxClientFrameSize() / 3) + "{}]");
        assertEquals(413, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"too_large\","));

        r = post("?session=" + id, "application/x-www-form-urlencoded", "{}");
        assertEquals(415, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"unsupported_media_type\","));

        assertEquals(List.of("longpoll:unknown_session", "longpoll:bad_request", "longpoll:bad_frame",
                "longpoll:too_large", "longpoll:unsupported_media_type"), hub.errors);
        assertTrue(hub.session(id).handled.isEmpty());
    }
}
