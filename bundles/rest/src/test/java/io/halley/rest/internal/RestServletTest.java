package io.halley.rest.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.halley.api.ChannelInfo;
import io.halley.api.ContentType;
import io.halley.api.Identity;
import io.halley.api.SessionInfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.servlet.DispatcherType;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/** The REST API over real HTTP, on an embedded Jetty 9.4 like the one in Pax Web 8. */
public class RestServletTest {

    private static final int MAX = 64;

    private final FakePublisher publisher = new FakePublisher(MAX);
    private final FakeHub hub = new FakeHub();
    private final RestServlet servlet = new RestServlet();
    private final FakeAuthenticator authenticator = new FakeAuthenticator();
    /** The Authorization header every request sends; none when null. */
    private String authorization;
    private final BodyReadCounter counter = new BodyReadCounter();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Server server;
    private String base;

    @Before
    public void start() throws Exception {
        servlet.publisher = publisher;
        servlet.hub = hub;
        servlet.authenticator = authenticator;
        configure(Map.of());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(servlet), "/halley/api/*");
        context.addFilter(new FilterHolder(counter), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/halley/api";
    }

    @After
    public void stop() throws Exception {
        server.stop();
    }

    private void configure(Map<String, Object> props) {
        servlet.activate(Converters.standardConverter().convert(props).to(RestConfig.class));
    }

    // --- publishing

    @Test
    public void publishJsonAnswers202WithTheMessageId() throws Exception {
        HttpResponse<String> r = post("/channels/demo.news/messages", "application/json",
                BodyPublishers.ofString("{\"a\":1}"));
        assertEquals(202, r.statusCode());
        assertJsonContentType(r);
        assertEquals("{\"id\":\"ID:test-1\",\"channel\":\"demo.news\"}", r.body());
        assertEquals(1, publisher.published.size());
        FakePublisher.Published p = publisher.published.get(0);
        assertEquals(Identity.anonymous(), p.publisher());
        assertEquals("demo.news", p.channel());
        assertEquals(ContentType.JSON, p.type());
        assertArrayEquals("{\"a\":1}".getBytes(StandardCharsets.UTF_8), p.body());
    }

    @Test
    public void contentTypeDecidesHowTheBodyIsRead() throws Exception {
        assertPublishedAs("application/json; charset=UTF-8", ContentType.JSON);
        assertPublishedAs("application/vnd.example+json", ContentType.JSON);
        assertPublishedAs("text/plain", ContentType.TEXT);
        assertPublishedAs("text/markdown; charset=\"utf-8\"", ContentType.TEXT);
        assertPublishedAs("application/x-www-form-urlencoded", ContentType.AUTO);
        assertPublishedAs(null, ContentType.AUTO);
    }

    private void assertPublishedAs(String contentType, ContentType expected) throws Exception {
        publisher.published.clear();
        HttpResponse<String> r = post("/channels/demo/messages", contentType, BodyPublishers.ofString("[1,2]"));
        assertEquals(contentType, 202, r.statusCode());
        assertEquals(contentType, expected, publisher.published.get(0).type());
    }

    @Test
    public void bodyIsPassedOnByteForByte() throws Exception {
        byte[] body = "héllo ☄ \"quoted\"\n".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = post("/channels/demo.text/messages", "text/plain; charset=utf-8",
                BodyPublishers.ofByteArray(body));
        assertEquals(202, r.statusCode());
        assertArrayEquals(body, publisher.published.get(0).body());
    }

    @Test
    public void percentEncodedChannelIsDecoded() throws Exception {
        HttpResponse<String> r = post("/channels/demo%2Enews/messages", null, BodyPublishers.ofString("x"));
        assertEquals(202, r.statusCode());
        assertEquals("demo.news", publisher.published.get(0).channel());
    }

    @Test
    public void bodyOfExactlyTheLimitIsAccepted() throws Exception {
        byte[] body = new byte[MAX];
        Arrays.fill(body, (byte) 'x');
        assertEquals(202, post("/channels/demo/messages", "text/plain", BodyPublishers.ofByteArray(body)).statusCode());
        assertEquals(202, post("/channels/demo/messages", "text/plain", chunked(body)).statusCode());
        assertEquals(2, publisher.published.size());
        assertArrayEquals(body, publisher.published.get(1).body());
    }

