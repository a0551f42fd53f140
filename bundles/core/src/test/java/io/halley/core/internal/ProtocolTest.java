package io.halley.core.internal;

import io.halley.api.Credentials;

import io.halley.api.Connected;
import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.HalleyException;
import io.halley.api.Publisher;
import io.halley.api.Session;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class ProtocolTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final HubCore hub = hub(new HashMap<>());

    private HubCore hub(Map<String, Object> props) {
        HubCore h = HubCoreTest.withRules(new HubCore(Converters.standardConverter().convert(props).to(HubConfig.class), clock::get));
        // the broker's round trip, without a broker: published messages come straight back
        AtomicLong ids = new AtomicLong();
        h.publisher(new Publisher() {
            @Override
            public String publish(io.halley.api.Identity who, String channel, byte[] body, ContentType type) {
                // the checks JmsBridge makes before it sends
                io.halley.api.ChannelName.requireChannel(channel);
                h.requireAllowed(who, channel, io.halley.api.Permission.PUBLISH);
                if (body.length > h.maxMessageSize(channel)) {
                    throw new HalleyException(ErrorCode.TOO_LARGE, "too large");
                }
                String id = "ID:" + ids.incrementAndGet();
                h.dispatch(channel, id, clock.get(), h.payloads().fromBody(body, type), null);
                return id;
            }

            @Override
            public int maxMessageSize() {
                return 1000;
            }
        });
        return h;
    }

    private static List<String> drain(Session s, HubCoreTest.Recorder r) {
        return s.poll(r, 1000, Integer.MAX_VALUE).stream().map(Frame::json).toList();
    }

    @Test
    public void connectOpensOrResumesAndFramesGetSequencedReplies() {
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        Connected c = hub.connect("{\"type\":\"connect\"}", "websocket", "x", Credentials.none(), r);
        assertFalse(c.resumed());
        Session s = c.session();
        assertEquals(3, s.handle("[{\"type\":\"subscribe\",\"id\":1,\"channel\":\"demo.chat\"},"
                + "{\"type\":\"publish\",\"id\":\"p1\",\"channel\":\"demo.chat\",\"data\":{\"text\":\"hi\"}},"
                + "{\"type\":\"ping\",\"id\":2}]"));
        List<String> frames = drain(s, r);
        assertEquals(List.of(
                "{\"type\":\"reply\",\"seq\":1,\"id\":1,\"ok\":true,\"result\":{\"channel\":\"demo.chat\",\"offset\":0}}",
                "{\"type\":\"message\",\"seq\":2,\"channel\":\"demo.chat\",\"offset\":1,\"id\":\"ID:1\",\"ts\":1000000,\"data\":{\"text\":\"hi\"}}",
                "{\"type\":\"reply\",\"seq\":3,\"id\":\"p1\",\"ok\":true,\"result\":{\"id\":\"ID:1\"}}",
                "{\"type\":\"reply\",\"seq\":4,\"id\":2,\"ok\":true,\"result\":{\"time\":1000000}}"), frames);

        // the connection breaks after seq 2; a new one resumes and gets 3 and 4 again
        s.detach(r);
        HubCoreTest.Recorder r2 = new HubCoreTest.Recorder();
        Connected again = hub.connect("{\"type\":\"connect\",\"session\":\"" + s.id() + "\",\"lastSeq\":2}", "sse", "x", Credentials.none(), r2);
        assertTrue(again.resumed());
        assertEquals(List.of(3L, 4L), s.poll(r2, 100, 1 << 20).stream().map(Frame::seq).toList());

        // an ended session: a new one, and the client learns it must subscribe again
        s.close(io.halley.api.CloseReason.CLOSED_BY_ADMIN);
        Connected fresh = hub.connect("{\"type\":\"connect\",\"session\":\"" + s.id() + "\",\"lastSeq\":4}", "ws", "x",
                Credentials.none(), new HubCoreTest.Recorder());
        assertFalse(fresh.resumed());
        assertFalse(fresh.session().id().equals(s.id()));
    }

    @Test
    public void badFramesGetTheirDocumentedAnswer() {
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        assertCode(ErrorCode.NOT_CONNECTED, () -> hub.connect("{\"type\":\"subscribe\",\"channel\":\"a\"}", "ws", "x", Credentials.none(), r));
        assertCode(ErrorCode.BAD_FRAME, () -> hub.connect("hello", "ws", "x", Credentials.none(), r));
        Session s = hub.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r).session();
        assertCode(ErrorCode.BAD_FRAME, () -> s.handle("not json"));
        assertCode(ErrorCode.BAD_FRAME, () -> s.handle("{\"id\":1}"));
        assertCode(ErrorCode.BAD_FRAME, () -> s.handle("[1,2]"));
        assertCode(ErrorCode.BAD_FRAME, () -> s.handle("{\"type\":\"ping\"} trailing"));
        assertCode(ErrorCode.TOO_LARGE, () -> s.handle("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(300_000) + "\"}"));
        assertTrue(drain(s, r).isEmpty());
        s.handle("[{\"type\":\"dance\",\"id\":1},{\"type\":\"subscribe\",\"id\":2,\"channel\":\"bad..name\"},"
                + "{\"type\":\"publish\",\"id\":3,\"channel\":\"demo.*\",\"data\":1},{\"type\":\"dance\"},"
                + "{\"type\":\"ping\",\"id\":{\"no\":1}},{\"type\":\"connect\",\"id\":4}]");
        List<String> frames = drain(s, r);
        assertEquals(4, frames.size());
        assertTrue(frames.get(0), frames.get(0).contains("\"id\":1,\"ok\":false,\"error\":{\"code\":\"unknown_type\""));
        assertTrue(frames.get(1), frames.get(1).contains("\"code\":\"invalid_channel\""));
        assertTrue(frames.get(2), frames.get(2).contains("\"code\":\"wildcard_not_allowed\""));
        assertTrue(frames.get(3), frames.get(3).contains("\"code\":\"bad_frame\""));
        assertTrue(hub.counters().get("errors.protocol.unknown_type") >= 2);
    }

    @Test
    public void recoveryReplaysHistoryAndTellsOfAGap() {
        Map<String, Object> props = new HashMap<>();
        props.put("historySize", 5);
        HubCore h = hub(props);
        for (int i = 1; i <= 8; i++) {
            h.dispatch("demo.news", "ID:" + i, 1, "{\"i\":" + i + "}", null);
        }
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        Session s = h.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r).session();
        // history holds offsets 4..8: from 6 it is complete
        s.handle("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"demo.news\",\"recover\":{\"offset\":6}}");
        List<String> frames = drain(s, r);
        assertEquals(3, frames.size());
        assertTrue(frames.get(0), frames.get(0).contains("\"offset\":7"));
        assertTrue(frames.get(1), frames.get(1).contains("\"offset\":8"));
        assertTrue(frames.get(2), frames.get(2).contains("\"result\":{\"channel\":\"demo.news\",\"offset\":8}"));
        h.dispatch("demo.news", "ID:9", 1, "{\"i\":9}", null);
        assertEquals(1, drain(s, r).size());

        // from 1 it is not: 2 and 3 are lost, and the client is told before the rest
        HubCoreTest.Recorder r2 = new HubCoreTest.Recorder();
        Session late = h.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r2).session();
        late.handle("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"demo.news\",\"recover\":{\"offset\":1}}");
        List<String> f2 = drain(late, r2);
        assertEquals("{\"type\":\"gap\",\"seq\":1,\"channel\":\"demo.news\",\"from\":2,\"to\":4,\"reason\":\"history\"}", f2.get(0));
        assertTrue(f2.get(1), f2.get(1).contains("\"offset\":5"));
        assertEquals(7, f2.size());

        // an offset from before a restart
        HubCoreTest.Recorder r3 = new HubCoreTest.Recorder();
        Session old = h.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r3).session();
        old.handle("{\"type\":\"subscribe\",\"channel\":\"demo.news\",\"recover\":{\"offset\":500}}");
        List<String> f3 = drain(old, r3);
        assertTrue(f3.get(0), f3.get(0).contains("\"reason\":\"reset\""));

        // history ages out
        clock.addAndGet(300_001);
        HubCoreTest.Recorder r4 = new HubCoreTest.Recorder();
        Session aged = h.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r4).session();
        aged.handle("{\"type\":\"subscribe\",\"channel\":\"demo.news\",\"recover\":{\"offset\":8}}");
        List<String> f4 = drain(aged, r4);
        assertEquals(1, f4.size());
        assertTrue(f4.get(0), f4.get(0).contains("\"from\":9,\"to\":9"));
    }

    @Test
    public void namespacesHaveTheirOwnHistoryAndLimits() {
        hub.namespaces(List.of(new Namespace("chat", 2, 60_000, 50), new Namespace("quiet", 0, 60_000, 0)));
        for (int i = 1; i <= 5; i++) {
            hub.dispatch("chat.room", "ID:" + i, 1, "{\"i\":" + i + "}", null);
            hub.dispatch("quiet.room", "ID:" + i, 1, "{\"i\":" + i + "}", null);
            hub.dispatch("other.room", "ID:" + i, 1, "{\"i\":" + i + "}", null);
        }
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        Session s = hub.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r).session();
        s.handle("[{\"type\":\"subscribe\",\"channel\":\"chat.room\",\"recover\":{\"offset\":0}},"
                + "{\"type\":\"subscribe\",\"channel\":\"quiet.room\",\"recover\":{\"offset\":0}},"
                + "{\"type\":\"subscribe\",\"channel\":\"other.room\",\"recover\":{\"offset\":0}}]");
        List<String> frames = drain(s, r);
        long chat = frames.stream().filter(f -> f.contains("\"channel\":\"chat.room\"") && f.contains("message")).count();
        long quiet = frames.stream().filter(f -> f.contains("\"channel\":\"quiet.room\"") && f.contains("message")).count();
        long other = frames.stream().filter(f -> f.contains("\"channel\":\"other.room\"") && f.contains("message")).count();
        assertEquals(2, chat);
        assertEquals(0, quiet);
        assertEquals(5, other);
        assertEquals(50, hub.maxMessageSize("chat.room"));
        assertEquals(256 * 1024, hub.maxMessageSize("other.room"));
        s.handle("{\"type\":\"publish\",\"id\":9,\"channel\":\"chat.room\",\"data\":\"" + "x".repeat(60) + "\"}");
        List<String> after = drain(s, r);
        assertTrue(after.toString(), after.get(after.size() - 1).contains("\"code\":\"too_large\""));
    }

    private static void assertCode(ErrorCode code, Runnable r) {
        try {
            r.run();
            fail("expected " + code);
        } catch (HalleyException e) {
            assertEquals(code, e.code());
        }
    }
}
