package io.halley.acl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.halley.api.AclRule;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The service over a real rules file in a temporary folder. */
public class AclServiceTest {

    private static final long TIMEOUT_SECONDS = 10;

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final AclService service = new AclService();
    /** The revision after each change, as the listener saw it. */
    private final BlockingQueue<Long> changes = new LinkedBlockingQueue<>();
    private Path file;

    private void start(String content, boolean watch) throws IOException {
        file = folder.getRoot().toPath().resolve("etc").resolve("halley-acl.rules");
        if (content != null) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        }
        service.addListener(() -> changes.add(service.revision()));
        service.start(file, watch);
    }

    @After
    public void stop() {
        service.deactivate();
    }

    private String content() throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private long nextChange() throws InterruptedException {
        Long revision = changes.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull("no change was told within " + TIMEOUT_SECONDS + " s", revision);
        return revision;
    }

    /** Replaces the file as an editor that saves through a temporary file does. */
    private void edit(String content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "edit", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static AclRule rule(String text) {
        return AclRule.parse(null, text);
    }

    @Test
    public void aMissingFileGetsTheShippedRules() throws Exception {
        start(null, false);
        assertTrue(Files.exists(file));
        String text = content();
        assertTrue(text, text.startsWith("#\n# Halley channel permissions"));
        assertEquals(List.of("demo", "demo-users", "admin"), service.rules().stream().map(AclRule::id).toList());
        assertTrue(service.isAllowed(Identity.anonymous(), "demo.chat", Permission.PUBLISH));
        assertTrue(service.isAllowed(Identity.user("ann", Set.of()), "demo.>", Permission.HISTORY));
        assertFalse(service.isAllowed(Identity.anonymous(), "news", Permission.SUBSCRIBE));
        assertTrue(service.isAllowed(Identity.user("root", Set.of("halley-admin")), ">", Permission.PUBLISH));
        assertEquals(1, service.revision());
    }

    @Test
    public void changesAreWrittenKeepingCommentsAndLayout() throws Exception {
        String original = """
                # my rules
                r1   allow  anonymous   demo.>   subscribe

                # the team
                team allow role:team team.> all
                """;
        start(original, false);
        AclRule added = service.add(rule("deny user:bob team.secret publish"));
        assertEquals("r2", added.id());
        assertEquals(original + "r2 deny user:bob team.secret publish\n", content());

        assertTrue(service.update(new AclRule("team", true, "role:team", "team.>",
                EnumSet.of(Permission.SUBSCRIBE, Permission.PUBLISH))));
        assertEquals("""
                # my rules
                r1   allow  anonymous   demo.>   subscribe

                # the team
                team allow role:team team.> subscribe,publish
                r2 deny user:bob team.secret publish
                """, content());

        assertTrue(service.remove("r1"));
        assertFalse(service.remove("r1"));
        assertFalse(service.update(new AclRule("nope", true, "everyone", "x", EnumSet.of(Permission.SUBSCRIBE))));
        assertEquals("""
                # my rules

                # the team
                team allow role:team team.> subscribe,publish
                r2 deny user:bob team.secret publish
                """, content());
        assertEquals(List.of("team", "r2"), service.rules().stream().map(AclRule::id).toList());
        assertEquals(1 + 3, service.revision());
    }

    @Test
    public void theFileReadsBackAsTheSameRules() throws Exception {
        start(null, false);
        service.add(rule("allow user:bob news.> subscribe,history"));
        service.add(rule("deny key:ci * all"));
        List<AclRule> before = service.rules();
        service.deactivate();

        AclService again = new AclService();
        again.start(file, false);
        try {
            assertEquals(before, again.rules());
            assertEquals(service.rule("r2"), again.rule("r2"));
            assertEquals(content(), RulesFile.parse(content()).render());
        } finally {
            again.deactivate();
        }
    }

    @Test
    public void idsAreTheNextFreeOnes() throws Exception {
        start("r1 allow everyone a subscribe\nr7 allow everyone b subscribe\nx12 allow everyone c subscribe\n", false);
        assertEquals("r8", service.add(rule("allow everyone d subscribe")).id());
        assertEquals("r9", service.add(rule("allow everyone e subscribe")).id());
        service.remove("r9");
        // a removed id is not given again at once
        assertEquals("r9", service.add(rule("allow everyone f subscribe")).id());
        assertTrue(service.rule("r9").isPresent());
        // the id a caller gives is ignored
        assertEquals("r10", service.add(new AclRule("x12", true, "everyone", "g", EnumSet.of(Permission.PUBLISH))).id());
        assertEquals("c", service.rule("x12").orElseThrow().pattern());
    }

    @Test
    public void aChangeTakesEffectAtOnceAndIsTold() throws Exception {
        start("# none\n", false);
        Identity bob = Identity.user("bob", Set.of());
        assertFalse(service.isAllowed(bob, "news.eu", Permission.SUBSCRIBE));
        long before = service.revision();
        AclRule r = service.add(rule("allow user:bob news.> subscribe"));
        assertTrue(service.isAllowed(bob, "news.eu", Permission.SUBSCRIBE));
        assertEquals(before + 1, nextChange());
        service.remove(r.id());
        assertFalse(service.isAllowed(bob, "news.eu", Permission.SUBSCRIBE));
        assertEquals(before + 2, nextChange());
    }

    @Test
    public void aFailingListenerDoesNotStopTheOthers() throws Exception {
        service.addListener(() -> {
            throw new IllegalStateException("broken listener (expected in this test)");
        });
        start("# none\n", false);
        service.add(rule("allow everyone a subscribe"));
        assertEquals(2, nextChange());
        service.add(rule("allow everyone b subscribe"));
        assertEquals(3, nextChange());
    }

    @Test
    public void anOperatorsEditIsPickedUp() throws Exception {
        start("r1 allow everyone demo.> subscribe\n", true);
        Identity ann = Identity.user("ann", Set.of());
        assertFalse(service.isAllowed(ann, "news.eu", Permission.SUBSCRIBE));
        edit("# edited\nr1 allow everyone demo.> subscribe\nr2 allow user:ann news.> subscribe\n");
        assertEquals(2, nextChange());
        assertTrue(service.isAllowed(ann, "news.eu", Permission.SUBSCRIBE));

        // in place, as a plain write does
        Files.writeString(file, "r1 allow everyone demo.> subscribe\n");
        assertEquals(3, nextChange());
        assertFalse(service.isAllowed(ann, "news.eu", Permission.SUBSCRIBE));
        assertEquals(List.of("r1"), service.rules().stream().map(AclRule::id).toList());
    }

    @Test
    public void theServicesOwnWritesAreNotReloaded() throws Exception {
        start("# none\n", true);
        service.add(rule("allow everyone a subscribe"));
        assertEquals(2, nextChange());
        // an edit after it is the next change: the write in between was not counted again
        edit(content() + "x allow everyone b subscribe\n");
        assertEquals(3, nextChange());
        assertEquals(3, service.revision());
    }

    @Test
    public void aMalformedEditKeepsTheRulesInForce() throws Exception {
        start("r1 allow everyone demo.> subscribe\n", true);
        String broken = "r1 allow everyone demo.> subscribe\nr2 allow nobody news.> subscribe\n";
        Files.writeString(file, broken);
        service.reload();
        assertEquals(1, service.revision());
        assertTrue(service.isAllowed(Identity.anonymous(), "demo.a", Permission.SUBSCRIBE));

        // a change through the service does not write over the operator's edit
        HalleyException e = assertThrows(HalleyException.class, () -> service.add(rule("allow everyone x subscribe")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("line 2"));
        assertEquals(broken, content());

        // nor does emptying the file lock everyone out
        Files.writeString(file, "");
        service.reload();
        assertEquals(1, service.revision());
        assertTrue(service.isAllowed(Identity.anonymous(), "demo.a", Permission.SUBSCRIBE));

        // the fix is applied
        edit("r1 allow everyone demo.> subscribe\nr2 allow everyone news.> subscribe\n");
        assertEquals(2, nextChange());
        assertTrue(service.isAllowed(Identity.anonymous(), "news.a", Permission.SUBSCRIBE));
    }

    @Test
    public void anEditNotYetSeenIsAppliedBeforeAChange() throws Exception {
        start("r1 allow everyone demo.> subscribe\n", false);
        Files.writeString(file, "# kept\nr5 allow everyone news.> subscribe\n");
        AclRule added = service.add(rule("allow everyone sport.> subscribe"));
        assertEquals("r6", added.id());
        assertEquals("# kept\nr5 allow everyone news.> subscribe\nr6 allow everyone sport.> subscribe\n", content());
        assertEquals(3, service.revision());
    }

    @Test
    public void aMalformedFileAtStartGrantsNothingAndIsLeftAlone() throws Exception {
        String broken = "r1 allow everyone demo.> subscribe\nr1 allow everyone news.> subscribe\n";
        start(broken, false);
        assertTrue(service.rules().isEmpty());
        assertFalse(service.isAllowed(Identity.anonymous(), "demo.a", Permission.SUBSCRIBE));
        assertEquals(broken, content());
    }

    @Test
    public void malformedLinesAreNamed() {
        assertMalformed("r1 allow everyone demo.> subscribe\nr1 deny everyone x publish\n",
                "line 2: the id r1 is already used on line 1");
        assertMalformed("\n# c\nr1 allow everyone demo.>\n", "line 3 (r1): a rule is");
        assertMalformed("r1 allow everyone demo..x subscribe\n", "line 1 (r1): invalid channel name");
        assertMalformed("r1 allow everyone demo subscribe,read\n", "line 1 (r1): unknown permission 'read'");
        assertMalformed("r1 maybe everyone demo subscribe\n", "line 1 (r1): a rule starts with allow or deny");
        assertMalformed("r/1 allow everyone demo subscribe\n", "line 1: 'r/1' is not a rule id");
        assertMalformed("allow everyone demo subscribe\n", "line 1 (allow): a rule is");
    }

    private static void assertMalformed(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RulesFile.parse(text));
        assertTrue(e.getMessage(), e.getMessage().startsWith(expected));
    }

    @Test
    public void deactivateStopsTheWatcher() throws Exception {
        start("# none\n", true);
        service.deactivate();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName() + " still runs", t.getName().equals("halley-acl-watcher") && t.isAlive());
        }
    }

    @Test
    public void theFileIsResolvedAgainstKarafsEtc() {
        assertEquals(Paths.get("/opt/halley/etc/halley-acl.rules"),
                AclService.resolve("${karaf.etc}/halley-acl.rules", "/opt/halley/etc"));
        assertEquals(Paths.get("/opt/halley/etc/acl/my.rules"), AclService.resolve("acl/my.rules", "/opt/halley/etc"));
        assertEquals(Paths.get("/srv/acl.rules"), AclService.resolve("/srv/acl.rules", "/opt/halley/etc"));
        assertEquals(Paths.get("/opt/halley/etc/halley-acl.rules"), AclService.resolve("", "/opt/halley/etc"));
    }
}
