package io.halley.itests;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import javax.jms.DeliveryMode;
import javax.jms.MessageProducer;
import javax.jms.Session;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * halley.js in a real headless Chromium against the real distribution, over each of the
 * four transports: receive, publish with acknowledgement, the server cutting the
 * connection in the middle of a burst of 1,000 messages, fallback when WebSocket is
 * absent, and hot swap of the WebSocket feature while a publisher runs.
 */
public class BrowserTest {

    private static final long WAIT = 30_000;
    private static final List<String> TRANSPORTS = List.of("websocket", "sse", "streaming", "longpoll");

    /** A page-side harness: named connections, what each received, its states. */
    private static final String HARNESS = """
            window.T = window.T || { c: {}, got: {}, states: {}, events: {} };
            T.open = function (name, transports, channel) {
              const options = { reconnect: { initialDelay: 100, maxDelay: 1000 } };
              if (transports) { options.transports = transports; }
              const h = Halley.connect(options);
              T.c[name] = h; T.got[name] = []; T.states[name] = []; T.events[name] = [];
              h.on('state', s => T.states[name].push(s));
              h.on('gap', g => T.events[name].push('gap ' + JSON.stringify(g)));
              h.on('error', e => T.events[name].push('error ' + (e && (e.code || e.message))));
              T.subs = T.subs || {};
              T.subs[name] = h.subscribe(channel, m => T.got[name].push(m.data));
              return true;
            };
            T.state = n => T.states[n][T.states[n].length - 1];
            true;
            """;

    private static Distribution dist;
    private static Browser browser;

    @BeforeClass
    public static void boot() throws Exception {
        dist = new Distribution("browser-test");
        // the shipped rules grant anonymous only demo.>: the operator opens bt.> for these pages
        dist.addRules("bt.probe", "bt allow anonymous bt.> subscribe,publish,history");
        browser = new Browser();
        browser.open(dist.base() + "/halley/demo/");
        browser.waitFor("halley.js to load", WAIT, () -> Boolean.TRUE.equals(browser.js("return !!window.Halley")));
        browser.js(HARNESS);
    }

