package io.halley.core.internal;

import io.halley.api.CloseReason;
import io.halley.api.ContentType;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Session;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Identities and channel permissions as the hub enforces them. */
public class AuthTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final HubCore hub = new HubCore(Converters.standardConverter().convert(new HashMap<>()).to(HubConfig.class),
            clock::get);
    private final TestAccess access = new TestAccess(clock::get);

    public AuthTest() {
        hub.accessControl(access);
        hub.authenticator(access);
    }

    private void publish(String channel, String payload) {
        hub.dispatch(channel, "ID:1", 1, hub.payloads().fromText(payload, ContentType.AUTO), null);
    }

    private static List<String> drain(Session s, HubCoreTest.Recorder r) {
        return s.poll(r, 1000, Integer.MAX_VALUE).stream().map(Frame::json).toList();
    }

    private static void assertCode(ErrorCode code, Runnable r) {
        try {
            r.run();
            fail("expected " + code);
        } catch (HalleyException e) {
            assertEquals(code, e.code());
        }
    }

    private String token(String user, long expiresAt) {
        return user + "." + expiresAt + ".sig";
    }

    @Test
    public void aForbiddenChannelOpensNothing() {
        access.denies.add("anonymous secret.> subscribe");
        assertCode(ErrorCode.FORBIDDEN,
                () -> hub.openSession("sse", "x", Credentials.none(), List.of("demo.a", "secret.x")));
        assertCode(ErrorCode.FORBIDDEN, () -> hub.openSession("sse", "x", Credentials.none(), List.of(">")));
        assertTrue(hub.sessions().isEmpty());
        assertEquals("user:alice", hub.openSession("sse", "x", Credentials.password("alice", "pw"), List.of("secret.x"))
                .identity().toString());
        assertCode(ErrorCode.UNAUTHORIZED,
                () -> hub.openSession("sse", "x", Credentials.password("alice", "wrong"), List.of("demo.a")));
        assertCode(ErrorCode.UNAUTHORIZED, () -> hub.openSession("sse", "x", Credentials.token("forged.1.x"), List.of()));
        assertEquals(1, (long) hub.counters().get("acl.refused.subscribe") / 2);
        assertEquals(2L, (long) hub.counters().get("auth.refused"));
    }

    @Test
    public void onlyTheSameSubjectResumesASession() {
        Session mine = hub.openSession("sse", "x", Credentials.password("alice", "pw"), List.of("demo.a"));
        assertCode(ErrorCode.UNKNOWN_SESSION, () -> hub.resume(mine.id(), Credentials.none()));
        assertCode(ErrorCode.UNKNOWN_SESSION, () -> hub.resume(mine.id(), Credentials.token(token("bob", 2_000_000))));
        assertCode(ErrorCode.UNAUTHORIZED, () -> hub.resume(mine.id(), Credentials.password("alice", "nope")));
        assertEquals(mine, hub.resume(mine.id(), Credentials.token(token("alice", 2_000_000))));
        Session anonymous = hub.openSession("sse", "x", Credentials.none(), List.of());
        assertEquals(anonymous, hub.resume(anonymous.id(), Credentials.none()));
        assertCode(ErrorCode.UNKNOWN_SESSION, () -> hub.resume(anonymous.id(), Credentials.password("alice", "pw")));

        // over a connect frame: another subject gets a new session, not this one
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        var other = hub.connect("{\"type\":\"connect\",\"session\":\"" + mine.id() + "\",\"lastSeq\":0}", "ws", "x",
                Credentials.none(), r);
        assertFalse(other.resumed());
        assertNotEquals(mine.id(), other.session().id());
        var same = hub.connect("{\"type\":\"connect\",\"session\":\"" + mine.id() + "\",\"lastSeq\":0,\"token\":\""
                + token("alice", 2_000_000) + "\"}", "ws", "x", Credentials.none(), new HubCoreTest.Recorder());
        assertTrue(same.resumed());
        assertEquals(Identity.Kind.TOKEN, same.session().identity().kind());
        var byPassword = hub.connect("{\"type\":\"connect\",\"session\":\"" + mine.id()
                + "\",\"lastSeq\":0,\"user\":\"alice\",\"password\":\"pw\"}", "ws", "x", Credentials.none(),
                new HubCoreTest.Recorder());
        assertTrue(byPassword.resumed());
        assertCode(ErrorCode.UNAUTHORIZED, () -> hub.connect("{\"type\":\"connect\",\"user\":\"alice\"}", "ws", "x",
                Credentials.none(), new HubCoreTest.Recorder()));
    }

    @Test
    public void aRevokedSubscriptionEndsWithAForbiddenNotice() {
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        Session s = hub.connect("{\"type\":\"connect\"}", "ws", "x", Credentials.none(), r).session();
        s.handle("[{\"type\":\"subscribe\",\"channel\":\"news.>\",\"id\":1},{\"type\":\"subscribe\",\"channel\":\"demo.a\",\"id\":2}]");
        publish("news.eu", "1");
        access.denies.add("anonymous news.eu subscribe");
        hub.recheckSubscriptions();
        publish("news.eu", "2");
        publish("demo.a", "3");
        List<String> frames = drain(s, r);
        assertEquals(5, frames.size());
        assertTrue(frames.get(2), frames.get(2).contains("\"channel\":\"news.eu\""));
        assertEquals("{\"type\":\"unsubscribed\",\"seq\":4,\"channel\":\"news.>\",\"code\":\"forbidden\","
                + "\"message\":\"the permission to subscribe was revoked\"}", frames.get(3));
        assertTrue(frames.get(4), frames.get(4).contains("\"channel\":\"demo.a\""));
        assertEquals(java.util.Set.of("demo.a"), s.subscriptions());

        // subscribing again is refused with a reply
        s.handle("{\"type\":\"subscribe\",\"channel\":\"news.eu\",\"id\":3}");
        assertTrue(drain(s, r).get(0).contains("\"ok\":false,\"error\":{\"code\":\"forbidden\""));
        // recovering from history needs the history permission too
        access.denies.add("anonymous demo.b history");
        s.handle("{\"type\":\"subscribe\",\"channel\":\"demo.b\",\"id\":4,\"recover\":{\"offset\":0}}");
        assertTrue(drain(s, r).get(0).contains("\"code\":\"forbidden\""));
    }

    @Test
    public void aResumeChecksTheSubscriptionsAgainOnlyWhenTheRulesOrTheIdentityChanged() {
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong revision = new java.util.concurrent.atomic.AtomicLong();
        java.util.Set<String> denied = java.util.concurrent.ConcurrentHashMap.newKeySet();
        TestAccess counting = new TestAccess(clock::get) {
            @Override
            public io.halley.api.AccessDecision check(Identity who, String pattern, io.halley.api.Permission p) {
                checks.incrementAndGet();
                return new io.halley.api.AccessDecision(!denied.contains(pattern), null, "test");
            }

            @Override
            public long revision() {
                return revision.get();
            }
        };
        hub.accessControl(counting);
        Session s = hub.openSession("longpoll", "x", Credentials.none(), List.of("news.eu", "news.us"));
        hub.resume(s.id(), Credentials.none());
        int afterFirstResume = checks.get();
        for (int i = 0; i < 5; i++) {
            hub.resume(s.id(), Credentials.none());
        }
        assertEquals("nothing changed: no check", afterFirstResume, checks.get());

        // a changed rule (a new revision) is seen at the next resume, even before the hub is told of it
        denied.add("news.us");
        revision.incrementAndGet();
        hub.resume(s.id(), Credentials.none());
        assertEquals(java.util.Set.of("news.eu"), s.subscriptions());
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        s.attach("longpoll", "x", r, -1);
        assertTrue(drain(s, r).get(0).contains("\"type\":\"unsubscribed\",\"seq\":1,\"channel\":\"news.us\""));

        // another identity of the same subject (new roles) is checked again too
        Session alice = hub.openSession("longpoll", "x", Credentials.password("alice", "pw"), List.of("news.eu"));
        hub.resume(alice.id(), Credentials.password("alice", "pw"));
        int before = checks.get();
        hub.resume(alice.id(), Credentials.password("alice", "pw"));
        assertEquals(before, checks.get());
        denied.add("news.eu");
        revision.incrementAndGet();
        hub.resume(alice.id(), Credentials.password("alice", "pw"));
        assertEquals(java.util.Set.of(), alice.subscriptions());
    }

    @Test
    public void anExpiredTokenEndsTheConnectionAndAFreshOneRenewsIt() {
        HubCoreTest.Recorder r = new HubCoreTest.Recorder();
        Session s = hub.connect("{\"type\":\"connect\",\"token\":\"" + token("alice", 1_010_000) + "\"}", "ws", "x",
                Credentials.none(), r).session();
        s.handle("{\"type\":\"auth\",\"id\":1,\"token\":\"" + token("alice", 1_020_000) + "\"}");
        assertEquals("{\"type\":\"reply\",\"seq\":1,\"id\":1,\"ok\":true,\"result\":{\"expiresAt\":1020000}}",
                drain(s, r).get(0));
        s.handle("{\"type\":\"auth\",\"id\":2,\"token\":\"" + token("bob", 1_030_000) + "\"}");
        assertTrue(drain(s, r).get(0).contains("\"code\":\"forbidden\""));
        s.handle("{\"type\":\"auth\",\"id\":3,\"token\":\"forged.9.x\"}");
        assertTrue(drain(s, r).get(0).contains("\"code\":\"unauthorized\""));
        clock.set(1_015_000);
        hub.expire();
        assertTrue(r.closed.isEmpty());
        clock.set(1_020_000);
        hub.expire();
        assertEquals(List.of(CloseReason.TOKEN_EXPIRED), r.closed);
        assertTrue(s.isOpen());
        // the client comes back with a fresh token and resumes
        var back = hub.connect("{\"type\":\"connect\",\"session\":\"" + s.id() + "\",\"lastSeq\":3,\"token\":\""
                + token("alice", 1_100_000) + "\"}", "ws", "x", Credentials.none(), new HubCoreTest.Recorder());
        assertTrue(back.resumed());
    }

    @Test
    public void withoutTheServicesEverythingIsRefused() {
        hub.accessControl(null);
        hub.authenticator(null);
        assertCode(ErrorCode.FORBIDDEN, () -> hub.openSession("sse", "x", Credentials.none(), List.of("demo.a")));
        assertCode(ErrorCode.UNAVAILABLE, () -> hub.openSession("sse", "x", Credentials.password("alice", "pw"), List.of()));
        assertTrue(hub.check(Identity.system("shell"), ">", io.halley.api.Permission.PUBLISH).allowed());
    }
}
