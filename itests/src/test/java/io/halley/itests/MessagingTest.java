package io.halley.itests;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * Every way to publish (JMS text and bytes, STOMP 1.0/1.1/1.2, HTTP, the shell) reaches
 * every way to subscribe (Server-Sent Events, long-polling), in the broker's order,
 * nothing lost or repeated across a resume; bad input gets its documented error.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MessagingTest extends HalleyTestSupport {

    private static final long WAIT = 20_000;

    private Publishers publishers() throws Exception {
        return new Publishers(openwirePort(), stompPort());
    }

    private SseStream sse(String query) throws Exception {
        return new SseStream(http, uri("/halley/sse?" + query), Map.of());
    }

    private Map<String, Object> connected(SseStream s) throws Exception {
        SseStream.Event e = s.next(WAIT);
        assertEquals("connected", e.event());
        return e.json();
    }

    private Map<String, Object> poll(String query) throws Exception {
        HttpResponse<String> r = get("/halley/poll?" + query);
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return Json.object(r.body());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(Map<String, Object> pollAnswer) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<Object>) pollAnswer.get("messages")) {
            out.add(o instanceof String ? Json.object((String) o) : (Map<String, Object>) o);
        }
        return out;
    }

    private HttpResponse<String> publishHttp(String channel, String contentType, String body) throws Exception {
        return post("/halley/api/channels/" + channel + "/messages", contentType, body);
    }

    @Test
    public void everyPublishPathReachesSseAndLongPollInOrder() throws Exception {
        String channel = "it.paths";
        try (Publishers p = publishers(); SseStream stream = sse("subscribe=" + channel)) {
            assertEquals(200, stream.response().statusCode());
            assertEquals("text/event-stream", stream.response().headers().firstValue("Content-Type")
                    .orElse("").split(";")[0].trim());
            assertFalse((Boolean) connected(stream).get("resumed"));
            Map<String, Object> first = poll("subscribe=" + channel + "&timeout=1");
            String cursor = (String) first.get("cursor");
            assertNotNull(cursor);

            List<Object> expected = new ArrayList<>();
            p.jmsText(channel, "{\"n\":1,\"via\":\"jms\"}");
            expected.add(Json.parse("{\"n\":1,\"via\":\"jms\"}"));
            p.jmsText(channel, "plain text 2");
            expected.add("plain text 2");
            p.jmsBytes(channel, "{\"n\":3}".getBytes(StandardCharsets.UTF_8));
            expected.add(Json.parse("{\"n\":3}"));
            p.stomp("1.0", channel, null, "{\"n\":4}");
            expected.add(Json.parse("{\"n\":4}"));
            p.stomp("1.1", channel, "text/plain", "{\"n\":5}");
            expected.add("{\"n\":5}");
            p.stomp("1.2", channel, "application/json", "[6, {\"six\": true}]");
            expected.add(Json.parse("[6,{\"six\":true}]"));
            HttpResponse<String> r = publishHttp(channel, "application/json", "{\"n\": 7}");
            assertEquals(r.body(), 202, r.statusCode());
            assertTrue(((String) Json.object(r.body()).get("id")).length() > 0);
            expected.add(Json.parse("{\"n\":7}"));
            assertEquals(202, publishHttp(channel, "text/plain; charset=utf-8", "hello 8").statusCode());
            expected.add("hello 8");
            String out = executeCommand("halley:publish " + channel + " '{\"n\":9}'");
            assertTrue(out, out.contains("ID:"));
            expected.add(Json.parse("{\"n\":9}"));
            String unicode = "{\"s\":\"\u00e9 \u2713 \ud83d\ude00 <b>&amp;</b>\"}";
            p.jmsText(channel, unicode);
            expected.add(Json.parse(unicode));

            List<SseStream.Event> events = stream.messages(expected.size(), WAIT);
            for (int i = 0; i < expected.size(); i++) {
                SseStream.Event e = events.get(i);
                Map<String, Object> frame = e.json();
                assertEquals(String.valueOf(i + 1), e.id());
                assertEquals("message", frame.get("type"));
                assertEquals((long) (i + 1), frame.get("seq"));
                assertEquals(channel, frame.get("channel"));
                assertEquals("message " + (i + 1), expected.get(i), frame.get("data"));
            }

            List<Map<String, Object>> polled = new ArrayList<>();
            while (polled.size() < expected.size()) {
                Map<String, Object> answer = poll("cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                polled.addAll(messages(answer));
                cursor = (String) answer.get("cursor");
            }
            assertEquals(expected.size(), polled.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals((long) (i + 1), polled.get(i).get("seq"));
                assertEquals(expected.get(i), polled.get(i).get("data"));
            }
            // both subscribers saw the same channel offsets
            assertEquals(events.get(0).json().get("offset"), polled.get(0).get("offset"));
        }
    }

    @Test
    public void sseResumesWithLastEventIdNothingLostNorRepeated() throws Exception {
        String channel = "it.resume";
        String session;
        try (SseStream s = sse("subscribe=" + channel)) {
            session = (String) connected(s).get("session");
            String cookie = s.response().headers().firstValue("Set-Cookie").orElse("");
            assertTrue(cookie, cookie.startsWith("halley_sse=" + session));
            for (int i = 1; i <= 3; i++) {
                assertEquals(202, publishHttp(channel, "application/json", "{\"i\":" + i + "}").statusCode());
            }
            List<SseStream.Event> got = s.messages(3, WAIT);
            assertEquals("3", got.get(2).id());
        }
        // published while the client is away
        for (int i = 4; i <= 5; i++) {
            assertEquals(202, publishHttp(channel, "application/json", "{\"i\":" + i + "}").statusCode());
        }
        try (SseStream s = new SseStream(http, uri("/halley/sse?session=" + session), Map.of("Last-Event-ID", "3"))) {
            Map<String, Object> c = connected(s);
            assertEquals(true, c.get("resumed"));
            assertEquals(session, c.get("session"));
            assertEquals(0L, c.get("missed"));
            assertEquals(202, publishHttp(channel, "application/json", "{\"i\":6}").statusCode());
            List<SseStream.Event> got = s.messages(3, WAIT);
            assertEquals(List.of("4", "5", "6"), got.stream().map(SseStream.Event::id).toList());
            assertEquals(4L, got.get(0).json().get("seq"));
            assertEquals(Map.of("i", 6L), got.get(2).json().get("data"));
        }
        // as EventSource reconnects: the same URL, its cookie and Last-Event-ID
        try (SseStream s = new SseStream(http, uri("/halley/sse?subscribe=" + channel),
                Map.of("Last-Event-ID", "5", "Cookie", "halley_sse=" + session))) {
            Map<String, Object> c = connected(s);
            assertEquals(true, c.get("resumed"));
            assertEquals(202, publishHttp(channel, "application/json", "{\"i\":7}").statusCode());
            List<SseStream.Event> got = s.messages(2, WAIT);
            assertEquals(List.of("6", "7"), got.stream().map(SseStream.Event::id).toList());
        }
    }

    @Test
    public void longPollCursorContinuesAndARepeatedCursorLosesNothing() throws Exception {
        String channel = "it.poll";
        Map<String, Object> first = poll("subscribe=" + channel + "&timeout=1");
        assertTrue(messages(first).isEmpty());
        String c0 = (String) first.get("cursor");
        for (int i = 1; i <= 3; i++) {
            assertEquals(202, publishHttp(channel, "application/json", "{\"i\":" + i + "}").statusCode());
        }
        // publishing is acknowledged by the broker; the hub fans out right after
        waitFor("the three messages in the session", WAIT, () -> sessionLastSeq((String) first.get("session")) == 3);
        Map<String, Object> a = poll("cursor=" + URLEncoder.encode(c0, StandardCharsets.UTF_8));
        assertEquals(3, messages(a).size());
        // the answer was lost: the same cursor again gets the same messages
        Map<String, Object> again = poll("cursor=" + URLEncoder.encode(c0, StandardCharsets.UTF_8));
        assertEquals(messages(a), messages(again));
        String c3 = (String) again.get("cursor");
        // a waiting poll is answered as soon as a message comes
        java.util.concurrent.CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(uri("/halley/poll?timeout=20000&cursor="
                        + URLEncoder.encode(c3, StandardCharsets.UTF_8))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        waitFor("the poll to wait", WAIT, () -> hubSessionConnected((String) first.get("session")));
        assertEquals(202, publishHttp(channel, "text/plain", "four").statusCode());
        HttpResponse<String> r = waiting.get(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS);
        List<Map<String, Object>> m = messages(Json.object(r.body()));
        assertEquals(1, m.size());
        assertEquals(4L, m.get(0).get("seq"));
        assertEquals("four", m.get(0).get("data"));
    }

    @SuppressWarnings("unchecked")
    private long sessionLastSeq(String id) {
        try {
            for (Object o : (List<Object>) Json.parse(get("/halley/api/sessions").body())) {
                Map<String, Object> s = (Map<String, Object>) o;
                if (id.equals(s.get("id"))) {
                    return (Long) s.get("lastSeq");
                }
            }
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private boolean hubSessionConnected(String id) {
        try {
            for (Object o : (List<Object>) Json.parse(get("/halley/api/sessions").body())) {
                Map<String, Object> s = (Map<String, Object>) o;
                if (id.equals(s.get("id"))) {
                    return Boolean.TRUE.equals(s.get("connected"));
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    public void severalChannelsAndWildcardsInOneSubscription() throws Exception {
        try (Publishers p = publishers(); SseStream two = sse("subscribe=it.multi.a,it.multi.b");
             SseStream wild = sse("subscribe=it.multi.*")) {
            connected(two);
            connected(wild);
            p.jmsText("it.multi.a", "{\"to\":\"a\"}");
            p.jmsText("it.multi.c", "{\"to\":\"c\"}");
            p.jmsText("it.multi.b", "{\"to\":\"b\"}");
            p.jmsText("it.multi.b.deeper", "{\"to\":\"deeper\"}");
            List<SseStream.Event> t = two.messages(2, WAIT);
            assertEquals(List.of("it.multi.a", "it.multi.b"), t.stream().map(e -> e.json().get("channel")).toList());
            List<SseStream.Event> w = wild.messages(3, WAIT);
            assertEquals(List.of("it.multi.a", "it.multi.c", "it.multi.b"),
                    w.stream().map(e -> e.json().get("channel")).toList());
            // the next thing on "two" is the next message it subscribed to, not c or deeper
            p.jmsText("it.multi.a", "{\"to\":\"a2\"}");
            assertEquals(Map.of("to", "a2"), two.messages(1, WAIT).get(0).json().get("data"));
        }
        HttpResponse<String> channels = get("/halley/api/channels");
        assertEquals(200, channels.statusCode());
        assertTrue(channels.body(), channels.body().contains("\"it.multi.a\""));
        String table = executeCommand("halley:channels");
        assertTrue(table, table.contains("it.multi.b"));
    }

    @Test
    public void badInputGetsItsDocumentedErrorAndDisturbsNoOne() throws Exception {
        try (Publishers p = publishers(); SseStream bystander = sse("subscribe=it.bystander")) {
            connected(bystander);

            assertError(get("/halley/sse?subscribe=it..bad"), 400, "invalid_channel");
            assertError(get("/halley/sse?subscribe=%3Cscript%3E"), 400, "invalid_channel");
            assertError(get("/halley/sse"), 400, "missing_channel");
            StringBuilder many = new StringBuilder("it.c0");
            for (int i = 1; i <= 200; i++) {
                many.append(",it.c").append(i);
            }
            assertError(get("/halley/sse?subscribe=" + many), 400, "too_many_channels");
            assertError(get("/halley/sse?session=no-such-session"), 404, "unknown_session");
            assertError(get("/halley/poll?subscribe=it.%3E.x"), 400, "invalid_channel");
            assertError(get("/halley/poll"), 400, "missing_channel");
            assertError(get("/halley/poll?cursor=garbage"), 400, "bad_request");
            assertError(get("/halley/poll?cursor=nosuchsession:0"), 404, "unknown_cursor");
            assertError(publishHttp("it.*", "application/json", "{}"), 400, "wildcard_not_allowed");
            assertError(publishHttp("it..x", "application/json", "{}"), 400, "invalid_channel");
            assertError(publishHttp("it.bystander", "application/json", "{\"a\":"), 400, "invalid_json");
            assertError(publishHttp("it.bystander", "application/octet-stream", "x"), 415, "unsupported_media_type");
            assertError(post("/halley/api/channels/it.bystander/messages", "text/plain",
                    new byte[300 * 1024]), 413, "too_large");
            // an oversized STOMP frame is refused by the broker (no receipt; it closes that
            // connection), which keeps serving everyone else
            boolean refused = false;
            try {
                p.stomp("1.2", "it.bystander", "text/plain", "x".repeat(2 * 1024 * 1024));
            } catch (Exception | AssertionError e) {
                refused = true;
            }
            assertTrue("a 2 MiB STOMP frame over the broker's 1 MiB maxFrameSize was taken", refused);

            assertEquals(202, publishHttp("it.bystander", "application/json", "{\"still\":\"here\"}").statusCode());
            List<SseStream.Event> got = bystander.messages(1, WAIT);
            assertEquals(Map.of("still", "here"), got.get(0).json().get("data"));
            assertEquals("1", got.get(0).id());
        }
        Map<String, Object> stats = Json.object(get("/halley/api/stats").body());
        assertTrue(stats.toString(), ((Long) stats.get("errors.rest.too_large")) >= 1);
        assertTrue(stats.toString(), ((Long) stats.get("errors.sse.invalid_channel")) >= 2);
        assertTrue(stats.toString(), ((Long) stats.get("errors.longpoll.unknown_cursor")) >= 1);
    }

    @Test
    public void idleSubscribersCostNoThread() throws Exception {
        int streams = 300;
        List<SseStream> open = new ArrayList<>();
        try {
            // one of each first, so that the HTTP client's and Jetty's own threads exist
            try (SseStream warm = sse("subscribe=it.idle")) {
                connected(warm);
            }
            HttpResponse<String> warmPoll = get("/halley/poll?subscribe=it.idle&timeout=1");
            assertEquals(200, warmPoll.statusCode());
            int before = serverThreads();
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                SseStream s = sse("subscribe=it.idle");
                open.add(s);
                polls.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(
                        uri("/halley/poll?subscribe=it.idle&timeout=60000")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (SseStream s : open) {
                connected(s);
            }
            waitFor("every long-poll to wait", WAIT, () -> countSessions("longpoll", true) >= streams);
            int during = serverThreads();
            // 600 idle subscribers: a thread per connection would add 600; a burst of connects may
            // grow Jetty's pool a little, never by one per connection
            assertTrue("server threads before " + before + ", with " + 2 * streams + " idle subscribers " + during,
                    during - before < 100);
            assertEquals(202, publishHttp("it.idle", "application/json", "{\"wake\":1}").statusCode());
            for (SseStream s : open) {
                assertEquals(Map.of("wake", 1L), s.messages(1, WAIT).get(0).json().get("data"));
            }
            for (java.util.concurrent.CompletableFuture<HttpResponse<String>> p : polls) {
                List<Map<String, Object>> m = messages(Json.object(
                        p.get(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS).body()));
                assertEquals(1, m.size());
            }
        } finally {
            open.forEach(SseStream::close);
        }
    }

    /**
     * The threads that serve HTTP (Jetty's pool) and Halley's own; the test's HTTP client
     * lives in the same JVM and its threads come and go with the machine's load.
     */
    private static int serverThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("qtp") || t.getName().startsWith("halley")) {
                n++;
            }
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private int countSessions(String transport, boolean connected) {
        try {
            int n = 0;
            for (Object o : (List<Object>) Json.parse(get("/halley/api/sessions").body())) {
                Map<String, Object> s = (Map<String, Object>) o;
                if (transport.equals(s.get("transport")) && Boolean.valueOf(connected).equals(s.get("connected"))) {
                    n++;
                }
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(r.body(), status, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> body = Json.object(r.body());
        assertEquals(r.body(), code, body.get("error"));
        assertTrue(r.body(), body.get("message") instanceof String);
    }
}
