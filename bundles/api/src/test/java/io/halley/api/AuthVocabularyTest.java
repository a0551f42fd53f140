package io.halley.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import org.junit.Test;

public class AuthVocabularyTest {

    @Test
    public void patternCoverage() {
        assertTrue(ChannelName.covers(">", "a.b"));
        assertTrue(ChannelName.covers(">", ">"));
        assertTrue(ChannelName.covers("demo.>", "demo.*"));
        assertTrue(ChannelName.covers("demo.>", "demo.chat.>"));
        assertTrue(ChannelName.covers("demo.*", "demo.chat"));
        assertTrue(ChannelName.covers("demo.chat", "demo.chat"));
        assertFalse(ChannelName.covers("demo.>", ">"));
        assertFalse(ChannelName.covers("demo.>", "demo"));
        assertFalse(ChannelName.covers("demo.*", "demo.>"));
        assertFalse(ChannelName.covers("demo.chat", "demo.*"));
        assertFalse(ChannelName.covers("*.chat", "demo.*"));
        assertFalse(ChannelName.covers("demo.chat", "demo.chat.x"));
    }

    @Test
    public void patternOverlap() {
        assertTrue(ChannelName.overlaps("demo.*", "*.chat"));
        assertTrue(ChannelName.overlaps(">", "a"));
        assertTrue(ChannelName.overlaps("a.>", "a.b.c"));
        assertTrue(ChannelName.overlaps("a.*.c", "a.b.>"));
        assertFalse(ChannelName.overlaps("demo.>", "news.>"));
        assertFalse(ChannelName.overlaps("a.>", "a"));
        assertFalse(ChannelName.overlaps("a.*", "a.b.c"));
        assertFalse(ChannelName.overlaps("a.b", "a.c"));
    }

    @Test
    public void authorizationHeaders() {
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s:e:cret".getBytes(StandardCharsets.UTF_8));
        Credentials c = Credentials.fromAuthorization(basic);
        assertEquals(Credentials.Kind.PASSWORD, c.kind());
        assertEquals("alice", c.user());
        assertEquals("s:e:cret", c.secret());
        assertEquals("password for alice", c.toString());
        assertEquals(Credentials.Kind.TOKEN, Credentials.fromAuthorization("Bearer a.b.c").kind());
        assertEquals(Credentials.Kind.API_KEY, Credentials.fromAuthorization("bearer hk_123").kind());
        assertTrue(Credentials.fromAuthorization(null).isNone());
        for (String bad : new String[] {"Basic !!!", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()),
                "Digest x", "Bearer ", "Basic", "Bearer " + "x".repeat(Credentials.MAX_LENGTH)}) {
            HalleyException e = assertThrows(bad, HalleyException.class, () -> Credentials.fromAuthorization(bad));
            assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        }
    }

    @Test
    public void rules() {
        AclRule r = AclRule.parse("r1", "allow anonymous demo.> subscribe,publish");
        assertTrue(r.allow());
        assertEquals(EnumSet.of(Permission.SUBSCRIBE, Permission.PUBLISH), r.permissions());
        assertEquals("allow anonymous demo.> subscribe,publish", r.toString());
        assertEquals(Set.of(Permission.values()), AclRule.parse(null, "deny role:x > all").permissions());
        for (String bad : new String[] {"allow anonymous demo.>", "permit anonymous > all", "allow group:x > all",
                "allow user: > all", "allow anonymous de..mo all", "allow anonymous > read", "allow anonymous a.>.b all"}) {
            assertThrows(bad, IllegalArgumentException.class, () -> AclRule.parse(null, bad));
        }
    }

    @Test
    public void identities() {
        Identity alice = Identity.user("alice", Set.of("r"));
        Identity aliceByToken = new Identity("alice", Identity.Kind.TOKEN, Set.of(), 5, Set.of("a.>"));
        assertTrue(alice.sameSubject(aliceByToken));
        assertFalse(alice.sameSubject(Identity.anonymous()));
        assertFalse(new Identity("alice", Identity.Kind.KEY, Set.of(), 0, Set.of()).sameSubject(alice));
        assertTrue(Identity.anonymous().sameSubject(Identity.anonymous()));
        assertTrue(aliceByToken.isExpired(5));
        assertFalse(alice.isExpired(Long.MAX_VALUE));
        assertEquals("user:alice", aliceByToken.toString());
    }

    @Test
    public void subjectsAnOperatorAsksAbout() {
        Authenticator realm = new Authenticator() {
            @Override
            public Identity authenticate(Credentials credentials) {
                throw Credentials.unauthorized();
            }

            @Override
            public java.util.Optional<Identity> lookup(String user) {
                return user.equals("bob") ? java.util.Optional.of(Identity.user("bob", Set.of("readers")))
                        : java.util.Optional.empty();
            }

            @Override
            public String realm() {
                return "test";
            }

            @Override
            public java.util.Map<String, Long> counters() {
                return java.util.Map.of();
            }
        };
        ApiKeys keys = new ApiKeys() {
            @Override
            public String create(String name, Set<String> roles) {
                throw new IllegalStateException("read only");
            }

            @Override
            public boolean remove(String name) {
                return false;
            }

            @Override
            public java.util.List<KeyInfo> list() {
                return java.util.List.of(new KeyInfo("pub", Set.of("writers"), 1));
            }
        };
        Subject bob = Subject.resolve("user:bob", Set.of("extra"), realm, keys);
        assertTrue(bob.known());
        assertEquals(Set.of("readers", "extra"), bob.identity().roles());
        assertFalse(Subject.resolve("carol", Set.of(), realm, keys).known());
        assertFalse(Subject.resolve("bob", Set.of(), null, keys).known());
        Subject pub = Subject.resolve("key:pub", Set.of(), realm, keys);
        assertEquals(Identity.Kind.KEY, pub.identity().kind());
        assertEquals(Set.of("writers"), pub.identity().roles());
        assertTrue(Subject.resolve("anonymous", Set.of(), realm, keys).identity().isAnonymous());
        for (String bad : new String[] {"", "user:", "key:"}) {
            assertThrows(bad, IllegalArgumentException.class, () -> Subject.resolve(bad, Set.of(), realm, keys));
        }
        assertThrows(IllegalArgumentException.class, () -> Subject.resolve("anonymous", Set.of("r"), realm, keys));
    }
}
