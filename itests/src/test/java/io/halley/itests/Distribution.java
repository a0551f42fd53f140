package io.halley.itests;

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
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The Halley distribution as a user gets it: unpacked from the built tar.gz into its own
 * folder, on free ports of 127.0.0.1, started with {@code bin/karaf server}, and stopped
 * with everything it started.
 */
public final class Distribution {

    private static final long BOOT_TIMEOUT_MS = 180_000;

    public final Path home;
    public final int http;
    public final int openwire;
    public final int stomp;
    public final int ssh;
    private final Process karaf;
    private final List<Process> children = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();

    /** The operator's credentials of the shipped etc/users.properties, for the admin API. */
    static final String ADMIN = "Basic " + java.util.Base64.getEncoder()
            .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));

    /** Unpacks into target/{@code name}, boots, and waits until a publish is accepted. */
    public Distribution(String name) throws Exception {
        File tarball = new File(System.getProperty("halley.distribution"));
        assertTrue("the distribution is built: " + tarball, tarball.isFile());
        Path root = Path.of("target", name).toAbsolutePath();
        deleteTree(root);
        Files.createDirectories(root);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.getAbsolutePath()).directory(root.toFile())
                .inheritIO().start();
        assertEquals(0, tar.waitFor());
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
        try {
            long deadline = System.currentTimeMillis() + BOOT_TIMEOUT_MS;
            while (true) {
                if (!karaf.isAlive()) {
                    throw new AssertionError("Karaf exited at boot: " + Files.readString(home.resolve("console.log")));
                }
                // the endpoints come first; a publish is accepted once the broker is up and the hub connected
                if (status("/halley/api/channels") == 200 && status("/halley/sse") == 400
                        && publishStatus("dist.ready") == 202) {
                    break;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("the distribution did not serve /halley/ within " + BOOT_TIMEOUT_MS + " ms");
                }
                karaf.waitFor(200, TimeUnit.MILLISECONDS);
            }
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** The admin API (/halley/api/) is asked as the operator. */
    private static HttpRequest.Builder admin(HttpRequest.Builder b, String path) {
        return path.startsWith("/halley/api/") ? b.header("Authorization", ADMIN) : b;
    }

    /** Appends lines to a file under the running distribution's home, as an operator edits etc/. */
    public void configure(String file, String... lines) throws IOException {
        append(file, lines);
    }

    /**
     * Appends rules to etc/halley-acl.rules of the running distribution, as an operator
     * edits it, and waits until Halley applies them: until an anonymous publish to
     * {@code probeChannel} (which the rules must allow) is accepted.
     */
    public void addRules(String probeChannel, String... rules) throws Exception {
        append("etc/halley-acl.rules", rules);
        long deadline = System.currentTimeMillis() + 30_000;
        while (anonymousPublishStatus(probeChannel) != 202) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the added rules did not apply within 30 s: " + String.join("; ", rules));
            }
            karaf.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    private int anonymousPublishStatus(String channel) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base() + "/halley/api/channels/" + channel + "/messages"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    public String base() {
        return "http://127.0.0.1:" + http;
    }

    /** Starts a process that is stopped with the distribution. */
    public Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /** Runs Karaf shell commands through {@code bin/client}, as an operator would; returns what it printed. */
    public String shell(String... commands) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bin/client", "-a", Integer.toString(ssh), "-h", "127.0.0.1",
                "-u", "admin", "-p", "admin", "-r", "30", "-b").directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process c = start(pb);
        c.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().close();
        String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("bin/client ended", c.waitFor(120, TimeUnit.SECONDS));
        return out;
    }

    public int status(String path) {
        try {
            return client.send(admin(HttpRequest.newBuilder(URI.create(base() + path)), path).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    public int publishStatus(String channel) {
        return publish(channel, "{}").statusCode();
    }

    public HttpResponse<String> publish(String channel, String json) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base() + "/halley/api/channels/" + channel + "/messages"))
                    .header("Authorization", ADMIN).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("publish failed", e);
        }
    }

    /** Publishes over the HTTP API with these credentials (an Authorization header value). */
    public HttpResponse<String> publishWith(String channel, String json, String authorization) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base() + "/halley/api/channels/" + channel + "/messages"))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(admin(HttpRequest.newBuilder(URI.create(base() + path)), path).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return client.send(admin(HttpRequest.newBuilder(URI.create(base() + path)), path).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits up to the timeout, without sleeping the thread on a guess. */
    public void pause(long ms) throws InterruptedException {
        karaf.waitFor(ms, TimeUnit.MILLISECONDS);
    }

    /** Stops Karaf and every process started through {@link #start}. */
    public void close() throws Exception {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
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

    private void append(String file, String... lines) throws IOException {
        Path p = home.resolve(file);
        StringBuilder b = new StringBuilder("\n# set by the tests\n");
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(p, (Files.exists(p) ? Files.readString(p) : "") + b);
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
