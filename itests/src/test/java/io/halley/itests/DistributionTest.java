package io.halley.itests;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private static final long BOOT_TIMEOUT_MS = 180_000;

    private static Path home;
    private static Process karaf;
    private static int http;
    private static int openwire;
    private static int stomp;
    private static int ssh;
    private static final List<Process> clients = new ArrayList<>();

    @BeforeClass
    public static void boot() throws Exception {
        File tarball = new File(System.getProperty("halley.distribution"));
        assertTrue("the distribution is built: " + tarball, tarball.isFile());
        Path root = Path.of("target", "dist-test").toAbsolutePath();
        deleteTree(root);
        Files.createDirectories(root);
        run(root, "tar", "xzf", tarball.getAbsolutePath());
        try (var dirs = Files.list(root)) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        http = Integer.parseInt(HalleyTestSupport.freePort());
        openwire = Integer.parseInt(HalleyTestSupport.freePort());
        stomp = Integer.parseInt(HalleyTestSupport.freePort());
        ssh = Integer.parseInt(HalleyTestSupport.freePort());
        append("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port = " + http);
        append("etc/io.halley.broker.cfg", "openwirePort = " + openwire, "stompPort = " + stomp);
        append("etc/org.apache.karaf.shell.cfg", "sshPort = " + ssh, "sshHost = 127.0.0.1");
        append("etc/org.apache.karaf.management.cfg",
                "rmiRegistryPort = " + HalleyTestSupport.freePort(), "rmiServerPort = " + HalleyTestSupport.freePort(),
                "rmiRegistryHost = 127.0.0.1", "rmiServerHost = 127.0.0.1");

        ProcessBuilder pb = new ProcessBuilder("bin/karaf", "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        karaf = pb.start();
        long deadline = System.currentTimeMillis() + BOOT_TIMEOUT_MS;
        while (true) {
            if (!karaf.isAlive()) {
                throw new AssertionError("Karaf exited at boot: " + Files.readString(home.resolve("console.log")));
            }
            // the endpoints come first; a publish is accepted once the broker is up and the hub connected
            if (status("/halley/api/channels") == 200 && status("/halley/sse") == 400 && publishStatus() == 202) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the distribution did not serve /halley/ within " + BOOT_TIMEOUT_MS + " ms");
            }
            karaf.waitFor(200, TimeUnit.MILLISECONDS);
        }
    }

    @AfterClass
    public static void shutdown() throws Exception {
        for (Process p : clients) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (karaf != null) {
            List<ProcessHandle> tree = karaf.descendants().toList();
            tree.forEach(ProcessHandle::destroy);
            karaf.destroy();
            if (!karaf.waitFor(60, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                karaf.destroyForcibly();
            }
            for (ProcessHandle h : tree) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    public void readmeQuickstartWorksOnTheUnpackedDistribution() throws Exception {
        String base = "http://127.0.0.1:" + http;
        // curl -N 'http://localhost:8181/halley/sse?subscribe=demo.news'
        Path sseOut = home.resolve("sse.out");
        Process curl = new ProcessBuilder("curl", "-sN", base + "/halley/sse?subscribe=demo.news")
                .redirectErrorStream(true).redirectOutput(sseOut.toFile()).start();
        clients.add(curl);
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
            // STOMP
            p.stomp("1.2", "demo.news", null, "{\"headline\":\"hello from STOMP\"}");
        }
        // the Karaf shell, through bin/client
        ProcessBuilder client = new ProcessBuilder("bin/client", "-a", Integer.toString(ssh), "-h", "127.0.0.1",
                "-u", "admin", "-p", "admin", "-r", "30", "-b").directory(home.toFile()).redirectErrorStream(true);
        client.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process c = client.start();
        clients.add(c);
        c.getOutputStream().write("halley:publish demo.news '{\"headline\":\"hello from the shell\"}'\n"
                .getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().close();
        String shellOut = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(c.waitFor(60, TimeUnit.SECONDS));
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

    private static void append(String file, String... lines) throws IOException {
        Path p = home.resolve(file);
        StringBuilder b = new StringBuilder("\n# set by DistributionTest\n");
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(p, (Files.exists(p) ? Files.readString(p) : "") + b);
    }

    private static int status(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int publishStatus() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/halley/api/channels/dist.ready/messages"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void waitForText(Path file, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no '" + text + "' in " + file + ": "
                        + (Files.exists(file) ? Files.readString(file) : "(missing)"));
            }
            karaf.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    private static String capture(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
