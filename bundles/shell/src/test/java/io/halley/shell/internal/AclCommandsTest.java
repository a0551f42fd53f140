package io.halley.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

/** halley:acl-* as Karaf would run them, minus Karaf. */
public class AclCommandsTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final FakeAccessControl acl = new FakeAccessControl();

    private <A extends HalleyAction> A capture(A action) {
        action.out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        return action;
    }

    private List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** Knows alice (role staff) only. */
    private static final class Realm implements Authenticator {
        @Override
        public Identity authenticate(Credentials credentials) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Identity> lookup(String user) {
            return user.equals("alice") ? Optional.of(Identity.user("alice", Set.of("staff"))) : Optional.empty();
        }

        @Override
        public String realm() {
            return "karaf";
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of();
        }
    }

    private AclAddCommand add(boolean deny, String principal, String pattern, String permissions) {
        AclAddCommand c = capture(new AclAddCommand());
        c.acl = acl;
        c.deny = deny;
        c.principal = principal;
        c.pattern = pattern;
        c.permissions = permissions;
        return c;
    }

    private AclCheckCommand check(String user, String channel, String operation, String... roles) {
        AclCheckCommand c = capture(new AclCheckCommand());
        c.acl = acl;
        c.authenticator = new Realm();
        c.user = user;
        c.channel = channel;
        c.operation = operation;
        c.roles = roles.length == 0 ? null : List.of(roles);
        return c;
    }

    @Test
    public void addPrintsTheNewId() throws Exception {
        add(false, "user:bob", "news.>", "subscribe,history").execute();
        add(true, "anonymous", "news.secret", "all").execute();
        assertEquals(List.of("r1", "r2"), lines());
        assertEquals(new AclRule("r1", true, "user:bob", "news.>", Set.of(Permission.SUBSCRIBE, Permission.HISTORY)),
                acl.rules.get(0));
        assertFalse(acl.rules.get(1).allow());
        assertEquals(Set.of(Permission.values()), acl.rules.get(1).permissions());
    }

    @Test
    public void aBadRuleIsAOneLineError() throws Exception {
        assertEquals("unknown principal 'bob' (anonymous, authenticated, everyone, user:NAME, role:NAME, key:NAME)"
                + " (bad_request)", expectFailure(add(false, "bob", "news", "subscribe")).getMessage());
        assertTrue(expectFailure(add(false, "everyone", "news..x", "subscribe")).getMessage()
                .startsWith("invalid channel name"));
        assertEquals("unknown permission 'read' (subscribe, publish, presence, history) (bad_request)",
                expectFailure(add(false, "everyone", "news", "read")).getMessage());
        assertTrue(acl.rules.isEmpty());
        assertEquals(List.of(), lines());
    }

    @Test
    public void aStoreThatCannotWriteIsAOneLineError() throws Exception {
        acl.failWith = new HalleyException(ErrorCode.UNAVAILABLE, "the rules could not be stored; see the log");
        assertEquals("the rules could not be stored; see the log (unavailable)",
                expectFailure(add(false, "everyone", "news", "subscribe")).getMessage());
    }

    @Test
    public void listShowsTheRulesInOrder() throws Exception {
        acl.rules.add(AclRule.parse("demo", "allow anonymous demo.> subscribe,publish"));
        acl.rules.add(AclRule.parse("r2", "deny user:bob demo.secret all"));
        AclListCommand c = capture(new AclListCommand());
        c.acl = acl;
        c.noFormat = true;
        c.execute();
        assertEquals(List.of(
                "demo\tallow\tanonymous\tdemo.>\tsubscribe,publish",
                "r2\tdeny\tuser:bob\tdemo.secret\tsubscribe,publish,presence,history"),
                lines().stream().map(String::strip).map(AclCommandsTest::cells).toList());
    }

    @Test
    public void formattedListHasHeaders() throws Exception {
        AclListCommand c = capture(new AclListCommand());
        c.acl = acl;
        c.execute();
        String out = String.join("\n", lines());
        assertTrue(out, out.contains("no rules"));
        acl.rules.add(AclRule.parse("r1", "allow everyone demo subscribe"));
        c.execute();
        out = String.join("\n", lines());
        assertTrue(out, out.contains("Principal") && out.contains("Permissions") && out.contains("everyone"));
    }

    @Test
    public void remove() throws Exception {
        acl.rules.add(AclRule.parse("r1", "allow everyone demo subscribe"));
        AclRemoveCommand c = capture(new AclRemoveCommand());
        c.acl = acl;
        c.id = "r1";
        c.execute();
        assertEquals(List.of("removed r1: allow everyone demo subscribe"), lines());
        assertTrue(acl.rules.isEmpty());
        assertEquals("no rule with id 'r1' (not_found)", expectFailure(c).getMessage());
    }

    @Test
    public void checkPrintsTheDecisionAndTheRule() throws Exception {
        AclRule rule = AclRule.parse("r3", "deny role:staff news.> publish");
        acl.decision = new AccessDecision(false, rule, "denied by r3");
        check("alice", "news.eu", "PUBLISH").execute();
        assertEquals(List.of("DENIED", "rule:   r3 deny role:staff news.> publish", "reason: denied by r3",
                "as:     user:alice, roles: staff"), lines());
        assertEquals(Identity.user("alice", Set.of("staff")), acl.checks.get(0)[0]);
        assertEquals("news.eu", acl.checks.get(0)[1]);
        assertEquals(Permission.PUBLISH, acl.checks.get(0)[2]);
    }

    @Test
    public void checkAddsTheRolesGivenToTheRealms() throws Exception {
        acl.decision = new AccessDecision(true, AclRule.parse("admin", "allow role:halley-admin > all"),
                "granted by admin");
        check("alice", "demo.*", "subscribe", "halley-admin").execute();
        assertEquals(Identity.user("alice", Set.of("staff", "halley-admin")), acl.checks.get(0)[0]);
        assertEquals("ALLOWED", lines().get(0));
        assertEquals("as:     user:alice, roles: halley-admin, staff", lines().get(3));
    }

    @Test
    public void checkOfAUserTheRealmDoesNotKnow() throws Exception {
        check("user:carol", "demo", "history", "x", "y").execute();
        assertEquals(Identity.user("carol", Set.of("x", "y")), acl.checks.get(0)[0]);
        assertEquals(List.of("DENIED", "rule:   none", "reason: no rule grants it", "as:     user:carol, roles: x, y",
                "note:   the realm does not know carol: only the roles given count"), lines());
    }

    @Test
    public void checkWithoutTheAuthenticatorUsesTheRolesGiven() throws Exception {
        AclCheckCommand c = check("alice", "demo", "subscribe");
        c.authenticator = null;
        c.execute();
        assertEquals(Identity.user("alice", Set.of()), acl.checks.get(0)[0]);
        assertTrue(lines().toString(), lines().get(4).contains("halley-auth"));
    }

    @Test
    public void checkAnonymousAndKeys() throws Exception {
        check("anonymous", "demo.chat", "subscribe").execute();
        assertEquals(Identity.anonymous(), acl.checks.get(0)[0]);
        assertEquals("as:     anonymous", lines().get(3));
        assertTrue(expectFailure(check("anonymous", "demo", "subscribe", "r")).getMessage().contains("no roles"));

        AclCheckCommand c = check("key:ci", "builds", "publish");
        c.apiKeys = new ApiKeys() {
            @Override
            public String create(String name, Set<String> roles) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean remove(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<KeyInfo> list() {
                return List.of(new KeyInfo("ci", Set.of("builder"), 0));
            }
        };
        c.execute();
        assertEquals(new Identity("ci", Identity.Kind.KEY, Set.of("builder"), 0, Set.of()), acl.checks.get(1)[0]);
    }

    @Test
    public void checkRefusesBadInputClearly() throws Exception {
        assertEquals("unknown permission 'read' (subscribe, publish, presence, history) (bad_request)",
                expectFailure(check("alice", "demo", "read")).getMessage());
        assertTrue(expectFailure(check("alice", "demo..x", "subscribe")).getMessage().endsWith("(invalid_channel)"));
        assertTrue(acl.checks.isEmpty());
    }

    @Test
    public void withoutTheServiceEveryCommandSaysSo() throws Exception {
        List<HalleyAction> actions = new ArrayList<>(List.of(new AclListCommand(), add(false, "everyone", "a", "all"),
                new AclRemoveCommand(), check("alice", "a", "subscribe")));
        ((AclAddCommand) actions.get(1)).acl = null;
        ((AclCheckCommand) actions.get(3)).acl = null;
        for (HalleyAction a : actions) {
            assertTrue(expectFailure(capture(a)).getMessage().contains("halley-acl) is not available"));
        }
    }

    @Test
    public void theIdCompleterOffersTheRules() {
        acl.rules.add(AclRule.parse("demo", "allow anonymous demo.> subscribe"));
        AclIdCompleter completer = new AclIdCompleter();
        completer.acl = acl;
        List<String> candidates = new ArrayList<>();
        completer.complete(null, new FakeCommandLine(""), candidates);
        assertTrue(candidates.toString(), candidates.stream().anyMatch(c -> c.startsWith("demo")));
    }

    private static String cells(String line) {
        return Arrays.stream(line.split("\t", -1)).map(String::strip).collect(Collectors.joining("\t"));
    }

    private static CommandException expectFailure(HalleyAction action) throws Exception {
        try {
            action.execute();
        } catch (CommandException e) {
            return e;
        }
        fail("expected a CommandException");
        return null;
    }
}
