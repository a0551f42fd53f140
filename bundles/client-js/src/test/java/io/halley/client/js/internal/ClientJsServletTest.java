package io.halley.client.js.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import io.halley.api.testing.TestServer;

public class ClientJsServletTest {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private TestServer server;

    private void start(Map<String, Object> config) throws Exception {
        ClientJsServlet servlet = new ClientJsServlet(
                Converters.standardConverter().convert(config).to(ClientJsConfig.class));
        // everything goes to the servlet, so that it alone decides what exists
        server = new TestServer(servlet, "/*");
    }

    private void start() throws Exception {
        start(new HashMap<>());
    }

    @After
    public void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ClientJsServletTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(name, in);
            return in.readAllBytes();
        }
    }

    private static String type(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase();
    }

    @Test
    public void servesTheLibraryAsJavaScriptWithItsBytesAnETagAndCacheControl() throws Exception {
        start();
        HttpResponse<byte[]> js = get("/halley/halley.js");
        assertEquals(200, js.statusCode());
        assertEquals("text/javascript;charset=utf-8", type(js));
        assertArrayEquals(resource("halley/halley.js"), js.body());
        assertEquals("no-cache", js.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("nosniff", js.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertTrue(js.headers().firstValue("ETag").orElse("").matches("\"[A-Za-z0-9_-]{22}\""));

        HttpResponse<byte[]> mjs = get("/halley/halley.mjs");
        assertEquals(200, mjs.statusCode());
        assertEquals("text/javascript;charset=utf-8", type(mjs));
        assertTrue(new String(mjs.body(), StandardCharsets.UTF_8).contains("import './halley.js';"));
        assertFalse(js.headers().firstValue("ETag").equals(mjs.headers().firstValue("ETag")));
    }

    @Test
    public void anUnchangedFileIsA304() throws Exception {
        start();
        String etag = get("/halley/halley.js").headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> again = get("/halley/halley.js", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
        assertEquals(304, get("/halley/halley.js", "If-None-Match", "\"other\", W/" + etag).statusCode());
        assertEquals(200, get("/halley/halley.js", "If-None-Match", "\"other\"").statusCode());
    }

    @Test
    public void servesTheDemoAsHtmlJavaScriptAndCssWithAContentSecurityPolicy() throws Exception {
        start();
        HttpResponse<byte[]> page = get("/halley/demo/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html;charset=utf-8", type(page));
        assertArrayEquals(resource("halley/demo/index.html"), page.body());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp, csp.contains("script-src 'self'"));
        assertEquals(200, get("/halley/demo/index.html").statusCode());
        assertEquals("text/javascript;charset=utf-8", type(get("/halley/demo/demo.js")));
        assertEquals("text/css;charset=utf-8", type(get("/halley/demo/demo.css")));
    }

    @Test
    public void theDemoWithoutItsSlashIsARedirect() throws Exception {
        start();
        HttpResponse<byte[]> r = get("/halley/demo");
        assertEquals(301, r.statusCode());
        assertEquals("/halley/demo/", r.headers().firstValue("Location").orElse(null));
    }

    @Test
    public void theDemoCanBeTurnedOff() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("demoEnabled", false);
        config.put("maxAge", 3600);
        start(config);
        assertEquals(404, get("/halley/demo/").statusCode());
        assertEquals(404, get("/halley/demo/demo.js").statusCode());
        assertEquals(404, get("/halley/demo").statusCode());
        HttpResponse<byte[]> js = get("/halley/halley.js");
        assertEquals(200, js.statusCode());
        assertEquals("public, max-age=3600", js.headers().firstValue("Cache-Control").orElse(null));
    }

    @Test
    public void unknownPathsAreNotFoundAsJson() throws Exception {
        start();
        for (String path : new String[] {"/halley/other.js", "/halley/demo/nope.js", "/halley/demo/halley.js",
                "/halley/halley.js/", "/halley/HALLEY.JS", "/halley/demo/index.htm", "/", "/halley/"}) {
            HttpResponse<byte[]> r = get(path);
            assertEquals(path, 404, r.statusCode());
            assertEquals(path, "application/json;charset=utf-8", type(r));
            assertEquals("{\"error\":\"not_found\",\"message\":\"no such file\"}",
                    new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    public void noPathTraversal() throws Exception {
        start();
        // sent raw, so that no client tidies the path first
        for (String path : new String[] {
                "/halley/demo/../../io/halley/client/js/internal/ClientJsServlet.class",
                "/halley/demo/..%2F..%2Fio/halley/client/js/internal/ClientJsServlet.class",
                "/halley/demo/%2e%2e/%2e%2e/META-INF/MANIFEST.MF",
                "/halley/demo/..\\..\\halley\\halley.js",
                "/halley/demo/./demo.js/../../../jetty-logging.properties",
                "/halley/demo//etc/passwd",
                "/halley/demo/%00demo.js"}) {
            String response = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            String status = response.substring(0, response.indexOf("\r\n"));
            assertTrue(path + " -> " + status, status.matches("HTTP/1\\.1 (400|404) .*"));
            assertFalse(path, response.contains("Manifest-Version")
                    || response.contains("org.eclipse.jetty.LEVEL"));
        }
    }

    @Test
    public void onlyGetAndHead() throws Exception {
        start();
        HttpResponse<byte[]> post = client.send(HttpRequest.newBuilder(server.uri("/halley/halley.js"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
        HttpResponse<byte[]> head = client.send(HttpRequest.newBuilder(server.uri("/halley/halley.js"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(String.valueOf(resource("halley/halley.js").length),
                head.headers().firstValue("Content-Length").orElse(null));
    }

    @Test
    public void ifNoneMatch() {
        assertTrue(ClientJsServlet.matches("*", "\"a\""));
        assertTrue(ClientJsServlet.matches("\"b\" , \"a\"", "\"a\""));
        assertTrue(ClientJsServlet.matches("W/\"a\"", "\"a\""));
        assertFalse(ClientJsServlet.matches("\"b\"", "\"a\""));
        assertFalse(ClientJsServlet.matches(null, "\"a\""));
    }

    private String raw(String request) throws IOException {
        URI uri = server.uri("/");
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
