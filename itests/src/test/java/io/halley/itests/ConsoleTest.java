package io.halley.itests;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The admin console (issue 5) in a real headless Chromium against the real distribution,
 * booted once for the class: login refused and accepted, a live SSE subscriber on the
 * dashboard and in Sessions, a rule added in the console taking effect on a real
 * subscriber, a session closed from the console, a test message from the console reaching
 * a real subscriber and in the channel's recent messages, markup in user-supplied text
 * shown as text, a transport uninstalled
 * and installed from the console, the metrics, and the console itself uninstalled and
 * installed again under live messaging. Screenshots of each view go to
 * {@code target/screenshots/console-*.png}.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ConsoleTest {

    private static final long WAIT = 30_000;

    private static Distribution dist;
    private static Browser browser;
    private static HttpClient http;

    @BeforeClass
    public static void boot() throws Exception {
        dist = new Distribution("console-test");
        // a valid realm user without the admin role; Karaf's properties realm reads the file at each login
        Files.writeString(dist.home.resolve("etc/users.properties"), "\nopal = opalpw,viewer\n",
                StandardOpenOption.APPEND);
        // the operator lets anonymous clients publish to ct.probe only; ct.granted.> is closed until the console opens it
        dist.addRules("ct.probe", "ctprobe allow anonymous ct.probe publish");
        http = SseStream.client();
        browser = new Browser();
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

    // ------------------------------------------------------------------ page helpers

    private static String console() {
        return dist.base() + "/halley/console/";
    }

    /** Waits until Vaadin has no request in flight, so that what the page shows is what the server said. */
    private static void settle() {
        browser.waitFor("Vaadin to settle", WAIT, () -> Boolean.TRUE.equals(browser.js(
                "return !!window.vaadin && Object.values(window.vaadin.clients).length > 0"
                        + " && Object.values(window.vaadin.clients).every(c => !c.isActive())")));
    }

    private static boolean present(String id) {
        return !browser.driver().findElements(By.id(id)).isEmpty();
    }

    private static String text(String id) {
        List<WebElement> found = browser.driver().findElements(By.id(id));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private static void waitForText(String id, String part) {
        browser.waitFor("#" + id + " to show '" + part + "' (shows '" + text(id) + "')", WAIT,
                () -> text(id).contains(part));
    }

    private static void type(String id, String value) {
        WebElement e = browser.driver().findElement(By.cssSelector("#" + id + ", #" + id + " input, #" + id + " textarea"));
        if (!e.getTagName().equals("input") && !e.getTagName().equals("textarea")) {
            e = browser.driver().findElement(By.cssSelector("#" + id + " input, #" + id + " textarea"));
        }
        e.clear();
        e.sendKeys(value);
    }

    /** Vaadin marks a disabled button with a class, not with the disabled attribute of a form element. */
    private static boolean enabled(String id) {
        return !browser.driver().findElement(By.id(id)).getAttribute("class").contains("v-disabled");
    }

    private static void click(String id) {
        browser.driver().findElement(By.id(id)).click();
        settle();
    }

    /** Clicks the grid's cell that shows exactly this text. */
    private static void clickCell(String gridId, String cellText) {
        By cell = By.xpath("//*[@id='" + gridId + "']//td[normalize-space(.)=" + xpathLiteral(cellText) + "]");
        browser.waitFor("a cell '" + cellText + "' in #" + gridId, WAIT,
                () -> !browser.driver().findElements(cell).isEmpty());
        browser.driver().findElement(cell).click();
        settle();
    }

    /**
     * Clicks the cell until the fact holds: a grid that refreshes (every second, while its
     * figures move) may replace its rows between finding a cell and clicking it, and the
     * server then ignores a click on a row it no longer has.
     */
    private static void clickCellUntil(String gridId, String cellText, String what, java.util.function.BooleanSupplier fact) {
        long deadline = System.currentTimeMillis() + WAIT;
        while (true) {
            try {
                clickCell(gridId, cellText);
            } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
                // the row went under the click: once more
            }
            try {
                browser.waitFor(what, 2_000, fact);
                return;
            } catch (AssertionError notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet;
                }
            }
        }
    }

    private static String xpathLiteral(String s) {
        return s.contains("'") ? "\"" + s + "\"" : "'" + s + "'";
    }

    private static void logIn(String user, String password) {
        browser.open(console());
        browser.waitFor("the console to load", WAIT, () -> present("login-user") || present("console-user"));
        settle();
        if (present("console-user")) {
            click("logout");
            browser.waitFor("the login form", WAIT, () -> present("login-user"));
        }
        type("login-user", user);
        type("login-password", password);
        click("login-button");
    }

    private static void logInAsAdmin() {
        if (!present("console-user")) {
            logIn("admin", "admin");
            browser.waitFor("the admin to be in", WAIT, () -> present("console-user"));
        }
    }

    private static void view(String name) {
        logInAsAdmin();
        click("nav-" + name);
        browser.waitFor("the " + name + " view", WAIT,
                () -> browser.driver().findElement(By.id("nav-" + name)).getAttribute("class").contains("halley-current"));
    }

    private static SseStream subscribe(String channel) {
        return new SseStream(http, URI.create(dist.base() + "/halley/sse?subscribe=" + channel), Map.of());
    }

    /** The session id of a fresh SSE stream, from its connected event. */
    private static String connected(SseStream sse) throws Exception {
        assertEquals(200, sse.response().statusCode());
        SseStream.Event e = sse.next(WAIT);
        assertEquals("connected", e.event());
        return (String) e.json().get("session");
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void t1_loginIsRefusedToStrangersAndToUsersWithoutTheRoleAndAcceptedForAnAdmin() throws Exception {
        logIn("admin", "wrong");
        waitForText("login-error", "authentication failed");
        logIn("nobody", "admin");
        waitForText("login-error", "authentication failed");
        logIn("opal", "opalpw");
        waitForText("login-error", "you need the role halley-admin");
        assertFalse(present("console-user"));
        browser.screenshot("console-login-refused");

        logIn("admin", "admin");
        browser.waitFor("the console after login", WAIT, () -> present("console-user"));
        assertEquals("user:admin", text("console-user"));
        click("logout");
        browser.waitFor("the login form after logout", WAIT, () -> present("login-user"));
        waitForText("login-error", "logged out");
        // the page again, once logged out: still the login form, the views are gone
        browser.open(console() + "#!sessions");
        browser.waitFor("the login form on a fresh page", WAIT, () -> present("login-user"));
        assertFalse(present("sessions-grid"));
    }

    @Test
    public void t2_aLiveSseSubscriberShowsOnTheDashboardAndInSessions() throws Exception {
        try (SseStream sse = subscribe("demo.console.live")) {
            String session = connected(sse);
            view("dashboard");
            waitForText("dash-transports", "sse: ");
            browser.waitFor("the dashboard to count the session", WAIT,
                    () -> !text("dash-sessions").equals("–") && Integer.parseInt(text("dash-sessions")) >= 1);
            waitForText("dash-broker", "halley: running");
            // messages until the dashboard shows them flowing in and out, so that the chart has something to draw
            long deadline = System.currentTimeMillis() + WAIT;
            int sent = 0;
            while (text("dash-in").equals("0.0") || text("dash-out").equals("0.0")) {
                assertTrue("the dashboard's rates stayed 0 while messages flowed", System.currentTimeMillis() < deadline);
                assertEquals(202, dist.publish("demo.console.live", "{\"n\":" + sent++ + "}").statusCode());
            }
            assertEquals(sent, sse.messages(sent, WAIT).size());
            assertEquals(2L, browser.js("return document.querySelectorAll('#dash-chart svg polyline').length"));
            browser.screenshot("console-dashboard");

            view("sessions");
            type("sessions-filter", session);
            waitForText("sessions-count", "1 of");
            clickCellUntil("sessions-grid", session, "the session selected",
                    () -> enabled("sessions-disconnect"));
            String row = browser.driver().findElement(By.xpath(
                    "//*[@id='sessions-grid']//tr[td[normalize-space(.)='" + session + "']]")).getText();
            assertTrue(row, row.contains("anonymous") && row.contains("sse") && row.contains("127.0.0.1")
                    && row.contains("demo.console.live"));
            browser.screenshot("console-sessions");
        }
    }

    @Test
    public void t3_aRuleAddedInTheConsoleTakesEffectOnARealSubscriber() throws Exception {
        try (SseStream refused = subscribe("ct.granted.news")) {
            assertEquals(403, refused.response().statusCode());
        }
        view("permissions");
        type("rule-principal", "anonymous");
        type("rule-pattern", "ct.granted.>");
        browser.driver().findElement(By.xpath("//*[@id='rule-permissions']//label[text()='subscribe']")).click();
        click("rule-add");
        waitForText("rule-result", "added ");
        String added = text("rule-result");
        assertTrue(added, added.endsWith("allow anonymous ct.granted.> subscribe"));

        try (SseStream sse = subscribe("ct.granted.news")) {
            connected(sse);
            assertEquals(202, dist.publish("ct.granted.news", "{\"n\":\"granted\"}").statusCode());
            SseStream.Event m = sse.messages(1, WAIT).get(0);
            assertEquals(Map.of("n", "granted"), m.json().get("data"));
        }

        type("check-user", "anonymous");
        type("check-channel", "ct.granted.news");
        click("check-button");
        waitForText("check-result", "ALLOWED");
        String ruleId = added.substring("added ".length(), added.indexOf(':'));
        assertTrue(text("check-result"), text("check-result").contains("by rule " + ruleId));

        // a principal with markup in it is a valid user name: it must show as the text it is
        clickButtonToClear();
        type("rule-principal", "user:<b>eve</b>");
        type("rule-pattern", "ct.eve");
        browser.driver().findElement(By.xpath("//*[@id='rule-permissions']//label[text()='publish']")).click();
        click("rule-add");
        waitForText("rule-result", "user:<b>eve</b>");
        browser.waitFor("the rule in the grid", WAIT, () -> !browser.driver().findElements(
                By.xpath("//*[@id='rules-grid']//td[normalize-space(.)='user:<b>eve</b>']")).isEmpty());
        assertEquals(0L, browser.js("return document.querySelectorAll('#rules-grid b, #rule-result b').length"));
        browser.screenshot("console-permissions");
    }

    private static void clickButtonToClear() {
        click("rule-clear");
    }

    @Test
    public void t4_aSessionClosedFromTheConsoleIsClosed() throws Exception {
        try (SseStream sse = subscribe("demo.console.close")) {
            String session = connected(sse);
            view("sessions");
            type("sessions-filter", session);
            waitForText("sessions-count", "1 of");
            clickCellUntil("sessions-grid", session, "the session selected",
                    () -> enabled("sessions-close"));
            click("sessions-close");
            waitForText("sessions-result", "closed " + session);
            SseStream.Event close = sse.next(WAIT);
            assertEquals("close", close.event());
            assertEquals("closed_by_admin", close.json().get("reason"));
            browser.waitFor("the stream to end", WAIT, sse::ended);
            waitForText("sessions-count", "0 of");
        }
    }

    @Test
    public void t5_aTestMessagePublishedFromTheConsoleReachesARealSubscriberAndShowsAsText() throws Exception {
        try (SseStream sse = subscribe("demo.console.pub")) {
            String session = connected(sse);
            view("channels");
            type("publish-channel", "demo.console.pub");
            type("publish-body", "<b>x</b>");
            browser.driver().findElement(By.xpath("//*[@id='publish-type']//label[text()='text']")).click();
            click("publish-button");
            waitForText("publish-result", "published ID:");
            String published = text("publish-result").substring("published ".length(),
                    text("publish-result").indexOf(" to "));
            SseStream.Event m = sse.messages(1, WAIT).get(0);
            assertEquals("<b>x</b>", m.json().get("data"));
            // shown in the console's log of what it sent as the text it is, not as bold markup
            browser.waitFor("the sent log", WAIT, () -> browser.driver().findElements(
                    By.xpath("//*[@id='publish-log']//td[normalize-space(.)='<b>x</b>']")).size() == 1);
            assertEquals(0L, browser.js("return document.querySelectorAll('#publish-log b').length"));

            type("channels-filter", "demo.console.pub");
            waitForText("channels-count", "1 of");
            clickCellUntil("channels-grid", "demo.console.pub", "the channel's subscribers",
                    () -> text("channels-subscribers-caption").contains("Subscribers of demo.console.pub: 1"));
            clickCell("channels-subscribers", session);
            // the channel's history as the hub holds it: the text message is the JSON string of
            // the body, shown as the text it is, not as bold markup
            waitForText("channels-recent-caption", "Recent messages of demo.console.pub");
            browser.waitFor("the message in the recent messages", WAIT, () -> browser.driver().findElements(
                    By.xpath("//*[@id='channels-recent']//td[normalize-space(.)='\"<b>x</b>\"']")).size() == 1);
            waitForText("channels-recent-caption", "newest first): 1");
            List<String> cells = browser.driver().findElements(By.xpath(
                    "//*[@id='channels-recent']//tr[td[normalize-space(.)='\"<b>x</b>\"']]/td")).stream()
                    .map(WebElement::getText).toList();
            assertEquals(cells.toString(), 4, cells.size());
            assertEquals("1", cells.get(0));
            assertTrue(cells.toString(), cells.get(1).matches("\\d\\d:\\d\\d:\\d\\d"));
            assertEquals(published, cells.get(2));
            assertEquals(0L, browser.js("return document.querySelectorAll('#channels-recent b').length"));
            browser.js("document.getElementById('channels-subscribers-caption').scrollIntoView()");
            browser.screenshot("console-channels");
            browser.js("document.getElementById('publish-log').scrollIntoView()");
            browser.screenshot("console-channels-publish");
        }
    }

    @Test
    public void t6_theRealmAndTheFeaturesViewsAndATransportUninstalledAndInstalledAgain() throws Exception {
        view("realm");
        waitForText("realm-name", "JAAS realm halley");
        waitForText("realm-health", "answers");
        type("realm-user", "opal");
        click("realm-lookup");
        waitForText("realm-result", "opal: roles [viewer]");
        browser.screenshot("console-realm");

        view("features");
        clickCellUntil("features-grid", "halley-transport-longpoll", "the uninstall button",
                () -> enabled("feature-uninstall"));
        click("feature-uninstall");
        waitForText("feature-status", "uninstalled halley-transport-longpoll");
        browser.waitFor("/halley/poll to go", WAIT, () -> dist.status("/halley/poll") == 404);
        clickCellUntil("features-grid", "halley-transport-longpoll", "the install button",
                () -> enabled("feature-install"));
        click("feature-install");
        waitForText("feature-status", "installed halley-transport-longpoll");
        browser.waitFor("/halley/poll to come back", WAIT, () -> dist.status("/halley/poll") == 400);
        browser.screenshot("console-features");
        assertTrue(Files.readString(dist.home.resolve("data/log/karaf.log"))
                .contains("feature: installed halley-transport-longpoll (by user:admin via console)"));
    }

    @Test
    public void t7_metricsInThePrometheusTextFormat() throws Exception {
        HttpResponse<String> r = dist.get("/halley/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""), r.headers().firstValue("Content-Type")
                .orElse("").startsWith("text/plain; version=0.0.4"));
        for (String line : List.of("halley_hub_up 1", "halley_auth_up 1", "halley_broker_up 1")) {
            assertTrue(line + " in\n" + r.body(), r.body().lines().anyMatch(line::equals));
        }
        assertTrue(r.body(), r.body().contains("\nhalley_hub_messages_received_total "));
        assertTrue(r.body(), r.body().contains("\nhalley_broker_connections{connector=\"tcp\"} "));
    }

    @Test
    public void t8_theConsoleIsUninstalledAndInstalledAgainWithoutDisturbingMessaging() throws Exception {
        String log = Files.readString(dist.home.resolve("data/log/karaf.log"));
        for (String audit : List.of("acl: added ", "session: closed ", "publish: published ")) {
            // karaf.log names the logger io.halley.audit by its last part
            assertTrue(audit + " in the audit log", log.lines().anyMatch(l -> l.contains("| audit ")
                    && l.contains(audit) && l.endsWith("(by user:admin via console)")));
        }
        try (SseStream sse = subscribe("demo.console.hot")) {
            connected(sse);
            assertEquals(202, dist.publish("demo.console.hot", "{\"n\":1}").statusCode());
            assertEquals("1", sse.messages(1, WAIT).get(0).id());
            dist.shell("feature:uninstall halley-console");
            browser.waitFor("the console to go", WAIT, () -> dist.status("/halley/console/") == 404);
            assertEquals(202, dist.publish("demo.console.hot", "{\"n\":2}").statusCode());
            dist.shell("feature:install halley-console");
            browser.waitFor("the console to come back", 60_000, () -> dist.status("/halley/console/") == 200);
            assertEquals(202, dist.publish("demo.console.hot", "{\"n\":3}").statusCode());
            List<SseStream.Event> after = sse.messages(2, WAIT);
            assertEquals(List.of("2", "3"), after.stream().map(SseStream.Event::id).toList());
            assertFalse(sse.ended());
        }
        logIn("admin", "admin");
        browser.waitFor("the admin to be in the reinstalled console", WAIT, () -> present("console-user"));
    }

    @Test
    public void t9_anIdleLoginEndsAfterTheConfiguredTimeoutAlthoughThePageRefreshes() throws Exception {
        java.nio.file.Path cfg = dist.home.resolve("etc/io.halley.console.cfg");
        String shipped = Files.readString(cfg);
        Files.writeString(cfg, shipped + "\nsessionTimeout = 3\n");
        try {
            // the console applies its configuration without a restart: wait until it did, by logging in again
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                try {
                    // a configuration change re-registers the servlet (its service properties
                    // change): a page loaded meanwhile may fail to load, so each round starts anew
                    logIn("admin", "admin");
                    browser.waitFor("the admin to be in", WAIT, () -> present("console-user"));
                    click("nav-sessions");
                    browser.waitFor("the idle logout", 10_000, () -> text("login-error").contains("without activity"));
                    break;
                } catch (AssertionError | RuntimeException notYet) {
                    assertTrue("the new sessionTimeout did not apply", System.currentTimeMillis() < deadline);
                }
            }
            assertEquals("logged out after 3 seconds without activity", text("login-error"));
        } finally {
            Files.writeString(cfg, shipped);
        }
    }
}
