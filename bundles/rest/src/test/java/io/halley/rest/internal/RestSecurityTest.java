package io.halley.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.halley.api.AclRule;
import io.halley.api.Credentials;
import io.halley.api.Identity;
import io.halley.api.Permission;
import io.halley.api.testing.TestSession;

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
import java.util.EnumSet;
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

/** Who may do what over the REST API: credentials, the admin role, and the channel permission endpoints. */
public class RestSecurityTest {

    private final FakePublisher publisher = new FakePublisher(1024);
    private final FakeHub hub = new FakeHub();
    private final FakeAuthenticator authenticator = new FakeAuthenticator();
    private final FakeAccessControl acl = new FakeAccessControl();
    private final RestServlet servlet = new RestServlet();
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
        servlet.acl = acl;
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
    public void publishesAsWhoeverTheCredentialsProve() throws Exception {
        acl.rules.add(AclRule.parse("demo", "allow everyone demo.> publish"));
        assertEquals(202, publish("demo.a", null).statusCode());
        assertEquals(202, publish("demo.b", FakeAuthenticator.BOB).statusCode());
        assertEquals(202, publish("demo.c", FakeAuthenticator.KEY).statusCode());
        assertEquals(List.of(Identity.anonymous(), Identity.user("bob", Set.of()),
                new Identity("pub", Identity.Kind.KEY, Set.of(), 0, Set.of())),
                publisher.published.stream().map(FakePublisher.Published::publisher).toList());
        assertEquals(Credentials.password("bob", "secret"), authenticator.seen.get(1));
    }

