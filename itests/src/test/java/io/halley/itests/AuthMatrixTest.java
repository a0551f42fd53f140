package io.halley.itests;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldif.LDIFReader;
import io.halley.api.Authenticator;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.transport.stomp.StompConnection;
import org.apache.activemq.transport.stomp.StompFrame;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.jms.Connection;
import javax.jms.JMSException;
import javax.jms.JMSSecurityException;
import javax.jms.MessageConsumer;
import javax.jms.Session;
import javax.jms.TextMessage;
import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * Every way in times every kind of identity, with real clients: the JDK's WebSocket and
 * HTTP clients for the four browser transports and the HTTP API, ActiveMQ's STOMP and JMS
 * clients at the broker, application tokens signed here, realm users from the
 * properties realm and from a real LDAP server (UnboundID's, started in the test's Karaf
 * from an LDIF in the repository). The matrix as it ran is written to
 * itests/target/auth-matrix.md.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthMatrixTest extends HalleyTestSupport {

    private static final String SECRET = "itest-shared-secret-of-the-application-0123456789";
    private static final String PID = "halley.itest";
    private static final List<String> PATHS = List.of("websocket", "sse", "streaming", "longpoll", "http-api", "stomp", "jms");

    @Override
    protected String aclRules() {
        return "src/test/resources/acl/matrix.rules";
    }

    @Override
    protected Option[] moreOptions() {
        return new Option[] {
            // properties realm users: writer may read and write news, carol is denied news by name
            editConfigurationFilePut("etc/users.properties", "writer", "writerpw,news-readers,news-writers"),
            editConfigurationFilePut("etc/users.properties", "carol", "carolpw,news-readers"),
            editConfigurationFilePut("etc/io.halley.auth.cfg", "token.secret", SECRET),
            editConfigurationFilePut("etc/io.halley.auth.cfg", "cacheTtl", "0"),
            editConfigurationFilePut("etc/" + PID + ".cfg", "ldapPort", freePort()),
            editConfigurationFilePut("etc/" + PID + ".cfg", "report", new File("target/auth-matrix.md").getAbsolutePath()),
            mavenBundle("com.unboundid", "unboundid-ldapsdk").versionAsInProject(),
        };
    }

    // ------------------------------------------------------------------ credentials

    /** How one identity case presents itself on each way in. */
    private record Who(String name, String token, String user, String password, String channel) {
        boolean anonymous() {
            return token == null && user == null;
        }

        /** The HTTP Authorization header, or null. */
        String authorization() {
            if (token != null) {
                return "Bearer " + token;
            }
            return user == null ? null : "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** An HS256 token as the application's server would sign it. */
    static String token(String secret, String sub, String rolesJson, long exp) throws Exception {
        String signingInput = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "."
                + b64("{\"sub\":\"" + sub + "\",\"roles\":" + rolesJson + ",\"exp\":" + exp + "}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static long inSeconds(long seconds) {
        return System.currentTimeMillis() / 1000 + seconds;
    }

    /** The identity cases of the realm and tokens (columns), each with its browser token or realm user. */
    private List<Who[]> realmCases() throws Exception {
        String writerRoles = "[\"news-readers\",\"news-writers\"]";
        List<Who[]> cases = new ArrayList<>();
        // {browser form, publisher form}: browsers carry tokens, publishers realm passwords
        cases.add(new Who[] {new Who("allowed", token(SECRET, "writer", writerRoles, inSeconds(600)), null, null, "news.eu"),
            new Who("allowed", null, "writer", "writerpw", "news.eu")});
        cases.add(new Who[] {new Who("denied", token(SECRET, "carol", "[\"news-readers\"]", inSeconds(600)), null, null, "news.eu"),
            new Who("denied", null, "carol", "carolpw", "news.eu")});
        cases.add(new Who[] {new Who("anonymous", null, null, null, "news.eu"), new Who("anonymous", null, null, null, "news.eu")});
        cases.add(new Who[] {new Who("anonymous on demo.>", null, null, null, "demo.matrix"),
            new Who("anonymous on demo.>", null, null, null, "demo.matrix")});
        String expired = token(SECRET, "writer", writerRoles, inSeconds(-300));
        cases.add(new Who[] {new Who("expired token", expired, null, null, "news.eu"),
            new Who("expired token", expired, null, null, "news.eu")});
        String forged = token("not-the-secret-" + SECRET, "writer", writerRoles, inSeconds(600));
        cases.add(new Who[] {new Who("forged token", forged, null, null, "news.eu"),
            new Who("forged token", forged, null, null, "news.eu")});
        cases.add(new Who[] {new Who("wrong password", null, "writer", "nope", "news.eu"),
            new Who("wrong password", null, "writer", "nope", "news.eu")});
        return cases;
    }

    // ------------------------------------------------------------------ the paths

    /** The operator's credentials: admin in the properties realm, ops (group halley-admins) in the directory. */
    private volatile String operator = ADMIN;

    /** Publishes as the operator, so that a subscriber has something to receive. */
    private String publishAsAdmin(String channel) throws Exception {
        String body = "{\"n\":\"" + UUID.randomUUID() + "\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/halley/api/channels/" + channel + "/messages"))
                .header("Authorization", operator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 202, r.statusCode());
        return body.substring(6, body.length() - 2);
    }

    private static String status(int code) {
        return code == 401 || code == 403 ? Integer.toString(code) : "HTTP " + code;
    }

    private String websocket(Who who) throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + httpPort() + "/halley/ws"),
                new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frames.add(text.toString());
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket w, Throwable error) {
                        closed.complete(-1);
                    }
                }).get(20, TimeUnit.SECONDS);
        try {
            String connect = who.token() != null ? "{\"type\":\"connect\",\"token\":\"" + who.token() + "\"}"
                    : who.user() != null ? "{\"type\":\"connect\",\"user\":\"" + who.user() + "\",\"password\":\""
                            + who.password() + "\"}" : "{\"type\":\"connect\"}";
            ws.sendText(connect, true).get(10, TimeUnit.SECONDS);
            String first = frames.poll(20, TimeUnit.SECONDS);
            if (first == null || !first.contains("\"type\":\"connected\"")) {
                Integer code = closed.get(20, TimeUnit.SECONDS);
                return code == 4401 ? "401" : code == 4403 ? "403" : "closed " + code + " after " + first;
            }
            ws.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + who.channel() + "\"}", true).get(10, TimeUnit.SECONDS);
            String reply = frames.poll(20, TimeUnit.SECONDS);
            if (reply == null || !reply.contains("\"ok\":true")) {
                return reply != null && reply.contains("\"code\":\"forbidden\"") ? "403" : "reply " + reply;
            }
            String n = publishAsAdmin(who.channel());
            for (String f; (f = frames.poll(20, TimeUnit.SECONDS)) != null;) {
                if (f.contains(n)) {
                    return "ok";
                }
            }
            return "no message";
        } finally {
            ws.abort();
        }
    }

    private Map<String, String> headers(Who who) {
        String a = who.authorization();
        return a == null ? Map.of() : Map.of("Authorization", a);
    }

    private String sse(Who who) throws Exception {
        // what an EventSource can do: the token in the URL; a realm user by Basic
        String query = "/halley/sse?subscribe=" + who.channel()
                + (who.token() != null ? "&token=" + who.token() : "");
        Map<String, String> h = who.token() != null ? Map.of() : headers(who);
        try (SseStream s = new SseStream(http, uri(query), h)) {
            int code = s.response().statusCode();
            if (code != 200) {
                return status(code);
            }
            assertEquals("connected", s.next(20_000).event());
            String n = publishAsAdmin(who.channel());
            for (SseStream.Event e; (e = s.next(20_000)) != null && !e.event().equals("end");) {
                if (e.data().contains(n)) {
                    return "ok";
                }
            }
            return "no message";
        }
    }

    private String streaming(Who who) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/halley/stream?subscribe=" + who.channel()));
        headers(who).forEach(b::header);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> status = new CompletableFuture<>();
        CompletableFuture<HttpResponse<Void>> response = http.sendAsync(b.build(), info -> {
            status.complete(info.statusCode());
            return HttpResponse.BodySubscribers.fromLineSubscriber(new java.util.concurrent.Flow.Subscriber<String>() {
                @Override
                public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String item) {
                    lines.add(item);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
        });
        try {
            int code = status.get(20, TimeUnit.SECONDS);
            if (code != 200) {
                return status(code);
            }
            String connected = lines.poll(20, TimeUnit.SECONDS);
            assertTrue(connected, connected != null && connected.contains("\"type\":\"connected\""));
            String n = publishAsAdmin(who.channel());
            for (String l; (l = lines.poll(20, TimeUnit.SECONDS)) != null;) {
                if (l.contains(n)) {
                    return "ok";
                }
            }
            return "no message";
        } finally {
            response.cancel(true);
        }
    }

    private HttpResponse<String> authorizedGet(String pathAndQuery, Who who) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        headers(who).forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String longpoll(Who who) throws Exception {
        HttpResponse<String> first = authorizedGet("/halley/poll?subscribe=" + who.channel() + "&timeout=1", who);
        if (first.statusCode() != 200) {
            return status(first.statusCode());
        }
        String cursor = (String) Json.object(first.body()).get("cursor");
        String n = publishAsAdmin(who.channel());
        HttpResponse<String> next = authorizedGet("/halley/poll?cursor=" + cursor + "&timeout=20000", who);
        if (next.statusCode() != 200) {
            return "resume " + status(next.statusCode());
        }
        return next.body().contains(n) ? "ok" : "no message";
    }

    private String httpApi(Who who) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/halley/api/channels/" + who.channel() + "/messages"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"matrix\"}"));
        headers(who).forEach(b::header);
        int code = http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        return code == 202 ? "ok" : status(code);
    }

    private String stomp(Who who) throws Exception {
        StompConnection c = new StompConnection();
        c.open("127.0.0.1", stompPort());
        try {
            StringBuilder connect = new StringBuilder("CONNECT\naccept-version:1.2\nhost:localhost\n");
            if (who.user() != null) {
                connect.append("login:").append(who.user()).append("\npasscode:").append(who.password()).append('\n');
            } else if (who.token() != null) {
                connect.append("passcode:").append(who.token()).append('\n');
            }
            c.sendFrame(connect.append("\n\u0000").toString());
            StompFrame connected = c.receive(20_000);
            if (!"CONNECTED".equals(connected.getAction())) {
                return refusal(connected.getHeaders().get("message") + " " + connected.getBody());
            }
            c.sendFrame("SUBSCRIBE\nid:1\ndestination:/topic/" + who.channel() + "\nreceipt:sub\n\n\u0000");
            StompFrame subscribed = c.receive(20_000);
            if (!"RECEIPT".equals(subscribed.getAction())) {
                return refusal(subscribed.getHeaders().get("message") + " " + subscribed.getBody());
            }
            String n = UUID.randomUUID().toString();
            c.sendFrame("SEND\ndestination:/topic/" + who.channel() + "\nreceipt:sent\n\n{\"n\":\"" + n + "\"}\u0000");
            for (int i = 0; i < 3; i++) {
                StompFrame f = c.receive(20_000);
                if ("ERROR".equals(f.getAction())) {
                    return refusal(f.getHeaders().get("message") + " " + f.getBody());
                }
                if ("MESSAGE".equals(f.getAction()) && f.getBody().contains(n)) {
                    return "ok";
                }
            }
            return "no message";
        } catch (java.net.SocketException | java.io.EOFException closed) {
            return "connection closed";
        } finally {
            c.close();
        }
    }

    /** A broker's refusal: authentication (401) or permission (403), by its documented text. */
    private static String refusal(String message) {
        String m = String.valueOf(message).toLowerCase();
        if (m.contains("authentication failed")) {
            return "401";
        }
        if (m.contains("forbidden") || m.contains("not allowed")) {
            return "403";
        }
        return "refused: " + message;
    }

    private String jms(Who who) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + openwirePort());
        f.setAlwaysSyncSend(true);
        f.setWatchTopicAdvisories(false);
        String user = who.user() != null ? who.user() : who.token() != null ? "" : null;
        String password = who.password() != null ? who.password() : who.token();
        Connection c = null;
        try {
            c = user == null ? f.createConnection() : f.createConnection(user, password);
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createTopic(who.channel()));
            String n = UUID.randomUUID().toString();
            s.createProducer(s.createTopic(who.channel())).send(s.createTextMessage("{\"n\":\"" + n + "\"}"));
            javax.jms.Message m = consumer.receive(20_000);
            return m instanceof TextMessage t && t.getText().contains(n) ? "ok" : "no message";
        } catch (JMSSecurityException e) {
            return refusal(e.getMessage());
        } catch (JMSException e) {
            return e.getCause() instanceof SecurityException ? refusal(e.getMessage()) : "error: " + e;
        } finally {
            if (c != null) {
                try {
                    c.close();
                } catch (JMSException ignored) {
                    // already refused
                }
            }
        }
    }

    private String run(String path, Who[] who) throws Exception {
        Who browser = who[0];
        Who publisher = who[1];
        return switch (path) {
            case "websocket" -> websocket(browser);
            case "sse" -> sse(browser);
            case "streaming" -> streaming(browser);
            case "longpoll" -> longpoll(browser);
            case "http-api" -> httpApi(publisher);
            case "stomp" -> stomp(publisher);
            case "jms" -> jms(publisher);
            default -> throw new IllegalArgumentException(path);
        };
    }

    private static String expected(String identity) {
        if (identity.startsWith("(")) {
            return "";
        }
        return switch (identity) {
            case "allowed", "anonymous on demo.>", "LDAP user by group", "API key" -> "ok";
            case "denied", "anonymous", "LDAP user without the group" -> "403";
            default -> "401";
        };
    }

    // ------------------------------------------------------------------ the matrix

    @Test
    public void everyPathTimesEveryIdentity() throws Exception {
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        for (Who[] who : realmCases()) {
            results.put(who[0].name(), row(who));
        }
                // an API key (meant for publishers, taken wherever a bearer credential is)
        String key = executeCommand("halley:key-create matrix-pub news-writers news-readers").lines()
                .filter(l -> l.trim().startsWith("hk_")).map(String::trim).findFirst().orElseThrow();
        Who apiKey = new Who("API key", key, null, null, "news.eu");
        results.put("API key", row(new Who[] {apiKey, apiKey}));

        // the LDAP realm: a real directory, the halley-auth-ldap feature installed at runtime
        try (AutoCloseable ldap = startLdap()) {
            installLdapRealm();
            operator = new Who("ops", null, "ops", "opspw", null).authorization();
            Who bob = new Who("LDAP user by group", null, "bob", "bobpw", "news.eu");
            results.put(bob.name(), row(new Who[] {bob, bob}));
            Who dave = new Who("LDAP user without the group", null, "dave", "davepw", "news.eu");
            results.put(dave.name(), row(new Who[] {dave, dave}));
            ldapRefusals();
        }
        // the directory is down: a clear error within the login timeout, never a hang
        Authenticator auth = waitForService(Authenticator.class, 30_000);
        long start = System.nanoTime();
        try {
            auth.authenticate(Credentials.password("bob", "bobpw"));
            fail("logged in with the directory down");
        } catch (HalleyException e) {
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue("the refusal took " + tookMs + " ms", tookMs < 20_000);
        HttpResponse<String> down = http.send(HttpRequest.newBuilder(uri("/halley/api/channels/news.eu/messages"))
                .header("Authorization", new Who("bob", null, "bob", "bobpw", null).authorization())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(down.body(), 503, down.statusCode());
        results.put("(directory down: " + tookMs + " ms to refuse, HTTP API " + down.statusCode() + ")", Map.of());

        operator = ADMIN;
        // uninstalling the LDAP realm falls back to the properties realm
        features.uninstallFeature("halley-auth-ldap");
        waitFor("writer to log in through the properties realm again", 60_000, () -> {
            try {
                return waitForService(Authenticator.class, 5_000).authenticate(Credentials.password("writer", "writerpw"))
                        .hasRole("news-writers");
            } catch (HalleyException | InterruptedException e) {
                return false;
            }
        });
        // every refusal was counted, by reason, without saying it to the client
        Map<String, Object> stats = Json.object(get("/halley/api/stats").body());
        for (String counter : List.of("auth.failure.token.expired", "auth.failure.token.signature", "auth.failure.password",
                "auth.refused")) {
            assertTrue(counter + " in " + stats, stats.get(counter) instanceof Number n && n.longValue() > 0);
        }
        String report = report(results);
        System.out.println(report);
        Files.writeString(Path.of(String.valueOf(config(PID, "report"))), report);
        List<String> wrong = new ArrayList<>();
        results.forEach((identity, row) -> row.forEach((path, outcome) -> {
            if (!outcome.equals(expected(identity))) {
                wrong.add(identity + " over " + path + ": " + outcome + ", expected " + expected(identity));
            }
        }));
        assertTrue(String.join("\n", wrong) + "\n" + report, wrong.isEmpty());
    }

    private Map<String, String> row(Who[] who) throws Exception {
        Map<String, String> row = new LinkedHashMap<>();
        for (String path : PATHS) {
            try {
                row.put(path, run(path, who));
            } catch (Exception | AssertionError e) {
                row.put(path, "failed: " + e);
            }
        }
        return row;
    }

    private static String report(Map<String, Map<String, String>> results) {
        StringBuilder b = new StringBuilder("| identity \\ path | ").append(String.join(" | ", PATHS)).append(" |\n|---|");
        PATHS.forEach(p -> b.append("---|"));
        b.append('\n');
        results.forEach((identity, row) -> {
            b.append("| ").append(identity).append(" (expected ").append(expected(identity)).append(") |");
            for (String p : PATHS) {
                b.append(' ').append(row.getOrDefault(p, "n/a")).append(" |");
            }
            b.append('\n');
        });
        return b.toString();
    }

    // ------------------------------------------------------------------ rules at runtime

    @Test
    public void rulesChangeAtRuntimeAndTakeEffectOnLiveSubscriptions() throws Exception {
        // an operator grants anonymous readers live.> from the shell
        String id = executeCommand("halley:acl-add anonymous 'live.>' subscribe").trim();
        assertTrue(id, id.matches("[A-Za-z0-9_-]{1,64}"));
        Path rules = Path.of(bundleContext.getProperty("karaf.etc"), "halley-acl.rules");
        assertTrue(Files.readString(rules), Files.readString(rules).contains(id + " allow anonymous live.> subscribe"));
        String check = executeCommand("halley:acl-check anonymous live.x subscribe");
        assertTrue(check, check.startsWith("ALLOWED") && check.contains(id));
        try (SseStream s = new SseStream(http, uri("/halley/sse?subscribe=live.x"), Map.of())) {
            assertEquals(200, s.response().statusCode());
            SseStream.Event connected = s.next(20_000);
            assertEquals("connected", connected.event());
            String session = (String) connected.json().get("session");
            String n = publishAsAdmin("live.x");
            assertTrue(s.next(20_000).data().contains(n));
            // the grant is removed: the live subscription ends with a forbidden notice
            executeCommand("halley:acl-remove " + id);
            SseStream.Event revoked = s.next(20_000);
            // a plain EventSource gets every sequenced frame on onmessage: the type tells them apart
            assertEquals("unsubscribed", revoked.json().get("type"));
            assertEquals("forbidden", revoked.json().get("code"));
            assertEquals("live.x", revoked.json().get("channel"));
            // the session lives on, without the subscription
            boolean found = false;
            for (Object o : (List<?>) Json.parse(get("/halley/api/sessions").body())) {
                Map<?, ?> info = (Map<?, ?>) o;
                if (session.equals(info.get("id"))) {
                    found = true;
                    assertEquals(List.of(), info.get("subscriptions"));
                    assertEquals("anonymous", info.get("user"));
                }
            }
            assertTrue("the session is still open", found);
        }
        assertTrue(executeCommand("halley:acl-check anonymous live.x subscribe").startsWith("DENIED"));
        assertEquals(403, get("/halley/sse?subscribe=live.x").statusCode());

        // an operator edits the file: the change takes effect within seconds
        Files.writeString(rules, Files.readString(rules) + "\nedited allow anonymous edited.> subscribe\n");
        waitFor("the edited rule to apply", 30_000, () -> {
            try {
                return executeCommand("halley:acl-check anonymous edited.x subscribe").startsWith("ALLOWED");
            } catch (Exception e) {
                return false;
            }
        });

        // the HTTP admin API: rules need the admin role
        String rule = "{\"allow\":true,\"principal\":\"role:news-readers\",\"pattern\":\"api.>\",\"permissions\":[\"subscribe\"]}";
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(uri("/halley/api/acl"))
                .POST(HttpRequest.BodyPublishers.ofString(rule)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        String carol = "Bearer " + token(SECRET, "carol", "[]", inSeconds(600));
        HttpResponse<String> notAdmin = http.send(HttpRequest.newBuilder(uri("/halley/api/acl"))
                .POST(HttpRequest.BodyPublishers.ofString(rule)).header("Content-Type", "application/json")
                .header("Authorization", carol).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, notAdmin.statusCode());
        HttpResponse<String> added = post("/halley/api/acl", "application/json", rule);
        assertEquals(added.body(), 201, added.statusCode());
        HttpResponse<String> decided = get("/halley/api/acl/check?user=somebody&role=news-readers&channel=api.x&permission=subscribe");
        assertEquals(decided.body(), 200, decided.statusCode());
        assertEquals(Boolean.TRUE, Json.object(decided.body()).get("allowed"));
        assertEquals(401, http.send(HttpRequest.newBuilder(uri("/halley/api/sessions")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        // the README's way to add an operator: a line in etc/users.properties, read at the next login
        Path users = Path.of(bundleContext.getProperty("karaf.etc"), "users.properties");
        Files.writeString(users, Files.readString(users) + "\ntom = tompw,halley-admin\n");
        String tom = new Who("tom", null, "tom", "tompw", null).authorization();
        waitFor("tom to log in", 30_000, () -> {
            try {
                return http.send(HttpRequest.newBuilder(uri("/halley/api/sessions")).header("Authorization", tom).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void aSessionIdIsNoUseToAnotherUser() throws Exception {
        String writer = token(SECRET, "writer", "[\"news-readers\"]", inSeconds(600));
        String session;
        try (SseStream s = new SseStream(http, uri("/halley/sse?subscribe=news.eu&token=" + writer), Map.of())) {
            assertEquals(200, s.response().statusCode());
            session = (String) s.next(20_000).json().get("session");
        }
        for (String other : new String[] {"", "&token=" + token(SECRET, "carol", "[\"news-readers\"]", inSeconds(600))}) {
            HttpResponse<String> r = get("/halley/sse?session=" + session + other);
            assertEquals(r.body(), 404, r.statusCode());
            HttpResponse<String> poll = get("/halley/poll?cursor=" + session + ":0&timeout=1" + other);
            assertEquals(poll.body(), 404, poll.statusCode());
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/halley/sse?session=" + session))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"ping\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(post.body(), 404, post.statusCode());
        // the owner resumes
        try (SseStream s = new SseStream(http, uri("/halley/sse?session=" + session + "&token=" + writer), Map.of())) {
            assertEquals(200, s.response().statusCode());
            assertEquals(Boolean.TRUE, s.next(20_000).json().get("resumed"));
        }
    }

    // ------------------------------------------------------------------ LDAP

    private AutoCloseable startLdap() throws Exception {
        int port = Integer.parseInt(String.valueOf(config(PID, "ldapPort")));
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig("dc=halley,dc=test");
        cfg.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getByName("127.0.0.1"), port,
                null));
        cfg.setSchema(null);
        InMemoryDirectoryServer server = new InMemoryDirectoryServer(cfg);
        try (InputStream ldif = getClass().getResourceAsStream("/ldap/matrix.ldif")) {
            server.importFromLDIF(true, new LDIFReader(ldif));
        }
        server.startListening();
        return () -> server.shutDown(true);
    }

    private void installLdapRealm() throws Exception {
        int port = Integer.parseInt(String.valueOf(config(PID, "ldapPort")));
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        LdapSettings.put(props, port);
        configAdmin.getConfiguration("io.halley.auth.ldap", null).update(props);
        features.installFeature("halley-auth-ldap");
        Authenticator auth = waitForService(Authenticator.class, 30_000);
        waitFor("bob to log in through LDAP", 60_000, () -> {
            try {
                Identity bob = auth.authenticate(Credentials.password("bob", "bobpw"));
                return bob.hasRole("news-readers");
            } catch (HalleyException e) {
                return false;
            }
        });
    }

    /** Wrong passwords, unknown users and filter characters are refused alike, and never match anyone. */
    private void ldapRefusals() throws Exception {
        Authenticator auth = waitForService(Authenticator.class, 30_000);
        for (String[] c : new String[][] {{"bob", "wrong"}, {"nobody", "bobpw"}, {"*", "bobpw"}, {"bob)(uid=*", "bobpw"},
                {"b*", "bobpw"}, {"bob\\", "bobpw"}, {"bob", ""}}) {
            try {
                auth.authenticate(Credentials.password(c[0], c[1]));
                fail("logged in as " + c[0] + " with " + c[1]);
            } catch (HalleyException e) {
                assertEquals(c[0] + "/" + c[1], ErrorCode.UNAUTHORIZED, e.code());
            }
        }
    }
}