    @Test
    public void tooLargeByContentLength() throws Exception {
        HttpResponse<String> r = post("/channels/demo/messages", "text/plain",
                BodyPublishers.ofByteArray(new byte[MAX + 1]));
        assertError(r, 413, "too_large");
        assertEquals(0, counter.bytesRead.get());
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    public void tooLargeChunkedBody() throws Exception {
        HttpResponse<String> r = post("/channels/demo/messages", "text/plain", chunked(new byte[MAX * 3]));
        assertError(r, 413, "too_large");
        assertEquals("chunked", counter.transferEncoding);
        assertEquals(MAX + 1, counter.bytesRead.get());
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    public void unsupportedMediaType() throws Exception {
        assertError(post("/channels/demo/messages", "application/xml", BodyPublishers.ofString("<a/>")),
                415, "unsupported_media_type");
        assertError(post("/channels/demo/messages", "image/png", BodyPublishers.ofString("x")),
                415, "unsupported_media_type");
        assertError(post("/channels/demo/messages", "text/plain; charset=ISO-8859-1", BodyPublishers.ofString("x")),
                415, "unsupported_media_type");
        assertError(post("/channels/demo/messages", "nonsense", BodyPublishers.ofString("x")),
                415, "unsupported_media_type");
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    public void invalidChannel() throws Exception {
        assertError(post("/channels/bad%20name/messages", null, BodyPublishers.ofString("x")), 400, "invalid_channel");
        assertError(post("/channels/demo..news/messages", null, BodyPublishers.ofString("x")), 400, "invalid_channel");
        assertError(post("/channels/ActiveMQ.Advisory/messages", null, BodyPublishers.ofString("x")),
                400, "invalid_channel");
        assertError(post("/channels/%FF/messages", null, BodyPublishers.ofString("x")), 400, "invalid_channel");
        // The message quotes the name: the error body must stay valid JSON.
        HttpResponse<String> r = post("/channels/a%22b%5C/messages", null, BodyPublishers.ofString("x"));
        assertError(r, 400, "invalid_channel");
        assertTrue(r.body(), message(r).contains("a\"b\\"));
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    public void invalidChannelIsRefusedBeforeTheBodyIsSizedOrRead() throws Exception {
        // Too large and of an unsupported type too: the channel is checked first.
        HttpResponse<String> r = post("/channels/bad%20name/messages", "application/xml",
                BodyPublishers.ofByteArray(new byte[MAX * 2]));
        assertError(r, 400, "invalid_channel");
        assertEquals(0, counter.bytesRead.get());
    }

    @Test
    public void wildcardNotAllowed() throws Exception {
        assertError(post("/channels/demo.*/messages", null, BodyPublishers.ofString("x")), 400, "wildcard_not_allowed");
        assertError(post("/channels/demo.%3E/messages", null, BodyPublishers.ofString("x")),
                400, "wildcard_not_allowed");
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    public void invalidJson() throws Exception {
        assertError(post("/channels/demo/messages", "application/json", BodyPublishers.ofString("{\"a\":")),
                400, "invalid_json");
    }

    @Test
    public void publisherAbsentAnswers503() throws Exception {
        servlet.publisher = null;
        assertError(post("/channels/demo/messages", "application/json", BodyPublishers.ofString("{}")),
                503, "unavailable");
        // The hub is still there: the refusal is counted.
        assertEquals(Long.valueOf(1), hub.errors.get("rest:unavailable"));
        servlet.publisher = publisher;
        assertEquals(202, post("/channels/demo/messages", "application/json",
                BodyPublishers.ofString("{}")).statusCode());
    }

    @Test
    public void unexpectedFailureIsA500WithoutDetail() throws Exception {
        publisher.failWith = new IllegalStateException("secret detail");
        HttpResponse<String> r = post("/channels/demo/messages", null, BodyPublishers.ofString("x"));
        assertError(r, 500, "internal");
        assertFalse(r.body().contains("secret"));
        assertFalse(r.body().contains("IllegalStateException"));
    }

    @Test
    public void publishingCanBeSwitchedOff() throws Exception {
        configure(Map.of("publishEnabled", false));
        assertError(post("/channels/demo/messages", null, BodyPublishers.ofString("x")), 404, "not_found");
        assertTrue(publisher.published.isEmpty());
    }

    // --- routing

    @Test
    public void unknownPathsAre404() throws Exception {
        assertError(get("/nope"), 404, "not_found");
        assertError(get(""), 404, "not_found");
        assertError(get("/"), 404, "not_found");
        assertError(get("/channels/demo"), 404, "not_found");
        assertError(get("/channels/demo/messages/1"), 404, "not_found");
        assertError(post("/channels/demo/other", null, BodyPublishers.ofString("x")), 404, "not_found");
        assertEquals(Long.valueOf(6), hub.errors.get("rest:not_found"));
    }

    @Test
    public void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = get("/channels/demo/messages");
        assertError(r, 405, "method_not_allowed");
        assertEquals("POST, OPTIONS", r.headers().firstValue("Allow").orElse(null));

        r = post("/channels", "application/json", BodyPublishers.ofString("{}"));
        assertError(r, 405, "method_not_allowed");
        assertEquals("GET, OPTIONS", r.headers().firstValue("Allow").orElse(null));

        r = send(HttpRequest.newBuilder(URI.create(base + "/stats")).DELETE());
        assertError(r, 405, "method_not_allowed");
        assertEquals("GET, OPTIONS", r.headers().firstValue("Allow").orElse(null));
    }

    @Test
    public void optionsListsTheMethods() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/channels/demo/messages"))
                .method("OPTIONS", BodyPublishers.noBody()));
        assertEquals(204, r.statusCode());
        assertEquals("POST, OPTIONS", r.headers().firstValue("Allow").orElse(null));
    }

    // --- admin

    @Test
    public void listsChannels() throws Exception {
        asAdmin();
        hub.channels.add(new ChannelInfo("demo.news", 2, 5, 4, 1_700_000_000_000L));
        hub.channels.add(new ChannelInfo("demo.sports", 0, 1, 0, 1_700_000_000_001L));
        HttpResponse<String> r = get("/channels");
        assertEquals(200, r.statusCode());
        assertJsonContentType(r);
        assertEquals("[{\"name\":\"demo.news\",\"subscribers\":2,\"messages\":5,\"lastOffset\":4,"
                + "\"lastMessageAt\":1700000000000},"
                + "{\"name\":\"demo.sports\",\"subscribers\":0,\"messages\":1,\"lastOffset\":0,"
                + "\"lastMessageAt\":1700000000001}]", r.body());
    }

    @Test
    public void emptyListsAreEmptyArrays() throws Exception {
        asAdmin();
        assertEquals("[]", get("/channels").body());
        assertEquals("[]", get("/sessions").body());
        assertEquals("{}", get("/stats").body());
    }

    @Test
    public void listsSessions() throws Exception {
        asAdmin();
        hub.sessions.add(new SessionInfo("s-1", "user:bob", "sse", "127.0.0.1:50000", 1_700_000_000_000L, true,
                new LinkedHashSet<>(List.of("demo.news", "demo.*")), 3, 42));
        HttpResponse<String> r = get("/sessions");
        assertEquals(200, r.statusCode());
        assertJsonContentType(r);
        assertEquals("[{\"id\":\"s-1\",\"user\":\"user:bob\",\"transport\":\"sse\",\"remoteAddress\":\"127.0.0.1:50000\","
                + "\"createdAt\":1700000000000,\"connected\":true,\"subscriptions\":[\"demo.*\",\"demo.news\"],"
                + "\"queued\":3,\"lastSeq\":42}]", r.body());
    }

    @Test
    public void userDataIsEscapedInJson() throws Exception {
        asAdmin();
        hub.sessions.add(new SessionInfo("s-\"1\"", "anonymous", "sse", "</script>\n", 1L, false, Set.of(), 0, 0));
        HttpResponse<String> r = get("/sessions");
        assertEquals(200, r.statusCode());
        JsonParser p = new JsonFactory().createParser(r.body());
        Map<String, String> fields = new LinkedHashMap<>();
        String name = null;
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
            if (t == JsonToken.FIELD_NAME) {
                name = p.currentName();
            } else if (t == JsonToken.VALUE_STRING && name != null) {
                fields.put(name, p.getText());
            }
        }
        assertEquals("s-\"1\"", fields.get("id"));
        assertEquals("</script>\n", fields.get("remoteAddress"));
    }

    @Test
    public void stats() throws Exception {
        asAdmin();
        hub.counters.put("messages.received", 10L);
        hub.counters.put("errors.rest.not_found", 2L);
        HttpResponse<String> r = get("/stats");
        assertEquals(200, r.statusCode());
        assertJsonContentType(r);
        assertEquals("{\"errors.rest.not_found\":2,\"messages.received\":10}", r.body());
    }

    @Test
    public void hubAbsentAnswers503() throws Exception {
        asAdmin();
        servlet.hub = null;
        assertError(get("/channels"), 503, "unavailable");
        assertError(get("/sessions"), 503, "unavailable");
        assertError(get("/stats"), 503, "unavailable");
        // Publishing needs only the publisher.
        assertEquals(202, post("/channels/demo/messages", null, BodyPublishers.ofString("x")).statusCode());
    }

    @Test
    public void adminCanBeSwitchedOff() throws Exception {
        configure(Map.of("adminEnabled", "false"));
        assertError(get("/channels"), 404, "not_found");
        assertError(get("/sessions"), 404, "not_found");
        assertError(get("/stats"), 404, "not_found");
        assertEquals(202, post("/channels/demo/messages", null, BodyPublishers.ofString("x")).statusCode());
    }

    // --- helpers

    @Test
    public void anOperatorDropsAConnectionOrEndsASession() throws Exception {
        asAdmin();
        io.halley.api.testing.TestSession session = new io.halley.api.testing.TestSession("s1", "sse", "127.0.0.1");
        java.util.List<io.halley.api.CloseReason> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        session.attach("sse", "127.0.0.1", new io.halley.api.SessionListener() {
            @Override
            public void onAvailable() {
            }

            @Override
            public void onClose(io.halley.api.CloseReason reason) {
                told.add(reason);
            }
        }, -1);
        hub.live.put("s1", session);

        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1/disconnect"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode());
        assertEquals("{\"disconnected\":true}", r.body());
        assertEquals(java.util.List.of(io.halley.api.CloseReason.DISCONNECTED), told);
        assertTrue(session.isOpen());
        r = send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1/disconnect")).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals("{\"disconnected\":false}", r.body());
        assertEquals(405, get("/sessions/s1/disconnect").statusCode());

        r = send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1")).DELETE());
        assertEquals(204, r.statusCode());
        assertTrue(!session.isOpen());
        r = send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1")).DELETE());
        assertEquals(404, r.statusCode());
        assertTrue(r.body(), r.body().contains("\"unknown_session\""));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private HttpResponse<String> post(String path, String contentType, BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    private void asAdmin() {
        authorization = FakeAuthenticator.ADMIN;
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A body of unknown length, which the JDK client sends chunked. */
    private static BodyPublisher chunked(byte[] body) {
        return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    }

    private static void assertJsonContentType(HttpResponse<?> r) {
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
    }

    private void assertError(HttpResponse<String> r, int status, String code) throws IOException {
        assertEquals(r.body(), status, r.statusCode());
        assertJsonContentType(r);
        JsonParser p = new JsonFactory().createParser(r.body());
        assertEquals(JsonToken.START_OBJECT, p.nextToken());
        assertEquals("error", p.nextFieldName());
        assertEquals(code, p.nextTextValue());
        assertEquals("message", p.nextFieldName());
        assertEquals(JsonToken.VALUE_STRING, p.nextToken());
        assertEquals(JsonToken.END_OBJECT, p.nextToken());
        assertEquals(null, p.nextToken());
    }

    private static String message(HttpResponse<String> r) throws IOException {
        JsonParser p = new JsonFactory().createParser(r.body());
        while (p.nextToken() != null) {
            if (p.currentToken() == JsonToken.FIELD_NAME && p.currentName().equals("message")) {
                return p.nextTextValue();
            }
        }
        return null;
    }
}
