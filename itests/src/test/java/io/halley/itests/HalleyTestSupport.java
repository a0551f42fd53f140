package io.halley.itests;

import io.halley.api.Publisher;
import org.apache.karaf.features.FeaturesService;
import org.junit.Before;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import javax.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Dictionary;
import java.util.function.BooleanSupplier;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

/**
 * Boots the Halley distribution as built (assembly's tar.gz) in a real Karaf, on free
 * ports on 127.0.0.1. The test methods run inside that Karaf and talk to it over the
 * network with real clients.
 */
public abstract class HalleyTestSupport {

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected ConfigurationAdmin configAdmin;

    @Inject
    protected FeaturesService features;

    @Inject
    protected SessionFactory sessionFactory;

    protected final HttpClient http = SseStream.client();

    /**
     * The container is handed to the test once its bundles are started, which is before
     * the broker has bound its ports and the hub has connected to it: wait for those facts.
     */
    @Before
    public void waitForHalley() throws Exception {
        waitForService(Publisher.class, 90_000);
        waitForService(io.halley.api.AccessControl.class, 30_000);
        waitForService(io.halley.api.Authenticator.class, 30_000);
        // Pax Web registers the WebSocket endpoint on its own schedule, after the servlets
        waitFor("the WebSocket endpoint", 60_000, () -> {
            try {
                http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + httpPort() + "/halley/ws"),
                        new java.net.http.WebSocket.Listener() { }).get(10, java.util.concurrent.TimeUnit.SECONDS).abort();
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        waitForStatus("/halley/api/channels", 200, 60_000);
    }

    /**
     * @return the channel rules the container boots with, in place of the shipped
     *         etc/halley-acl.rules, or null to keep the shipped ones. By default everyone
     *         may do everything: most tests are not about permissions.
     */
    protected String aclRules() {
        return "src/test/resources/acl/open.rules";
    }

    /** @return more options of a test class (configuration files, users) */
    protected Option[] moreOptions() {
        return new Option[0];
    }

    @Configuration
    public Option[] config() {
        java.util.List<Option> options = new java.util.ArrayList<>(java.util.List.of(baseOptions()));
        if (aclRules() != null) {
            options.add(org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile(
                    "etc/halley-acl.rules", new File(aclRules())));
        }
        options.addAll(java.util.List.of(moreOptions()));
        return options.toArray(new Option[0]);
    }

    private Option[] baseOptions() {
        MavenArtifactUrlReference distribution = maven().groupId("io.halley").artifactId("halley")
                .type("tar.gz").versionAsInProject();
        return new Option[] {
            karafDistributionConfiguration().frameworkUrl(distribution).name("Halley")
                    .unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            // target/exam/<uuid>/data/log/karaf.log stays for a post-mortem (mvn clean removes it)
            keepRuntimeFolder(),
            logLevel(LogLevelOption.LogLevel.WARN),
            editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", freePort()),
            editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.ops4j.pax.web.listening.addresses", "127.0.0.1"),
            editConfigurationFilePut("etc/io.halley.broker.cfg", "bindAddress", "127.0.0.1"),
            editConfigurationFilePut("etc/io.halley.broker.cfg", "openwirePort", freePort()),
            editConfigurationFilePut("etc/io.halley.broker.cfg", "stompPort", freePort()),
            editConfigurationFilePut("etc/io.halley.broker.cfg", "brokerName", "halley-it"),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", freePort()),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", freePort()),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryHost", "127.0.0.1"),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerHost", "127.0.0.1"),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", freePort()),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshHost", "127.0.0.1"),
        };
    }

    /**
     * A port that is free now, chosen below Linux's ephemeral range (32768 and up): the
     * server binds it seconds later, and meanwhile any outgoing connection on the machine
     * may be given an ephemeral port, which must not be this one.
     */
    static String freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return Integer.toString(port);
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }

    protected Object config(String pid, String key) throws IOException {
        Dictionary<String, Object> props = configAdmin.getConfiguration(pid, null).getProperties();
        return props == null ? null : props.get(key);
    }

    protected int httpPort() throws IOException {
        return Integer.parseInt(String.valueOf(config("org.ops4j.pax.web", "org.osgi.service.http.port")));
    }

    protected int openwirePort() throws IOException {
        return Integer.parseInt(String.valueOf(config("io.halley.broker", "openwirePort")));
    }

    protected int stompPort() throws IOException {
        return Integer.parseInt(String.valueOf(config("io.halley.broker", "stompPort")));
    }

    protected URI uri(String pathAndQuery) throws IOException {
        return URI.create("http://127.0.0.1:" + httpPort() + pathAndQuery);
    }

    /** Basic credentials of the shipped admin user (role halley-admin). */
    protected static final String ADMIN = Distribution.ADMIN;

    /** The admin API (/halley/api/) is asked as the operator; the rest anonymously. */
    private HttpRequest.Builder request(String pathAndQuery) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery));
        return pathAndQuery.startsWith("/halley/api/") ? b.header("Authorization", ADMIN) : b;
    }

    protected HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(request(pathAndQuery).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = request(path).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits for a fact, failing with the message after the timeout. */
    protected static void waitFor(String what, long timeoutMs, BooleanSupplier fact) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Object lock = new Object();
        while (!fact.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            synchronized (lock) {
                lock.wait(50);
            }
        }
    }

    /** Waits until the endpoint answers with the status (endpoints appear asynchronously in Pax Web). */
    protected void waitForStatus(String pathAndQuery, int status, long timeoutMs) throws InterruptedException {
        waitFor(pathAndQuery + " to answer " + status, timeoutMs, () -> {
            try {
                return get(pathAndQuery).statusCode() == status;
            } catch (Exception e) {
                return false;
            }
        });
    }

    protected <T> T waitForService(Class<T> type, long timeoutMs) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bundleContext, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(timeoutMs);
            if (service == null) {
                throw new AssertionError("no " + type.getName() + " service within " + timeoutMs + " ms");
            }
            return service;
        } finally {
            tracker.close();
        }
    }

    /** Runs a Karaf shell command as an operator would, and returns what it printed. */
    protected String executeCommand(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(System.in, out, out);
        try {
            Object result = session.execute(command);
            if (result != null) {
                out.println(result);
            }
        } finally {
            session.close();
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
