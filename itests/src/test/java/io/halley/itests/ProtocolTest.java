package io.halley.itests;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * The full protocol, over every transport, with the JDK's HTTP and WebSocket clients:
 * subscribe and publish with replies, resume after a dropped connection with nothing lost
 * or repeated, recovery from channel history with an explicit gap, bad frames.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProtocolTest extends HalleyTestSupport {

    private static final long WAIT = 20_000;
    private static final List<String> TRANSPORTS = List.of("websocket", "sse", "streaming", "longpoll");

    private String base() throws Exception {
        return "http://127.0.0.1:" + httpPort();
    }

    private void waitForTransports() throws Exception {
        waitForStatus("/halley/stream", 400, 60_000);
        String ws = base().replace("http:", "ws:") + "/halley/ws";
        waitFor("a WebSocket handshake at /halley/ws", 60_000, () -> {
            try {
                http.newWebSocketBuilder().buildAsync(java.net.URI.create(ws), new java.net.http.WebSocket.Listener() { })
                        .get(5, java.util.concurrent.TimeUnit.SECONDS).abort();
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void subscribePublishAndResumeOverEveryTransport() throws Exception {
        waitForTransports();
        for (String transport : TRANSPORTS) {
            String channel = "proto." + transport;
            String session;
            long lastSeq;
            try (ProtocolClient c = ProtocolClient.of(transport, http, base())) {
                Map<String, Object> connected = c.connect(null, 0);
                assertEquals(transport, false, connected.get("resumed"));
                session = c.session();
                c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
                Map<String, Object> reply = c.next("reply", WAIT);
                assertEquals(transport, 1L, reply.get("id"));
                assertEquals(transport, true, reply.get("ok"));
                c.send("{\"type\":\"publish\",\"id\":\"p\",\"channel\":\"" + channel + "\",\"data\":{\"n\":0}}");
                // the message (through the broker) and the reply, in either order
                Map<String, Object> a = c.next(WAIT);
                Map<String, Object> b = c.next(WAIT);
                Map<String, Object> message = "message".equals(a.get("type")) ? a : b;
                Map<String, Object> published = message == a ? b : a;
                assertEquals(transport, "reply", published.get("type"));
                assertEquals(transport, "p", published.get("id"));
                assertEquals(transport, Map.of("n", 0L), message.get("data"));
                assertEquals(transport, ((Map<?, ?>) published.get("result")).get("id"), message.get("id"));
                lastSeq = Math.max((Long) a.get("seq"), (Long) b.get("seq"));
                for (int i = 1; i <= 5; i++) {
                    assertEquals(202, post("/halley/api/channels/" + channel + "/messages", "application/json",
                            "{\"n\":" + i + "}").statusCode());
                }
                for (int i = 1; i <= 5; i++) {
                    Map<String, Object> m = c.next("message", WAIT);
                    assertEquals(transport, Map.of("n", (long) i), m.get("data"));
                    assertEquals(transport, lastSeq + 1, m.get("seq"));
                    lastSeq++;
                    if (i == 3) {
                        // what the client saw last before the network broke
                        break;
                    }
                }
                c.drop();
            }
            long seen = lastSeq;
            for (int i = 6; i <= 8; i++) {
                assertEquals(202, post("/halley/api/channels/" + channel + "/messages", "application/json",
                        "{\"n\":" + i + "}").statusCode());
            }
            try (ProtocolClient c = ProtocolClient.of(transport, http, base())) {
                Map<String, Object> connected = c.connect(session, seen);
                assertEquals(transport, true, connected.get("resumed"));
                List<Object> data = new ArrayList<>();
                long expectSeq = seen + 1;
                while (data.size() < 5) {
                    Map<String, Object> m = c.next("message", WAIT);
                    assertEquals(transport + " " + m, expectSeq++, m.get("seq"));
                    data.add(((Map<?, ?>) m.get("data")).get("n"));
                }
                assertEquals(transport, List.of(4L, 5L, 6L, 7L, 8L), data);
                assertTrue(transport + " nothing more", c.frames.isEmpty());
                c.send("{\"type\":\"close\"}");
            }
        }
    }

    @Test
    public void recoveryFromHistoryAndAGapWhenItNoLongerReachesBack() throws Exception {
        waitForTransports();
        for (String transport : TRANSPORTS) {
            String channel = "demo.recover." + transport;
            for (int i = 1; i <= 5; i++) {
                assertEquals(202, post("/halley/api/channels/" + channel + "/messages", "application/json",
                        "{\"n\":" + i + "}").statusCode());
            }
            waitFor("the hub to have the five messages", WAIT, () -> channelMessages(channel) == 5);
            try (ProtocolClient c = ProtocolClient.of(transport, http, base())) {
                c.connect(null, 0);
                c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\",\"recover\":{\"offset\":2}}");
                for (long n = 3; n <= 5; n++) {
                    Map<String, Object> m = c.next("message", WAIT);
                    assertEquals(transport, n, m.get("offset"));
                }
                Map<String, Object> reply = c.next("reply", WAIT);
                assertEquals(transport, 5L, ((Map<?, ?>) reply.get("result")).get("offset"));
                c.send("{\"type\":\"close\"}");
            }
        }
        // the demo namespace keeps 200 messages: 210 leave a gap before offset 11
        String channel = "demo.recover.gap";
        for (int i = 1; i <= 210; i++) {
            assertEquals(202, post("/halley/api/channels/" + channel + "/messages", "text/plain", "m" + i).statusCode());
        }
        waitFor("the hub to have the messages", WAIT, () -> channelMessages(channel) == 210);
        try (ProtocolClient c = ProtocolClient.of("websocket", http, base())) {
            c.connect(null, 0);
            c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\",\"recover\":{\"offset\":0}}");
            Map<String, Object> gap = c.next("gap", WAIT);
            assertEquals(1L, gap.get("from"));
            assertEquals(10L, gap.get("to"));
            assertEquals(11L, c.next("message", WAIT).get("offset"));
        }
    }

    @Test
    public void badFramesGetTheirDocumentedAnswerAndTheConnectionGoesOn() throws Exception {
        waitForTransports();
        try (ProtocolClient.Ws ws = (ProtocolClient.Ws) ProtocolClient.of("websocket", http, base())) {
            ws.connect(null, 0);
            ws.sendRaw("this is not json");
            Map<String, Object> error = ws.next("error", WAIT);
            assertEquals("bad_frame", error.get("code"));
            ws.send("{\"type\":\"dance\",\"id\":7}");
            Map<String, Object> reply = ws.next("reply", WAIT);
            assertEquals(false, reply.get("ok"));
            assertEquals("unknown_type", ((Map<?, ?>) reply.get("error")).get("code"));
            ws.send("{\"type\":\"ping\",\"id\":8}");
            assertEquals(true, ws.next("reply", WAIT).get("ok"));
        }
        // a bystander keeps its session through everything below
        ProtocolClient bystander = ProtocolClient.of("websocket", http, base());
        bystander.connect(null, 0);
        bystander.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"proto.bystander\"}");
        assertEquals(true, bystander.next("reply", WAIT).get("ok"));

        // a first frame that is not connect: an error frame, then close 4400
        java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.BlockingQueue<String> texts = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket early = http.newWebSocketBuilder().buildAsync(
                java.net.URI.create(base().replace("http:", "ws:") + "/halley/ws"), listener(texts, closed))
                .get(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS);
        early.sendText("{\"type\":\"subscribe\",\"channel\":\"proto.x\"}", true);
        String error = texts.poll(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertEquals("not_connected", Json.object(error).get("code"));
        assertEquals(Integer.valueOf(4400), closed.get(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS));

        // a message over the maximum frame size: close 1009
        java.util.concurrent.CompletableFuture<Integer> closedBig = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket big = http.newWebSocketBuilder().buildAsync(
                java.net.URI.create(base().replace("http:", "ws:") + "/halley/ws"),
                listener(new java.util.concurrent.LinkedBlockingQueue<>(), closedBig))
                .get(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS);
        big.sendText("{\"type\":\"connect\"}", true);
        big.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(1_000_000) + "\"}", true);
        assertEquals(Integer.valueOf(1009), closedBig.get(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS));

        assertEquals(202, post("/halley/api/channels/proto.bystander/messages", "application/json", "{\"ok\":1}").statusCode());
        assertEquals(Map.of("ok", 1L), bystander.next("message", WAIT).get("data"));
        bystander.close();
        for (String transport : List.of("sse", "streaming", "longpoll")) {
            try (ProtocolClient c = ProtocolClient.of(transport, http, base())) {
                c.connect(null, 0);
                try {
                    c.send("[1, 2, 3]");
                    throw new AssertionError(transport + " took a bad frame");
                } catch (ProtocolClient.HttpError e) {
                    assertEquals(transport, 400, e.status);
                    assertEquals(transport, "bad_frame", Json.object(e.body).get("error"));
                }
                c.send("{\"type\":\"ping\",\"id\":1}");
                assertEquals(transport, true, c.next("reply", WAIT).get("ok"));
            }
        }
        Map<String, Object> stats = Json.object(get("/halley/api/stats").body());
        assertNotEquals(null, stats.get("errors.websocket.bad_frame"));
    }

    private static java.net.http.WebSocket.Listener listener(java.util.concurrent.BlockingQueue<String> texts,
            java.util.concurrent.CompletableFuture<Integer> closed) {
        return new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                texts.add(data.toString());
                ws.request(1);
                return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                closed.complete(code);
                return null;
            }

            @Override
            public void onError(java.net.http.WebSocket ws, Throwable error) {
                closed.complete(-1);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private long channelMessages(String channel) {
        try {
            for (Object o : (List<Object>) Json.parse(get("/halley/api/channels").body())) {
                Map<String, Object> c = (Map<String, Object>) o;
                if (channel.equals(c.get("name"))) {
                    return (Long) c.get("messages");
                }
            }
            return 0;
        } catch (Exception e) {
            return -1;
        }
    }
}
