package io.halley.itests;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import javax.jms.DeliveryMode;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * Parts come and go at runtime: a transport feature is uninstalled and installed again
 * while the other transport keeps serving and nothing is lost; the broker restarts,
 * keeps its persistent messages, and the hub reconnects to it by itself.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapTest extends HalleyTestSupport {

    private static final long WAIT = 30_000;

    private HttpResponse<String> publish(String channel, String json) throws Exception {
        return post("/halley/api/channels/" + channel + "/messages", "application/json", json);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(HttpResponse<String> r) {
        return (List<Map<String, Object>>) (List<?>) Json.object(r.body()).get("messages");
    }

    @Test
    public void transportFeatureUninstallsAndInstallsAtRuntimeWithNothingLost() throws Exception {
        waitForStatus("/halley/sse", 400, 60_000);
        waitForStatus("/halley/api/channels", 200, 60_000);
        String channel = "it.swap";
        String cursor = (String) Json.object(get("/halley/poll?subscribe=" + channel + "&timeout=1").body()).get("cursor");
        String session;
        SseStream stream = new SseStream(http, uri("/halley/sse?subscribe=" + channel), Map.of());
        try {
            SseStream.Event connected = stream.next(WAIT);
            session = (String) connected.json().get("session");
            assertEquals(202, publish(channel, "{\"n\":1}").statusCode());
            assertEquals("1", stream.messages(1, WAIT).get(0).id());

            features.uninstallFeature("halley-transport-sse", EnumSet.noneOf(org.apache.karaf.features.FeaturesService.Option.class));
            waitFor("the SSE stream to end", WAIT, stream::ended);
        } finally {
            stream.close();
        }
        waitForStatus("/halley/sse", 404, WAIT);
        assertTrue(!features.isInstalled(features.getFeature("halley-transport-sse")));

        // long-polling goes on without SSE
        assertEquals(202, publish(channel, "{\"n\":2}").statusCode());
        assertEquals(202, publish(channel, "{\"n\":3}").statusCode());
        List<Map<String, Object>> m = new java.util.ArrayList<>();
        while (m.size() < 3) {
            HttpResponse<String> polled = get("/halley/poll?timeout=20000&cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            assertEquals(polled.body(), 200, polled.statusCode());
            List<Map<String, Object>> batch = messages(polled);
            assertTrue("a poll answered empty before the timeout", !batch.isEmpty());
            m.addAll(batch);
            cursor = (String) Json.object(polled.body()).get("cursor");
        }
        assertEquals(3, m.size());
        assertEquals(List.of(1L, 2L, 3L), m.stream().map(x -> x.get("seq")).toList());
        assertEquals(Map.of("n", 3L), m.get(2).get("data"));

        features.installFeature("halley-transport-sse", EnumSet.noneOf(org.apache.karaf.features.FeaturesService.Option.class));
        waitForStatus("/halley/sse", 400, WAIT);
        // the SSE session outlived its transport: it resumes with what was published meanwhile
        try (SseStream back = new SseStream(http, uri("/halley/sse?session=" + session), Map.of("Last-Event-ID", "1"))) {
            Map<String, Object> c = back.next(WAIT).json();
            assertEquals(true, c.get("resumed"));
            List<SseStream.Event> got = back.messages(2, WAIT);
            assertEquals(List.of("2", "3"), got.stream().map(SseStream.Event::id).toList());
        }
    }

    @Test
    public void brokerRestartKeepsPersistentMessagesAndTheHubReconnects() throws Exception {
        waitForStatus("/halley/api/channels", 200, 60_000);
        waitForStatus("/halley/sse", 400, 60_000);
        int openwire = openwirePort();
        // a durable subscription on a channel (queues are the broker's own, not clients')
        javax.jms.Connection durable = durableConnection(openwire);
        try {
            Session s = durable.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createDurableSubscriber(s.createTopic("it.persistent"), "kept").close();
            MessageProducer producer = s.createProducer(s.createTopic("it.persistent"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(s.createTextMessage("kept across a restart"));
        } finally {
            durable.close();
        }
        try (SseStream stream = new SseStream(http, uri("/halley/sse?subscribe=it.restart"), Map.of())) {
            stream.next(WAIT);
            Bundle broker = bundle("io.halley.broker");
            broker.stop();
            waitFor("publishing to be refused", WAIT, () -> status(() -> publish("it.restart", "{}")) == 503);
            broker.start();
            waitFor("publishing to be accepted again", WAIT, () -> status(() -> publish("it.restart", "{\"back\":true}")) == 202);
            SseStream.Event e = stream.messages(1, WAIT).get(0);
            assertEquals(Map.of("back", true), e.json().get("data"));
        }
        durable = durableConnection(openwire);
        try {
            Session s = durable.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createDurableSubscriber(s.createTopic("it.persistent"), "kept");
            TextMessage m = (TextMessage) consumer.receive(WAIT);
            assertNotNull("the persistent message survived the broker restart", m);
            assertEquals("kept across a restart", m.getText());
        } finally {
            durable.close();
        }
    }

    private static javax.jms.Connection durableConnection(int openwire) throws javax.jms.JMSException {
        javax.jms.Connection c = new org.apache.activemq.ActiveMQConnectionFactory("tcp://127.0.0.1:" + openwire)
                .createConnection();
        c.setClientID("it-durable");
        c.start();
        return c;
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private interface Call {
        HttpResponse<String> call() throws Exception;
    }

    private static int status(Call c) {
        try {
            return c.call().statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
