package io.halley.acl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import io.halley.api.AccessDecision;
import io.halley.api.ChannelName;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.util.List;
import java.util.Set;

import org.junit.Test;

/** What check answers: the semantics table of the rules. */
public class CompiledRulesTest {

    private static final Identity ANON = Identity.anonymous();
    private static final Identity ALICE = Identity.user("alice", Set.of("staff"));
    private static final Identity BOB = Identity.user("bob", Set.of());
    private static final Identity BOB_TOKEN = new Identity("bob", Identity.Kind.TOKEN, Set.of("reader"), 0,
            Set.of("feeds.>", "scores.live"));
    private static final Identity KEY = new Identity("backend", Identity.Kind.KEY, Set.of("publisher"), 0, Set.of());

    private static CompiledRules rules(String text) {
        return new CompiledRules(RulesFile.parse(text).rules());
    }

    private static boolean allowed(CompiledRules r, Identity who, String pattern, Permission p) {
        return r.check(who, pattern, p).allowed();
    }

    @Test
    public void noRuleNoAccess() {
        AccessDecision d = rules("# nothing\n").check(ALICE, "demo.chat", Permission.SUBSCRIBE);
        assertFalse(d.allowed());
        assertNull(d.rule());
        assertEquals("no rule grants it", d.reason());
    }

    @Test
    public void systemIsNeverRefused() {
        CompiledRules r = rules("d1 deny everyone > all\n");
        AccessDecision d = r.check(Identity.system("shell"), "demo.chat", Permission.PUBLISH);
        assertTrue(d.allowed());
        assertNull(d.rule());
        assertEquals("system", d.reason());
        assertFalse(r.check(ALICE, "demo.chat", Permission.PUBLISH).allowed());
    }

    @Test
    public void grantCoversTheAskedPattern() {
        CompiledRules r = rules("g1 allow everyone demo.> subscribe\n");
        AccessDecision d = r.check(ANON, "demo.chat", Permission.SUBSCRIBE);
        assertTrue(d.allowed());
        assertEquals("g1", d.rule().id());
        assertEquals("granted by g1", d.reason());
        assertTrue(allowed(r, ANON, "demo.*", Permission.SUBSCRIBE));
        assertTrue(allowed(r, ANON, "demo.chat.>", Permission.SUBSCRIBE));
        // a pattern reaching past the grant is refused as a whole
        assertFalse(allowed(r, ANON, ">", Permission.SUBSCRIBE));
        assertFalse(allowed(r, ANON, "*.chat", Permission.SUBSCRIBE));
        assertFalse(allowed(r, ANON, "demo", Permission.SUBSCRIBE));
        // only the permissions it names
        assertFalse(allowed(r, ANON, "demo.chat", Permission.PUBLISH));
        assertFalse(allowed(r, ANON, "demo.chat", Permission.HISTORY));
    }

    @Test
    public void denyWinsWhereverItOverlaps() {
        CompiledRules r = rules("""
                g1 allow everyone demo.> all
                d1 deny anonymous demo.secret.* subscribe,history
                """);
        AccessDecision d = r.check(ANON, "demo.secret.plans", Permission.SUBSCRIBE);
        assertFalse(d.allowed());
        assertEquals("d1", d.rule().id());
        assertEquals("denied by d1", d.reason());
        // a pattern that could match a denied channel is refused, though the grant covers it
        assertEquals("d1", r.check(ANON, "demo.>", Permission.SUBSCRIBE).rule().id());
        assertEquals("d1", r.check(ANON, "demo.*.plans", Permission.SUBSCRIBE).rule().id());
        // what the deny cannot reach stays granted
        assertTrue(allowed(r, ANON, "demo.*", Permission.SUBSCRIBE));
        assertTrue(allowed(r, ANON, "demo.secret.plans", Permission.PUBLISH));
        assertTrue(allowed(r, ANON, "demo.secret.a.b", Permission.SUBSCRIBE));
        // the deny is about anonymous only
        assertTrue(allowed(r, ALICE, "demo.secret.plans", Permission.SUBSCRIBE));
    }

    @Test
    public void denyWinsWhicheverComesFirst() {
        CompiledRules r = rules("""
                d1 deny user:bob news.> publish
                g1 allow user:bob news.> all
                g2 allow everyone news.> publish
                """);
        assertEquals("denied by d1", r.check(BOB, "news.eu", Permission.PUBLISH).reason());
        assertEquals("granted by g1", r.check(BOB, "news.eu", Permission.SUBSCRIBE).reason());
        assertEquals("granted by g2", r.check(ALICE, "news.eu", Permission.PUBLISH).reason());
    }

