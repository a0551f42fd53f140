package io.halley.shell.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.halley.api.ChannelInfo;
import io.halley.api.CloseReason;
import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Publisher;
import io.halley.api.SessionInfo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

/** The commands as Karaf would run them, minus Karaf: fields set, output captured. */
public class ShellCommandsTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final FakeHub hub = new FakeHub();

    private <A extends HalleyAction> A capture(A action) {
        action.out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        return action;
    }

    private String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** A publisher that records calls and refuses what the real one refuses in these tests. */
    private static final class RecordingPublisher implements Publisher {
        final List<Object[]> calls = new ArrayList<>();
        final List<Identity> publishers = new ArrayList<>();

        @Override
        public String publish(Identity publisher, String channel, byte[] body, ContentType type) {
            publishers.add(publisher);
            if (channel.contains("*")) {
                throw new HalleyException(ErrorCode.WILDCARD_NOT_ALLOWED, "wildcards are for subscriptions only: '"
                        + channel + "'");
            }
            calls.add(new Object[] {channel, body, type});
            return "ID:msg-" + calls.size();
        }

        @Override
        public int maxMessageSize() {
            return 1024;
        }
    }

    private PublishCommand publish(Publisher publisher, String type, String channel, String body) {
        PublishCommand c = capture(new PublishCommand());
        c.publisher = publisher;
        if (type != null) {
            c.type = type;
        }
        c.channel = channel;
        c.body = body;
        return c;
    }

    @Test
    public void publishPrintsTheIdAndDefaultsToAuto() throws Exception {
        RecordingPublisher p = new RecordingPublisher();
        assertNull(publish(p, null, "demo.news", "{\"text\":\"héllo\"}").execute());
        assertEquals("ID:msg-1" + System.lineSeparator(), output());
        assertEquals("demo.news", p.calls.get(0)[0]);
        assertArrayEquals("{\"text\":\"héllo\"}".getBytes(StandardCharsets.UTF_8), (byte[]) p.calls.get(0)[1]);
        assertEquals(ContentType.AUTO, p.calls.get(0)[2]);
        // the console's operator is trusted as Halley itself
        assertEquals(Identity.system("shell"), p.publishers.get(0));
    }

    @Test
    public void publishTypes() throws Exception {
        RecordingPublisher p = new RecordingPublisher();
        publish(p, "json", "demo", "1").execute();
        publish(p, "TEXT", "demo", "1").execute();
        publish(p, "auto", "demo", "1").execute();
        assertEquals(ContentType.JSON, p.calls.get(0)[2]);
        assertEquals(ContentType.TEXT, p.calls.get(1)[2]);
        assertEquals(ContentType.AUTO, p.calls.get(2)[2]);
        CommandException e = expectFailure(publish(p, "xml", "demo", "<a/>"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown type 'xml'"));
        assertEquals(3, p.calls.size());
    }

    @Test
    public void publishRefusalIsAOneLineErrorWithTheCode() throws Exception {
        CommandException e = expectFailure(publish(new RecordingPublisher(), null, "demo.*", "x"));
        assertEquals("wildcards are for subscriptions only: 'demo.*' (wildcard_not_allowed)", e.getMessage());
        assertEquals("", output());
    }

    @Test
    public void publishWithoutBroker() throws Exception {
        CommandException e = expectFailure(publish(null, null, "demo", "x"));
        assertTrue(e.getMessage(), e.getMessage().contains("unavailable"));
    }

    @Test
    public void channelsTable() throws Exception {
        hub.channels.add(new ChannelInfo("demo.sports", 0, 1, 0, 2L));
        hub.channels.add(new ChannelInfo("demo.news", 2, 5, 4, 1L));
        ChannelsCommand c = capture(new ChannelsCommand());
        c.hub = hub;
        c.noFormat = true;
        c.execute();
        List<String> lines = output().lines().toList();
        // Like Karaf's own commands, --no-format leaves the headers out, for scripts.
        assertEquals(List.of(
                "demo.news\t2\t5\t4",
                "demo.sports\t0\t1\t0"), lines.stream().map(String::strip).map(ShellCommandsTest::cells).toList());
    }

    @Test
    public void formattedTableHasHeadersAndRows() throws Exception {
        hub.channels.add(new ChannelInfo("demo.news", 2, 5, 4, 1L));
        ChannelsCommand c = capture(new ChannelsCommand());
        c.hub = hub;
        c.execute();
        String out = output();
        assertTrue(out, out.contains("Name"));
        assertTrue(out, out.contains("Last offset"));
        assertTrue(out, out.contains("demo.news"));
    }

    @Test
    public void sessionsTable() throws Exception {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        hub.sessions.add(new SessionInfo("s-2", "anonymous", "longpoll", "10.0.0.2:4000", now.minusSeconds(3 * 3600 + 120).toEpochMilli(),
                false, Set.of(), 0, 0));
        hub.sessions.add(new SessionInfo("s-1", "user:bob", "sse", "127.0.0.1:50000", now.minusSeconds(187).toEpochMilli(),
                true, new LinkedHashSet<>(List.of("demo.news", "demo.*")), 3, 42));
        SessionsCommand c = capture(new SessionsCommand());
        c.hub = hub;
        c.noFormat = true;
        c.clock = Clock.fixed(now, ZoneOffset.UTC);
        c.execute();
        List<String> lines = output().lines().map(String::strip).map(ShellCommandsTest::cells).toList();
        assertEquals(List.of(
                "s-2\tanonymous\tlongpoll\t10.0.0.2:4000\tno\t\t0\t0\t3h02m",
                "s-1\tuser:bob\tsse\t127.0.0.1:50000\tyes\tdemo.*, demo.news\t3\t42\t3m07s"), lines);
    }

    @Test
    public void ages() {
        assertEquals("0s", SessionsCommand.age(-5));
        assertEquals("59s", SessionsCommand.age(59_999));
        assertEquals("1m00s", SessionsCommand.age(60_000));
        assertEquals("2h05m", SessionsCommand.age((2 * 3600 + 5 * 60 + 59) * 1000L));
        assertEquals("3d04h", SessionsCommand.age((3 * 86400 + 4 * 3600) * 1000L));
    }

    @Test
    public void sessionClose() throws Exception {
        FakeHub.FakeSession s = new FakeHub.FakeSession("s-1");
        hub.open.put("s-1", s);
        SessionCloseCommand c = capture(new SessionCloseCommand());
        c.hub = hub;
        c.id = "s-1";
        c.execute();
        assertEquals(CloseReason.CLOSED_BY_ADMIN, s.closedWith);
        assertEquals("closed session s-1" + System.lineSeparator(), output());
    }

    @Test
    public void sessionCloseKeepingTheSessionOnlyDropsItsConnection() throws Exception {
        FakeHub.FakeSession s = new FakeHub.FakeSession("s-2");
        hub.open.put("s-2", s);
        SessionCloseCommand c = capture(new SessionCloseCommand());
        c.hub = hub;
        c.id = "s-2";
        c.keepSession = true;
        c.execute();
        assertTrue(s.disconnected);
        assertEquals(null, s.closedWith);
        assertEquals("disconnected session s-2" + System.lineSeparator(), output());
    }

    @Test
    public void sessionCloseUnknownId() throws Exception {
        SessionCloseCommand c = capture(new SessionCloseCommand());
        c.hub = hub;
        c.id = "nope";
        CommandException e = expectFailure(c);
        assertEquals("no open session with id 'nope' (unknown_session)", e.getMessage());
    }

    @Test
    public void stats() throws Exception {
        hub.counters.put("messages.received", 10L);
        hub.counters.put("errors.rest.not_found", 2L);
        StatsCommand c = capture(new StatsCommand());
        c.hub = hub;
        c.noFormat = true;
        c.execute();
        assertEquals(List.of("errors.rest.not_found\t2", "messages.received\t10"),
                output().lines().map(String::strip).map(ShellCommandsTest::cells).toList());
    }

    @Test
    public void hubAbsent() throws Exception {
        for (HalleyAction a : List.of(new ChannelsCommand(), new SessionsCommand(), new StatsCommand(),
                new SessionCloseCommand())) {
            CommandException e = expectFailure(capture(a));
            assertTrue(e.getMessage(), e.getMessage().contains("the hub is not available"));
        }
    }

    @Test
    public void completersOfferWhatTheHubKnows() {
        hub.channels.add(new ChannelInfo("demo.news", 0, 0, 0, 0));
        hub.sessions.add(new SessionInfo("s-1", "anonymous", "sse", "x", 0, true, Set.of(), 0, 0));
        ChannelCompleter channels = new ChannelCompleter();
        channels.hub = hub;
        SessionIdCompleter ids = new SessionIdCompleter();
        ids.hub = hub;
        List<String> candidates = new ArrayList<>();
        channels.complete(null, new FakeCommandLine(""), candidates);
        assertTrue(candidates.toString(), candidates.stream().anyMatch(c -> c.startsWith("demo.news")));
        candidates.clear();
        ids.complete(null, new FakeCommandLine(""), candidates);
        assertTrue(candidates.toString(), candidates.stream().anyMatch(c -> c.startsWith("s-1")));
    }

    /** Karaf's --no-format tables separate cells with a tab, padded; compare the cells. */
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