    @Test
    public void wrongCredentialsAre401WithAChallenge() throws Exception {
        for (String header : List.of(FakeAuthenticator.basic("bob", "wrong"), FakeAuthenticator.basic("nobody", "secret"),
                "Bearer not-a-key", "Bearer a.b.c", "Digest abc", "Basic %%%")) {
            HttpResponse<String> r = publish("demo.a", header);
            assertError(r, 401, "unauthorized");
            assertEquals(header, "Basic realm=\"halley\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
            // the same words whatever was wrong
            assertTrue(r.body(), r.body().contains("\"authentication failed\""));
        }
        assertTrue(publisher.published.isEmpty());
        assertEquals(0, counter.bytesRead.get());
        assertEquals(Long.valueOf(6), hub.errors.get("rest:unauthorized"));
    }

    @Test
    public void aPublishTheRulesRefuseIs403() throws Exception {
        // the publisher (the core) decides: the servlet does not go around it
        servlet.acl = null;
        publisher.mayPublish = (who, channel) -> !who.isAnonymous() || channel.startsWith("demo.");
        assertEquals(202, publish("demo.a", null).statusCode());
        assertError(publish("news.a", null), 403, "forbidden");
        assertEquals(202, publish("news.a", FakeAuthenticator.BOB).statusCode());
        assertEquals(Long.valueOf(1), hub.errors.get("rest:forbidden"));
    }

    @Test
    public void aRefusedPublishIsNotRead() throws Exception {
        acl.rules.add(AclRule.parse("r1", "allow anonymous demo.> publish"));
        HttpResponse<String> r = post("/channels/news.a/messages", null, "application/json",
                BodyPublishers.ofString("{\"a\":1}"));
        assertError(r, 403, "forbidden");
        assertEquals(0, counter.bytesRead.get());
        assertTrue(publisher.published.isEmpty());
        assertEquals(202, publish("demo.a", null).statusCode());
    }

    @Test
    public void withoutTheAuthenticatorOnlyAnonymousGetsThrough() throws Exception {
        acl.rules.add(AclRule.parse("demo", "allow everyone demo.> publish"));
        servlet.authenticator = null;
        assertEquals(202, publish("demo.a", null).statusCode());
        assertError(publish("demo.a", FakeAuthenticator.BOB), 503, "unavailable");
        assertError(get("/stats", FakeAuthenticator.ADMIN), 503, "unavailable");
        assertError(get("/stats", null), 401, "unauthorized");
    }

    @Test
    public void aRealmThatDoesNotAnswerIs503() throws Exception {
        authenticator.down = true;
        assertError(publish("demo.a", FakeAuthenticator.BOB), 503, "unavailable");
        assertTrue(publisher.published.isEmpty());
    }

    // --- the admin role

    @Test
    public void adminEndpointsNeedTheAdminRole() throws Exception {
        for (String path : List.of("/channels", "/sessions", "/stats", "/acl", "/acl/check?user=bob&channel=a&permission=publish")) {
            HttpResponse<String> r = get(path, null);
            assertError(r, 401, "unauthorized");
            assertEquals("Basic realm=\"halley\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
            assertError(get(path, FakeAuthenticator.BOB), 403, "forbidden");
            assertError(get(path, FakeAuthenticator.KEY), 403, "forbidden");
            assertEquals(path, 200, get(path, FakeAuthenticator.ADMIN).statusCode());
        }
    }

    @Test
    public void theAdminRoleIsConfigured() throws Exception {
        configure(Map.of("adminRole", "staff"));
        assertEquals(200, get("/stats", FakeAuthenticator.basic("alice", "secret")).statusCode());
        assertError(get("/stats", FakeAuthenticator.ADMIN), 403, "forbidden");
    }

    @Test
    public void onlyAnAdminEndsSessions() throws Exception {
        TestSession session = new TestSession("s1", "sse", "127.0.0.1");
        hub.live.put("s1", session);
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1")).DELETE(), null), 401, "unauthorized");
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1/disconnect"))
                .POST(BodyPublishers.noBody()), FakeAuthenticator.BOB), 403, "forbidden");
        assertTrue(session.isOpen());
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(base + "/sessions/s1")).DELETE(),
                FakeAuthenticator.ADMIN).statusCode());
        assertFalse(session.isOpen());
    }

    // --- channel permission endpoints

    @Test
    public void listsTheRules() throws Exception {
        assertEquals("[]", get("/acl", FakeAuthenticator.ADMIN).body());
        acl.rules.add(AclRule.parse("demo", "allow anonymous demo.> publish,subscribe"));
        acl.rules.add(AclRule.parse("r2", "deny user:bob demo.secret all"));
        HttpResponse<String> r = get("/acl", FakeAuthenticator.ADMIN);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
        assertEquals("[{\"id\":\"demo\",\"allow\":true,\"principal\":\"anonymous\",\"pattern\":\"demo.>\","
                + "\"permissions\":[\"subscribe\",\"publish\"]},"
                + "{\"id\":\"r2\",\"allow\":false,\"principal\":\"user:bob\",\"pattern\":\"demo.secret\","
                + "\"permissions\":[\"subscribe\",\"publish\",\"presence\",\"history\"]}]", r.body());
    }

    @Test
    public void addsARule() throws Exception {
        HttpResponse<String> r = post("/acl", FakeAuthenticator.ADMIN, "application/json", BodyPublishers.ofString(
                "{\"allow\":true,\"principal\":\"user:bob\",\"pattern\":\"news.>\",\"permissions\":[\"history\",\"subscribe\"]}"));
        assertEquals(r.body(), 201, r.statusCode());
        assertEquals("{\"id\":\"r1\",\"allow\":true,\"principal\":\"user:bob\",\"pattern\":\"news.>\","
                + "\"permissions\":[\"subscribe\",\"history\"]}", r.body());
        assertEquals("/halley/api/acl/r1", r.headers().firstValue("Location").orElse(null));
        assertEquals(List.of(new AclRule("r1", true, "user:bob", "news.>", Set.of(Permission.SUBSCRIBE,
                Permission.HISTORY))), acl.rules);

        // permissions as one string, no content type
        r = post("/acl", FakeAuthenticator.ADMIN, null, BodyPublishers.ofString(
                "{\"principal\":\"everyone\",\"pattern\":\">\",\"permissions\":\"all\",\"allow\":false}"));
        assertEquals(r.body(), 201, r.statusCode());
        assertEquals(new AclRule("r2", false, "everyone", ">", EnumSet.allOf(Permission.class)), acl.rules.get(1));
    }

    @Test
    public void aBadRuleIs400WithTheReason() throws Exception {
        assertBadRule("{\"allow\":true,\"principal\":\"bob\",\"pattern\":\"a\",\"permissions\":[\"publish\"]}",
                "unknown principal 'bob'");
        assertBadRule("{\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a..b\",\"permissions\":[\"publish\"]}",
                "invalid channel name");
        assertBadRule("{\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":[\"read\"]}",
                "unknown permission 'read'");
        assertBadRule("{\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":[]}",
                "at least one permission");
        assertBadRule("{\"allow\":\"yes\",\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":\"all\"}",
                "allow is true or false");
        assertBadRule("{\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":\"all\"}",
                "a rule has allow, principal, pattern and permissions");
        assertBadRule("{\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":\"all\",\"x\":1}",
                "unknown field 'x'");
        assertBadRule("{\"allow\":true,\"allow\":false}", "malformed JSON");
        assertBadRule("{\"allow\":true,", "malformed JSON");
        assertBadRule("[1]", "a rule is a JSON object");
        assertBadRule("{\"id\":\"mine\",\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":\"all\"}",
                "a new rule's id is given by the server");
        assertBadRule("{\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":\"all\"} {}",
                "one JSON object only");
        assertTrue(acl.rules.isEmpty());
    }

    private void assertBadRule(String body, String reason) throws Exception {
        HttpResponse<String> r = post("/acl", FakeAuthenticator.ADMIN, "application/json", BodyPublishers.ofString(body));
        assertError(r, 400, "bad_request");
        assertTrue(body + " -> " + r.body(), message(r).contains(reason));
    }

    @Test
    public void ruleBodiesAreBoundedAndJson() throws Exception {
        String big = "{\"allow\":true,\"principal\":\"everyone\",\"pattern\":\"a\",\"permissions\":\"all\","
                + "\"pad\":\"" + "x".repeat(RestServlet.MAX_RULE_BODY) + "\"}";
        assertError(post("/acl", FakeAuthenticator.ADMIN, "application/json", BodyPublishers.ofString(big)),
                413, "too_large");
        assertError(post("/acl", FakeAuthenticator.ADMIN, "text/plain", BodyPublishers.ofString("allow everyone a all")),
                415, "unsupported_media_type");
        // refused before the body is read: not an admin
        assertError(post("/acl", FakeAuthenticator.BOB, "application/json", BodyPublishers.ofString(big)),
                403, "forbidden");
        assertEquals(0, counter.bytesRead.get());
    }

    @Test
    public void replacesARule() throws Exception {
        acl.rules.add(AclRule.parse("r1", "allow user:bob news.> subscribe"));
        HttpResponse<String> r = put("/acl/r1",
                "{\"allow\":false,\"principal\":\"user:bob\",\"pattern\":\"news.>\",\"permissions\":[\"publish\"]}");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("{\"id\":\"r1\",\"allow\":false,\"principal\":\"user:bob\",\"pattern\":\"news.>\","
                + "\"permissions\":[\"publish\"]}", r.body());
        assertEquals(AclRule.parse("r1", "deny user:bob news.> publish"), acl.rules.get(0));

        // the id may be repeated in the body, the same
        assertEquals(200, put("/acl/r1", "{\"id\":\"r1\",\"allow\":true,\"principal\":\"user:bob\",\"pattern\":\"news.>\","
                + "\"permissions\":\"all\"}").statusCode());
        assertError(put("/acl/r1", "{\"id\":\"r2\",\"allow\":true,\"principal\":\"user:bob\",\"pattern\":\"news.>\","
                + "\"permissions\":\"all\"}"), 400, "bad_request");
        assertError(put("/acl/nope", "{\"allow\":true,\"principal\":\"user:bob\",\"pattern\":\"news.>\","
                + "\"permissions\":\"all\"}"), 404, "not_found");
        assertEquals(1, acl.rules.size());
    }

    @Test
    public void removesARule() throws Exception {
        acl.rules.add(AclRule.parse("r1", "allow user:bob news.> subscribe"));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/acl/r1")).DELETE(), FakeAuthenticator.ADMIN);
        assertEquals(204, r.statusCode());
        assertTrue(acl.rules.isEmpty());
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/acl/r1")).DELETE(), FakeAuthenticator.ADMIN),
                404, "not_found");
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/acl/r1")).DELETE(), FakeAuthenticator.BOB),
                403, "forbidden");
    }

    @Test
    public void checksWithTheRealmsRolesAndTheGivenOnes() throws Exception {
        acl.rules.add(AclRule.parse("staff", "allow role:staff news.> subscribe"));
        acl.rules.add(AclRule.parse("x", "deny role:intern news.secret subscribe"));
        HttpResponse<String> r = get("/acl/check?user=alice&channel=news.eu&permission=subscribe", FakeAuthenticator.ADMIN);
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("{\"allowed\":true,\"rule\":{\"id\":\"staff\",\"allow\":true,\"principal\":\"role:staff\","
                + "\"pattern\":\"news.>\",\"permissions\":[\"subscribe\"]},\"reason\":\"granted by staff\","
                + "\"user\":\"user:alice\",\"roles\":[\"staff\"]}", r.body());

        r = get("/acl/check?user=alice&channel=news.*&permission=SUBSCRIBE&role=intern&role=x", FakeAuthenticator.ADMIN);
        assertTrue(r.body(), r.body().startsWith("{\"allowed\":false,\"rule\":{\"id\":\"x\""));
        assertTrue(r.body(), r.body().endsWith("\"roles\":[\"intern\",\"staff\",\"x\"]}"));

        r = get("/acl/check?user=anonymous&channel=news.eu&permission=publish", FakeAuthenticator.ADMIN);
        assertEquals("{\"allowed\":false,\"rule\":null,\"reason\":\"no rule grants it\",\"user\":\"anonymous\","
                + "\"roles\":[]}", r.body());
        assertEquals(Identity.anonymous(), acl.checks.get(2)[0]);

        servlet.apiKeys = new io.halley.api.ApiKeys() {
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
                return List.of(new KeyInfo("ci", Set.of("staff"), 0));
            }
        };
        r = get("/acl/check?user=key:ci&channel=news.eu&permission=subscribe", FakeAuthenticator.ADMIN);
        assertTrue(r.body(), r.body().startsWith("{\"allowed\":true,"));
        assertEquals(new Identity("ci", Identity.Kind.KEY, Set.of("staff"), 0, Set.of()), acl.checks.get(3)[0]);
    }

    @Test
    public void aCheckWithBadParametersIs400() throws Exception {
        assertError(get("/acl/check?channel=a&permission=publish", FakeAuthenticator.ADMIN), 400, "bad_request");
        assertError(get("/acl/check?user=bob&permission=publish", FakeAuthenticator.ADMIN), 400, "bad_request");
        assertError(get("/acl/check?user=bob&channel=a", FakeAuthenticator.ADMIN), 400, "bad_request");
        assertError(get("/acl/check?user=bob&channel=a&permission=read", FakeAuthenticator.ADMIN), 400, "bad_request");
        assertError(get("/acl/check?user=bob&channel=a..b&permission=publish", FakeAuthenticator.ADMIN),
                400, "invalid_channel");
        assertError(get("/acl/check?user=anonymous&channel=a&permission=publish&role=r", FakeAuthenticator.ADMIN),
                400, "bad_request");
        assertTrue(acl.checks.isEmpty());
    }

    @Test
    public void withoutTheAccessControlTheAclEndpointsAre503() throws Exception {
        servlet.acl = null;
        assertError(get("/acl", FakeAuthenticator.ADMIN), 503, "unavailable");
        assertError(get("/acl/check?user=bob&channel=a&permission=publish", FakeAuthenticator.ADMIN), 503, "unavailable");
        assertError(post("/acl", FakeAuthenticator.ADMIN, "application/json", BodyPublishers.ofString("{}")),
                503, "unavailable");
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/acl/r1")).DELETE(), FakeAuthenticator.ADMIN),
                503, "unavailable");
    }

    @Test
    public void aclMethods() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/acl")).DELETE(), FakeAuthenticator.ADMIN);
        assertError(r, 405, "method_not_allowed");
        assertEquals("GET, POST, OPTIONS", r.headers().firstValue("Allow").orElse(null));
        r = get("/acl/r1", FakeAuthenticator.ADMIN);
        assertError(r, 405, "method_not_allowed");
        assertEquals("PUT, DELETE, OPTIONS", r.headers().firstValue("Allow").orElse(null));
        r = send(HttpRequest.newBuilder(URI.create(base + "/acl/check")).method("OPTIONS", BodyPublishers.noBody()), null);
        assertEquals(204, r.statusCode());
        assertEquals("GET, PUT, DELETE, OPTIONS", r.headers().firstValue("Allow").orElse(null));
        assertError(get("/acl/r1/x", FakeAuthenticator.ADMIN), 404, "not_found");
    }

    @Test
    public void adminSwitchedOffHidesTheAclToo() throws Exception {
        configure(Map.of("adminEnabled", false));
        assertError(get("/acl", FakeAuthenticator.ADMIN), 404, "not_found");
        assertError(get("/acl/check?user=bob&channel=a&permission=publish", FakeAuthenticator.ADMIN), 404, "not_found");
    }

    // --- helpers

    private HttpResponse<String> publish(String channel, String authorization) throws Exception {
        return post("/channels/" + channel + "/messages", authorization, "text/plain", BodyPublishers.ofString("x"));
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), authorization);
    }

    private HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"), FakeAuthenticator.ADMIN);
    }

    private HttpResponse<String> post(String path, String authorization, String contentType, BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, authorization);
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String authorization) throws IOException, InterruptedException {
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws IOException {
        assertEquals(r.body(), status, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
        JsonParser p = new JsonFactory().createParser(r.body());
        assertEquals(JsonToken.START_OBJECT, p.nextToken());
        assertEquals("error", p.nextFieldName());
        assertEquals(r.body(), code, p.nextTextValue());
        assertEquals("message", p.nextFieldName());
        assertEquals(JsonToken.VALUE_STRING, p.nextToken());
        assertEquals(JsonToken.END_OBJECT, p.nextToken());
        assertNull(p.nextToken());
        if (status != 401) {
            assertFalse(r.headers().firstValue("WWW-Authenticate").isPresent());
        }
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