    @AfterClass
    public static void shutdown() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (dist != null) {
                dist.close();
            }
        }
    }

    private static void open(String name, List<String> transports, String channel) {
        browser.js("return T.open(arguments[0], arguments[1], arguments[2])", name, transports, channel);
        browser.waitFor(name + " to connect", WAIT, () -> "connected".equals(browser.js("return T.state(arguments[0])", name)));
    }

    private static String transport(String name) {
        return (String) browser.js("return T.c[arguments[0]].transport", name);
    }

    private static long count(String name) {
        return (Long) browser.js("return T.got[arguments[0]].length", name);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> got(String name) {
        return (List<Object>) browser.js("return T.got[arguments[0]]", name);
    }

    /** Publishes from the page; returns the message id of the server's acknowledgement, or "ERR code". */
    private static String publishFromPage(String name, String channel, Object data) {
        return (String) browser.jsAsync("const done = arguments[arguments.length - 1];"
                + "T.c[arguments[0]].publish(arguments[1], arguments[2]).then(id => done(String(id && id.id || id)),"
                + " e => done('ERR ' + (e && e.code)));", name, channel, data);
    }

    private static void close(String name) {
        browser.js("T.c[arguments[0]].close(); return true;", name);
    }

    @Test
    public void getTokenRenewsAnExpiringTokenWithoutReconnecting() throws Exception {
        String secret = "browser-test-secret-of-the-application-0123456789";
        dist.configure("etc/io.halley.auth.cfg", "token.secret = " + secret);
        dist.configure("etc/halley-acl.rules", "tok allow role:tok-readers tok.> subscribe,publish");
        String probe = AuthMatrixTest.token(secret, "probe", "[\"tok-readers\"]", System.currentTimeMillis() / 1000 + 600);
        browser.waitFor("the token secret and the rule to apply", WAIT, () -> {
            try {
                return dist.publishWith("tok.probe", "{}", "Bearer " + probe).statusCode() == 202;
            } catch (Exception e) {
                return false;
            }
        });
        for (String t : List.of("websocket", "longpoll")) {
            String name = "tok-" + t;
            long now = System.currentTimeMillis() / 1000;
            // a first token good for 6 s (renewed a fifth of its life before it ends), then one for 10 min
            long firstExpiry = now + 6;
            List<String> tokens = List.of(AuthMatrixTest.token(secret, "tina", "[\"tok-readers\"]", firstExpiry),
                    AuthMatrixTest.token(secret, "tina", "[\"tok-readers\"]", now + 600));
            browser.js("T.tokens = arguments[0].slice(); T.tokenCalls = 0;"
                    + "const h = Halley.connect({ transports: [arguments[2]], reconnect: { initialDelay: 100, maxDelay: 1000 },"
                    + "  getToken: () => { T.tokenCalls++; return Promise.resolve(T.tokens.shift()); } });"
                    + "const n = arguments[1]; T.c[n] = h; T.got[n] = []; T.states[n] = []; T.events[n] = [];"
                    + "h.on('state', s => T.states[n].push(s));"
                    + "h.on('error', e => T.events[n].push('error ' + (e && (e.code || e.message))));"
                    + "h.subscribe('tok.news', m => T.got[n].push(m.data)); return true;", tokens, name, t);
            String id = publishFromPage(name, "tok.news", Map.of("n", 0));
            assertTrue(t + ": " + id, id.startsWith("ID:"));
            browser.waitFor(t + ": the renewal", WAIT, () -> ((Number) browser.js("return T.tokenCalls")).intValue() == 2);
            // past the first token's expiry (and the hub's next sweep), still the same connection
            browser.waitFor(t + ": the first token to be past its expiry", WAIT,
                    () -> System.currentTimeMillis() > firstExpiry * 1000 + 2_500);
            assertEquals(202, dist.publish("tok.news", "{\"n\":1}").statusCode());
            browser.waitFor(t + " to receive both messages", WAIT, () -> count(name) >= 2);
            assertEquals(t, List.of(0L, 1L), got(name).stream().map(m -> ((Map<?, ?>) m).get("n")).toList());
            assertEquals(t + ": no reconnect", List.of("connected"), browser.js("return T.states[arguments[0]]", name));
            assertEquals(t + ": no error", List.of(), browser.js("return T.events[arguments[0]]", name));
            close(name);
        }
    }

    @Test
    public void receiveAndPublishWithAcknowledgementOverEveryTransport() throws Exception {
        for (String t : TRANSPORTS) {
            String name = "recv-" + t;
            String channel = "bt.recv." + t;
            open(name, List.of(t), channel);
            assertEquals(t, transport(name));
            String id = publishFromPage(name, channel, Map.of("n", 0));
            assertTrue(t + ": " + id, id.startsWith("ID:"));
            for (int i = 1; i <= 20; i++) {
                assertEquals(202, dist.publish(channel, "{\"n\":" + i + "}").statusCode());
            }
            browser.waitFor(t + " to receive 21 messages", WAIT, () -> count(name) >= 21);
            List<Object> data = got(name);
            assertEquals(t, 21, data.size());
            for (int i = 0; i <= 20; i++) {
                assertEquals(t, (long) i, ((Map<?, ?>) data.get(i)).get("n"));
            }
            String refused = publishFromPage(name, "bt.*", Map.of("n", -1));
            assertEquals(t, "ERR wildcard_not_allowed", refused);
            close(name);
        }
    }

    @Test
    public void aBurstOf1000ArrivesOnceAndInOrderWhenTheServerCutsTheConnection() throws Exception {
        for (String t : TRANSPORTS) {
            String name = "burst-" + t;
            String channel = "bt.burst." + t;
            open(name, List.of(t), channel);
            // the subscription is in place once a publish from the page comes back to it
            assertTrue(publishFromPage(name, channel, Map.of("n", 0)).startsWith("ID:"));
            browser.waitFor("the first message", WAIT, () -> count(name) >= 1);
            String session = sessionSubscribedTo(channel);
            int total = 1000;
            AtomicInteger sent = new AtomicInteger();
            Thread publisher = new Thread(() -> {
                try (Publishers p = new Publishers(dist.openwire, dist.stomp)) {
                    Session s = p.connection().createSession(false, Session.AUTO_ACKNOWLEDGE);
                    MessageProducer producer = s.createProducer(s.createTopic(channel));
                    producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
                    for (int i = 1; i <= total; i++) {
                        producer.send(s.createTextMessage("{\"n\":" + i + "}"));
                        sent.set(i);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            publisher.start();
            browser.waitFor(t + " to be in the middle of the burst", WAIT, () -> count(name) >= 150);
            // cut the connection the session has now (a long-poll has one only while a poll waits)
            browser.waitFor(t + " connection to be cut", WAIT, () -> {
                try {
                    return dist.post("/halley/api/sessions/" + session + "/disconnect", "").body()
                            .contains("\"disconnected\":true");
                } catch (Exception e) {
                    return false;
                }
            });
            publisher.join(WAIT);
            browser.waitFor(t + " to receive the whole burst", 60_000, () -> count(name) >= total + 1);
            List<Object> data = got(name);
            assertEquals(t + " received " + data.size(), total + 1, data.size());
            for (int i = 0; i <= total; i++) {
                assertEquals(t + " at " + i, (long) i, ((Map<?, ?>) data.get(i)).get("n"));
            }
            if (!t.equals("longpoll")) {
                // a long-poll just polls again: its state never leaves connected
                assertTrue(t + " states " + browser.js("return T.states[arguments[0]]", name),
                        ((List<?>) browser.js("return T.states[arguments[0]]", name)).contains("reconnecting"));
            }
            close(name);
        }
    }

    @Test
    public void fallsBackWhenWebSocketIsAbsentAndHotSwapsUnderLiveTraffic() throws Exception {
        // WebSocket gone: a new connection falls back by itself
        dist.shell("feature:uninstall halley-transport-websocket");
        browser.waitFor("WebSocket to be gone", WAIT, () -> !webSocketHandshake());
        open("fallback", null, "bt.fallback");
        assertNotEquals("websocket", transport("fallback"));
        assertEquals(202, dist.publish("bt.fallback", "{\"n\":1}").statusCode());
        browser.waitFor("a message over the fallback", WAIT, () -> count("fallback") >= 1);
        close("fallback");

        dist.shell("feature:install halley-transport-websocket");
        browser.waitFor("WebSocket to be back", 60_000, this::webSocketHandshakeNow);
        String channel = "bt.swap";
        open("swap", null, channel);
        assertEquals("websocket", transport("swap"));

        // a publisher sends steadily (every 10 ms, at most 3,000) while the WebSocket feature is uninstalled under it
        AtomicInteger sent = new AtomicInteger();
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try (Publishers p = new Publishers(dist.openwire, dist.stomp)) {
            java.util.concurrent.ScheduledFuture<?> steady = timer.scheduleAtFixedRate(() -> {
                int n = sent.get() + 1;
                if (n <= 3000) {
                    try {
                        p.jmsText(channel, "{\"n\":" + n + "}");
                        sent.set(n);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, 0, 10, TimeUnit.MILLISECONDS);
            try {
                browser.waitFor("traffic over WebSocket", WAIT, () -> count("swap") >= 50);
                dist.shell("feature:uninstall halley-transport-websocket");
                browser.waitFor("the page to move to another transport", 60_000,
                        () -> !"websocket".equals(transport("swap")) && "connected".equals(browser.js("return T.state('swap')")));
                long after = count("swap");
                browser.waitFor("traffic over " + transport("swap"), WAIT, () -> count("swap") >= after + 50);
            } finally {
                steady.cancel(false);
                timer.shutdown();
                assertTrue(timer.awaitTermination(WAIT, TimeUnit.MILLISECONDS));
            }
        }
        int total = sent.get();
        browser.waitFor("every message published", WAIT, () -> count("swap") >= total);
        List<Object> data = got("swap");
        assertEquals("received " + data.size() + " of " + total, total, data.size());
        for (int i = 0; i < total; i++) {
            assertEquals("at " + i, (long) (i + 1), ((Map<?, ?>) data.get(i)).get("n"));
        }
        close("swap");

        dist.shell("feature:install halley-transport-websocket");
        browser.waitFor("WebSocket to be back", 60_000, this::webSocketHandshakeNow);
        open("next", null, "bt.next");
        assertEquals("websocket", transport("next"));
        close("next");
    }

    @Test
    public void theDemoChatCarriesMessagesBetweenTwoBrowsersAsText() throws Exception {
        Browser alice = new Browser();
        Browser bob = new Browser();
        try {
            for (Browser b : List.of(alice, bob)) {
                b.open(dist.base() + "/halley/demo/");
                b.waitFor("the demo to connect", WAIT, () -> "connected".equals(b.js("return document.getElementById('state').textContent")));
            }
            join(alice, "alice", "lobby");
            join(bob, "bob", "lobby");
            String html = "<b>bold?</b> <img src=x onerror=alert(1)>";
            say(alice, "hello bob");
            say(bob, html);
            for (Browser b : List.of(alice, bob)) {
                b.waitFor("both lines", WAIT, () -> ((Long) b.js("return document.querySelectorAll('#messages li .text').length")) >= 2);
                @SuppressWarnings("unchecked")
                List<String> lines = (List<String>) b.js("return Array.from(document.querySelectorAll('#messages li'))"
                        + ".filter(li => li.querySelector('.text')).map(li => li.querySelector('.nick').textContent + ': '"
                        + " + li.querySelector('.text').textContent)");
                assertEquals(List.of("alice: hello bob", "bob: " + html), lines);
                // shown as text: no element was made of what bob typed
                assertEquals(0L, b.js("return document.querySelectorAll('#messages b, #messages img').length"));
            }
            alice.screenshot("demo-chat-alice");
            bob.screenshot("demo-chat-bob");
        } finally {
            alice.close();
            bob.close();
        }
    }

    private static void join(Browser b, String nick, String room) {
        b.js("document.getElementById('nick').value = arguments[0]; document.getElementById('room').value = arguments[1];"
                + "document.getElementById('join').requestSubmit(); return true;", nick, room);
        b.waitFor(nick + " to join", WAIT, () -> !Boolean.TRUE.equals(b.js("return document.getElementById('text').disabled")));
    }

    private static void say(Browser b, String text) {
        long before = (Long) b.js("return document.querySelectorAll('#messages li .text').length");
        b.js("document.getElementById('text').value = arguments[0]; document.getElementById('send').requestSubmit(); return true;", text);
        b.waitFor("the line to come back", WAIT,
                () -> ((Long) b.js("return document.querySelectorAll('#messages li .text').length")) > before);
    }

    private boolean webSocketHandshakeNow() {
        return webSocketHandshake();
    }

    private static boolean webSocketHandshake() {
        try {
            HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(dist.base().replace("http:", "ws:") + "/halley/ws"), new WebSocket.Listener() { })
                    .get(5, TimeUnit.SECONDS).abort();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static String sessionSubscribedTo(String channel) throws Exception {
        List<String> ids = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(dist.get("/halley/api/sessions").body())) {
            Map<String, Object> s = (Map<String, Object>) o;
            if (((List<Object>) s.get("subscriptions")).contains(channel) && Boolean.TRUE.equals(s.get("connected"))) {
                ids.add((String) s.get("id"));
            }
        }
        assertEquals("one session subscribed to " + channel + ": " + ids, 1, ids.size());
        return ids.get(0);
    }
}
