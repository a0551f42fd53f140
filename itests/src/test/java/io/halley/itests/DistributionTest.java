package io.halley.itests;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Unpacks the distribution as a user gets it, boots it with {@code bin/karaf server}, and
 * runs the README's quickstart against it with curl, ActiveMQ's JMS client, a STOMP
 * client and {@code bin/client}. A distribution that hangs at boot fails here.
 */
public class DistributionTest {

    private static Distribution dist;
    private static Path home;
    private static int http;
    private static int openwire;
    private static int stomp;

    @BeforeClass
    public static void boot() throws Exception {
        dist = new Distribution("dist-test");
        home = dist.home;
        http = dist.http;
        openwire = dist.openwire;
        stomp = dist.stomp;
    }

    @AfterClass
    public static void shutdown() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    public void readmeQuickstartWorksOnTheUnpackedDistribution() throws Exception {
        String base = "http://127.0.0.1:" + http;
        // curl -N 'http://localhost:8181/halley/sse?subscribe=demo.news'
        Path sseOut = home.resolve("sse.out");
        dist.start(new ProcessBuilder("curl", "-sN", base + "/halley/sse?subscribe=demo.news")
                .redirectErrorStream(true).redirectOutput(sseOut.toFile()));
        waitForText(sseOut, "event: connected");
        // curl 'http://localhost:8181/halley/poll?subscribe=demo.news' (answers at once here)
        String first = capture("curl", "-s", base + "/halley/poll?subscribe=demo.news&timeout=1");
        String cursor = (String) Json.object(first).get("cursor");

        // HTTP
        String posted = capture("curl", "-s", "-H", "Content-Type: application/json",
                "-d", "{\"headline\":\"hello from HTTP\"}", base + "/halley/api/channels/demo.news/messages");
        assertTrue(posted, Json.object(posted).get("id") instanceof String);
        // JMS
        try (Publishers p = new Publishers(openwire, stomp)) {
            p.jmsText("demo.news", "{\"headline\":\"hello from JMS\"}");
        }
        // STOMP, with the README's python3-stomp line (Debian's python3-stomp, installed by .ci/run)
        String stompOut = capture("/usr/bin/python3", "-c", "import stomp; c = stomp.Connection([('127.0.0.1', " + stomp
                + ")]); c.connect(wait=True)\nc.send('/topic/demo.news', '{\"headline\":\"hello from STOMP\"}'); c.disconnect()");
        assertTrue(stompOut, stompOut.isBlank());
        // the Karaf shell, through bin/client
        String shellOut = dist.shell("halley:publish demo.news '{\"headline\":\"hello from the shell\"}'");
        assertTrue(shellOut, shellOut.contains("ID:"));

        List<String> expected = List.of("hello from HTTP", "hello from JMS", "hello from STOMP", "hello from the shell");
        waitForText(sseOut, "hello from the shell");
        List<String> headlines = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(sseOut)) {
            if (line.startsWith("data: ") && line.contains("\"type\":\"message\"")) {
                Map<String, Object> frame = Json.object(line.substring(6));
                @SuppressWarnings("unchecked")
                Map<String, Object> data = (Map<String, Object>) frame.get("data");
                headlines.add((String) data.get("headline"));
            } else if (line.startsWith("id: ")) {
                ids.add(line.substring(4));
            }
        }
        assertEquals(expected, headlines);
        assertEquals(List.of("1", "2", "3", "4"), ids);

        String next = capture("curl", "-s", base + "/halley/poll?cursor=" + cursor);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> polled = (List<Map<String, Object>>) (List<?>) Json.object(next).get("messages");
        List<String> pollHeadlines = new ArrayList<>();
        for (Map<String, Object> m : polled) {
            pollHeadlines.add((String) ((Map<?, ?>) m.get("data")).get("headline"));
        }
        assertEquals(expected, pollHeadlines);
    }

    private static void waitForText(Path file, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no '" + text + "' in " + file + ": "
                        + (Files.exists(file) ? Files.readString(file) : "(missing)"));
            }
            dist.pause(50);
        }
    }

    private static String capture(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }
}
