package io.halley.client.js.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.http.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Serves halley.js, halley.mjs and the demo chat out of this bundle. Only the files
 * listed here are served, read once at activation: a request path is looked up, never
 * resolved, so no path can reach anything else.
 */
@Component(
        service = Servlet.class,
        configurationPid = ClientJsServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/halley/halley.js",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/halley/halley.mjs",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/halley/demo/*",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=halley-client-js"
        })
@Designate(ocd = ClientJsConfig.class)
public class ClientJsServlet extends HttpServlet {

    static final String PID = "io.halley.client.js";

    static final String JAVASCRIPT = "text/javascript; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";
    static final String CSS = "text/css; charset=utf-8";

    static final String DEMO = "/halley/demo";

    // The demo inserts user text as text; this keeps it so should a bug slip in.
    private static final String DEMO_CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self' ws: wss:; img-src 'self'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    /** A file, as served. */
    record Resource(byte[] body, String contentType, String etag, String securityPolicy) {
    }

    private final transient Map<String, Resource> resources = new HashMap<>();
    private final String cacheControl;
    private final boolean demo;

    @Activate
    public ClientJsServlet(ClientJsConfig config) {
        this.demo = config.demoEnabled();
        this.cacheControl = config.maxAge() > 0 ? "public, max-age=" + config.maxAge() : "no-cache";
        add("/halley/halley.js", "halley/halley.js", JAVASCRIPT, null);
        add("/halley/halley.mjs", "halley/halley.mjs", JAVASCRIPT, null);
        if (demo) {
            add(DEMO + "/", "halley/demo/index.html", HTML, DEMO_CSP);
            add(DEMO + "/index.html", "halley/demo/index.html", HTML, DEMO_CSP);
            add(DEMO + "/demo.js", "halley/demo/demo.js", JAVASCRIPT, null);
            add(DEMO + "/demo.css", "halley/demo/demo.css", CSS, null);
        }
    }

    private void add(String path, String resource, String contentType, String securityPolicy) {
        byte[] body = read(resource);
        resources.put(path, new Resource(body, contentType, etag(body), securityPolicy));
    }

    private static byte[] read(String resource) {
        try (InputStream in = ClientJsServlet.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing from the bundle: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            resp.setHeader("Allow", "GET, HEAD");
            fail(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method_not_allowed", "only GET and HEAD are allowed");
            return;
        }
        // the path inside the context, whichever of the patterns matched
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        if (demo && DEMO.equals(path)) {
            // relative links in the page need the trailing slash
            resp.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
            resp.setHeader("Location", req.getContextPath() + DEMO + "/");
            return;
        }
        Resource r = resources.get(path);
        if (r == null) {
            fail(resp, HttpServletResponse.SC_NOT_FOUND, "not_found", "no such file");
            return;
        }
        resp.setHeader("Cache-Control", cacheControl);
        resp.setHeader("ETag", r.etag());
        resp.setHeader("X-Content-Type-Options", "nosniff");
        if (r.securityPolicy() != null) {
            resp.setHeader("Content-Security-Policy", r.securityPolicy());
        }
        if (matches(req.getHeader("If-None-Match"), r.etag())) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType(r.contentType());
        resp.setContentLength(r.body().length);
        if (!head) {
            resp.getOutputStream().write(r.body());
        }
    }

    /** If-None-Match: "*" or a list of tags, weak ones compared weakly (RFC 9110 13.1.2). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static void fail(HttpServletResponse resp, int status, String code, String message) throws IOException {
        byte[] body = ("{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType("application/json;charset=utf-8");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
