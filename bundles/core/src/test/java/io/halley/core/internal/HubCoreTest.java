package io.halley.core.internal;

import io.halley.api.Credentials;

import io.halley.api.CloseReason;
import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.HalleyException;
import io.halley.api.Session;
import io.halley.api.SessionListener;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class HubCoreTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);

    private HubCore hub(Map<String, Object> props) {
        HubConfig config = Converters.standardConverter().convert(props).to(HubConfig.class);
        return HubCoreTest.withRules(new HubCore(config, clock::get));
    }

    /** A hub with {@link TestAccess} as its access control and authenticator. */
    static HubCore withRules(HubCore hub) {
        TestAccess access = new TestAccess(hub::now);
        hub.accessControl(access);
        hub.authenticator(access);
        return hub;
    }

    private HubCore hub() {
        return hub(new HashMap<>());
    }

    private static void publish(HubCore hub, String channel, String payload) {
        hub.dispatch(channel, "ID:" + payload.length(), 1, hub.payloads().fromText(payload, ContentType.AUTO), null);
    }

    private static List<String> data(List<Frame> frames) {
        List<String> out = new ArrayList<>();
        for (Frame f : frames) {
            out.add(f.message() == null ? f.type() : f.message().payload());
        }
        return out;
    }

    /** Attaches a connection that has seen nothing yet; frames queued so far stay unsent. */
    private static Recorder attached(Session s) {
        Recorder r = new Recorder();
        s.attach("test", "x", r, -1);
        return r;
    }

    /** Counts what the session says, as a transport would hear it. */
    static final class Recorder implements SessionListener {
        int available;
        final List<CloseReason> closed = new ArrayList<>();

        @Override
        public void onAvailable() {
            available++;
        }

        @Override
        public void onClose(CloseReason reason) {
            closed.add(reason);
        }
    }

    @Test
    public void fansOutToEverySubscriberInOrder() {
        HubCore hub = hub();
        Session a = hub.openSession("test", "a", Credentials.none(), List.of("demo.news"));
        Session b = hub.openSession("test", "b", Credentials.none(), List.of("demo.news", "demo.sports"));
        Session c = hub.openSession("test", "c", Credentials.none(), List.of("demo.sports"));
        for (int i = 0; i < 100; i++) {
            publish(hub, i % 2 == 0 ? "demo.news" : "demo.sports", "\"m" + i + "\"");
        }
        List<Frame> fa = a.poll(attached(a), 1000, Integer.MAX_VALUE);
        List<Frame> fb = b.poll(attached(b), 1000, Integer.MAX_VALUE);
        List<Frame> fc = c.poll(attached(c), 1000, Integer.MAX_VALUE);
        assertEquals(50, fa.size());
        assertEquals(100, fb.size());
        assertEquals(50, fc.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i + 1, fb.get(i).seq());
            assertEquals("\"\\\"m" + i + "\\\"\"", fb.get(i).message().payload());
        }
        // per channel offsets count the channel's messages, per session seqs count the session's
        assertEquals(50, fa.get(49).message().offset());
        assertEquals(50, fa.get(49).seq());
        assertEquals("{\"type\":\"message\",\"seq\":1,\"channel\":\"demo.news\",\"offset\":1,"
                + "\"id\":\"ID:4\",\"ts\":1,\"data\":\"\\\"m0\\\"\"}", fa.get(0).json());
        assertEquals(fa.get(0).json().length(), fa.get(0).size());
    }

    @Test
    public void wildcardsFollowTheBrokersRulesAndDeliverOnce() {
        HubCore hub = hub();
        Session one = hub.openSession("test", "x", Credentials.none(), List.of("demo.*"));
        Session all = hub.openSession("test", "x", Credentials.none(), List.of("demo.>", "demo.news"));
        publish(hub, "demo.news", "{\"n\":1}");
        publish(hub, "demo.news.eu", "{\"n\":2}");
        publish(hub, "other.news", "{\"n\":3}");
        assertEquals(List.of("{\"n\":1}"), data(one.poll(attached(one), 10, 1 << 20)));
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), data(all.poll(attached(all), 10, 1 << 20)));
    }

    @Test
    public void resumeResendsWhatWasNotSeenAndNothingTwice() {
        HubCore hub = hub();
        Session s = hub.openSession("test", "x", Credentials.none(), List.of("demo.news"));
        Recorder first = new Recorder();
        s.attach("test", "x", first, -1);
        for (int i = 1; i <= 10; i++) {
            publish(hub, "demo.news", "{\"i\":" + i + "}");
        }
        assertEquals(10, first.available);
        List<Frame> sent = s.poll(first, 100, 1 << 20);
        assertEquals(10, sent.size());
        // the connection broke after the client saw seq 6
        s.detach(first);
        publish(hub, "demo.news", "{\"i\":11}");
        Recorder second = new Recorder();
        assertEquals(0, s.attach("test", "x", second, 6));
        List<Frame> again = s.poll(second, 100, 1 << 20);
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L), again.stream().map(Frame::seq).toList());
        assertTrue(s.poll(second, 100, 1 << 20).isEmpty());
        // a lost long-poll answer: the same cursor again gets the same frames
        assertEquals(0, s.attach("test", "x", second, 8));
        assertEquals(List.of(9L, 10L, 11L), s.poll(second, 100, 1 << 20).stream().map(Frame::seq).toList());
    }

    @Test
    public void aReplacedConnectionGetsOnlyItsGoodbye() {
        HubCore hub = hub();
        Session s = hub.openSession("test", "x", Credentials.none(), List.of("demo.news"));
        Recorder old = new Recorder();
        s.attach("test", "x", old, -1);
        publish(hub, "demo.news", "{}");
        Recorder fresh = new Recorder();
        s.attach("test", "x", fresh, 0);
        assertEquals(List.of(CloseReason.REPLACED), old.closed);
        List<Frame> goodbye = s.poll(old, 100, 1 << 20);
        assertEquals(1, goodbye.size());
        assertEquals("{\"type\":\"close\",\"reason\":\"replaced\",\"reconnect\":false}", goodbye.get(0).json());
        assertTrue(s.poll(old, 100, 1 << 20).isEmpty());
        assertEquals(1, s.poll(fresh, 100, 1 << 20).size());
    }

    @Test
    public void sentFramesMakeRoomAndASlowSubscriberIsToldAndDisconnected() {
        Map<String, Object> props = new HashMap<>();
        props.put("queueMaxMessages", 5);
        HubCore hub = hub(props);
        Session s = hub.openSession("test", "x", Credentials.none(), List.of("demo.news"));
        Recorder r = new Recorder();
        s.attach("test", "x", r, -1);
        for (int i = 1; i <= 5; i++) {
            publish(hub, "demo.news", "{\"i\":" + i + "}");
        }
        assertEquals(5, s.poll(r, 100, 1 << 20).size());
        // five more evict the five sent ones; a resume from 0 is told what it missed
        for (int i = 6; i <= 10; i++) {
            publish(hub, "demo.news", "{\"i\":" + i + "}");
        }
        assertTrue(s.isOpen());
        Recorder back = new Recorder();
        assertEquals(5, s.attach("test", "x", back, 0));
        assertEquals(6, s.poll(back, 100, 1 << 20).get(0).seq());

        Session slow = hub.openSession("test", "y", Credentials.none(), List.of("demo.slow"));
        Recorder sr = new Recorder();
        slow.attach("test", "y", sr, -1);
        for (int i = 1; i <= 6; i++) {
            publish(hub, "demo.slow", "{\"i\":" + i + "}");
        }
        assertFalse(slow.isOpen());
        assertEquals(List.of(CloseReason.SLOW_CONSUMER), sr.closed);
        List<Frame> last = slow.poll(sr, 100, 1 << 20);
        assertEquals(List.of("close"), data(last));
        assertEquals("{\"type\":\"close\",\"reason\":\"slow_consumer\",\"reconnect\":false}", last.get(0).json());
        assertTrue(hub.findSession(slow.id()).isEmpty());
        assertEquals(Long.valueOf(1), hub.counters().get("sessions.closed.slow_consumer"));
        // everyone else goes on
        publish(hub, "demo.news", "{\"i\":11}");
        assertEquals(1, s.poll(back, 100, 1 << 20).size());
    }

    @Test
    public void queueIsBoundedInBytesToo() {
        Map<String, Object> props = new HashMap<>();
        props.put("queueMaxBytes", 1000);
        HubCore hub = hub(props);
        Session s = hub.openSession("test", "x", Credentials.none(), List.of("demo.big"));
        String big = "\"" + "x".repeat(300) + "\"";
        publish(hub, "demo.big", big);
        publish(hub, "demo.big", big);
        assertTrue(s.isOpen());
        publish(hub, "demo.big", big);
        assertFalse(s.isOpen());
    }

    @Test
    public void sessionsExpireOnlyWithoutAConnection() {
        Map<String, Object> props = new HashMap<>();
        props.put("sessionLifetime", 1000L);
        HubCore hub = hub(props);
        Session idle = hub.openSession("test", "x", Credentials.none(), List.of("demo.news"));
        Session held = hub.openSession("test", "x", Credentials.none(), List.of("demo.news"));
        Recorder r = new Recorder();
        held.attach("test", "x", r, -1);
        clock.addAndGet(999);
        hub.expire();
        assertTrue(idle.isOpen());
        clock.addAndGet(1);
        hub.expire();
        assertFalse(idle.isOpen());
        assertTrue(held.isOpen());
        held.detach(r);
        clock.addAndGet(1000);
        hub.expire();
        assertFalse(held.isOpen());
        try {
            held.attach("test", "x", new Recorder(), -1);
            fail();
        } catch (HalleyException e) {
            assertEquals(ErrorCode.UNKNOWN_SESSION, e.code());
        }
    }

    @Test
    public void badSubscriptionsAreRefusedWithTheirCode() {
        Map<String, Object> props = new HashMap<>();
        props.put("maxSubscriptionsPerSession", 2);
        HubCore hub = hub(props);
        assertCode(ErrorCode.INVALID_CHANNEL, () -> hub.openSession("t", "x", Credentials.none(), List.of("demo..news")));
        assertCode(ErrorCode.INVALID_CHANNEL, () -> hub.openSession("t", "x", Credentials.none(), List.of("demo.>.x")));
        assertCode(ErrorCode.INVALID_CHANNEL, () -> hub.openSession("t", "x", Credentials.none(), List.of("<script>")));
        assertCode(ErrorCode.MISSING_CHANNEL, () -> hub.openSession("t", "x", Credentials.none(), List.of("")));
        assertCode(ErrorCode.TOO_MANY_CHANNELS, () -> hub.openSession("t", "x", Credentials.none(), List.of("a", "b", "c")));
        assertEquals(0, hub.sessions().size());
    }

    @Test
    public void payloadsAreCompactJsonOnOneLine() {
        Payloads p = new HubCore(Converters.standardConverter().convert(new HashMap<>()).to(HubConfig.class),
                clock::get).payloads();
        assertEquals("{\"a\":[1,2]}", p.fromText("{ \"a\" :\n [1, 2] }", ContentType.JSON));
        assertEquals("{\"a\":1}", p.fromText("  {\"a\":1}", ContentType.AUTO));
        assertEquals("\"42\"", p.fromText("42", ContentType.AUTO));
        assertEquals("\"{not json\"", p.fromText("{not json", ContentType.AUTO));
        assertEquals("\"line\\nbreak\"", p.fromText("line\nbreak", ContentType.TEXT));
        assertEquals("42", p.fromText("42", ContentType.JSON));
        assertCode(ErrorCode.INVALID_JSON, () -> p.fromText("{\"a\":", ContentType.JSON));
        assertCode(ErrorCode.INVALID_JSON, () -> p.fromText("{} {}", ContentType.JSON));
        assertCode(ErrorCode.INVALID_TEXT, () -> p.fromBody(new byte[] {(byte) 0xC3, 0x28}, ContentType.TEXT));
    }

    @Test
    public void recentMessagesAreTheNewestOfTheHistoryOldestFirst() {
        HubCore hub = hub();
        for (int i = 1; i <= 5; i++) {
            publish(hub, "demo.recent", "{\"i\":" + i + "}");
        }
        List<io.halley.api.Message> recent = hub.recentMessages("demo.recent", 3);
        assertEquals(List.of(3L, 4L, 5L), recent.stream().map(io.halley.api.Message::offset).toList());
        assertEquals("{\"i\":5}", recent.get(2).payload());
        assertTrue(hub.recentMessages("demo.none", 3).isEmpty());
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