    @Test
    public void principals() {
        CompiledRules r = rules("""
                a allow anonymous p.anon subscribe
                b allow authenticated p.auth subscribe
                c allow everyone p.all subscribe
                d allow user:bob p.bob subscribe
                e allow role:staff p.staff subscribe
                f allow key:backend p.key subscribe
                """);
        Identity[] who = {ANON, ALICE, BOB, BOB_TOKEN, KEY};
        String[] channels = {"p.anon", "p.auth", "p.all", "p.bob", "p.staff", "p.key"};
        boolean[][] expected = {
            // anon  auth   all   bob    staff  key
            {true, false, true, false, false, false},   // anonymous
            {false, true, true, false, true, false},    // alice, role staff
            {false, true, true, true, false, false},    // bob (realm user)
            {false, true, true, true, false, false},    // bob (token)
            {false, true, true, false, false, true},    // API key "backend"
        };
        for (int i = 0; i < who.length; i++) {
            for (int j = 0; j < channels.length; j++) {
                assertEquals(who[i] + " on " + channels[j], expected[i][j],
                        allowed(r, who[i], channels[j], Permission.SUBSCRIBE));
            }
        }
        // a user named like a key is not the key, and the other way round
        Identity userBackend = Identity.user("backend", Set.of());
        Identity keyBob = new Identity("bob", Identity.Kind.KEY, Set.of(), 0, Set.of());
        assertFalse(allowed(r, userBackend, "p.key", Permission.SUBSCRIBE));
        assertFalse(allowed(r, keyBob, "p.bob", Permission.SUBSCRIBE));
    }

    @Test
    public void tokenChannelsGrantReadingOnly() {
        CompiledRules r = rules("d1 deny everyone feeds.private.> all\n");
        AccessDecision d = r.check(BOB_TOKEN, "feeds.sport", Permission.SUBSCRIBE);
        assertTrue(d.allowed());
        assertNull(d.rule());
        assertEquals("granted by the token", d.reason());
        assertTrue(allowed(r, BOB_TOKEN, "feeds.*", Permission.HISTORY));
        assertTrue(allowed(r, BOB_TOKEN, "scores.live", Permission.PRESENCE));
        assertFalse(allowed(r, BOB_TOKEN, "feeds.sport", Permission.PUBLISH));
        assertFalse(allowed(r, BOB_TOKEN, "scores.*", Permission.SUBSCRIBE));
        assertFalse(allowed(r, BOB_TOKEN, ">", Permission.SUBSCRIBE));
        // still subject to deny rules
        assertEquals("denied by d1", r.check(BOB_TOKEN, "feeds.private.x", Permission.SUBSCRIBE).reason());
        assertEquals("denied by d1", r.check(BOB_TOKEN, "feeds.>", Permission.SUBSCRIBE).reason());
        // the same user by password has no token channels
        assertFalse(allowed(r, BOB, "feeds.sport", Permission.SUBSCRIBE));
    }

    @Test
    public void aGrantOfEverything() {
        CompiledRules r = rules("admin allow role:halley-admin > all\n");
        Identity admin = Identity.user("root", Set.of("halley-admin"));
        for (Permission p : Permission.values()) {
            assertTrue(allowed(r, admin, ">", p));
            assertTrue(allowed(r, admin, "a.b.c", p));
        }
        assertFalse(allowed(r, ALICE, "a", Permission.SUBSCRIBE));
    }

    @Test
    public void reservedBrokerNamesFollowTheRules() {
        CompiledRules r = rules("g allow everyone demo.> subscribe\n");
        assertFalse(allowed(r, ALICE, "ActiveMQ.Advisory.Topic", Permission.SUBSCRIBE));
        assertTrue(allowed(rules("g allow everyone > subscribe\n"), ALICE, "ActiveMQ.Advisory.Topic",
                Permission.SUBSCRIBE));
    }

    @Test
    public void theSameDecisionEachTime() {
        CompiledRules r = rules("g allow everyone demo.> subscribe\n");
        assertSame(r.check(ANON, "demo.a", Permission.SUBSCRIBE), r.check(ALICE, "demo.b", Permission.SUBSCRIBE));
        assertSame(CompiledRules.NO_GRANT, r.check(ANON, "x", Permission.SUBSCRIBE));
    }

    @Test
    public void coversAndOverlapsAgreeWithChannelName() {
        List<String> patterns = List.of(">", "*", "a", "b", "a.b", "a.c", "a.*", "*.b", "a.>", "*.>", "a.b.c",
                "a.*.c", "a.b.>", "*.*", "a.b.*", "ab", "a.bc", "*.*.*", "b.>", "a.b.c.d");
        for (String outer : patterns) {
            String[] split = outer.split("\\.");
            for (String inner : patterns) {
                assertEquals(outer + " covers " + inner, ChannelName.covers(outer, inner),
                        CompiledRules.covers(split, inner));
                assertEquals(outer + " overlaps " + inner, ChannelName.overlaps(outer, inner),
                        CompiledRules.overlaps(split, inner));
            }
        }
    }
}
