package io.halley.broker.internal;

import static io.halley.broker.internal.TestBrokers.TIMEOUT_MS;
import static io.halley.broker.internal.TestBrokers.config;
import static io.halley.broker.internal.TestBrokers.embedded;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.MessageProducer;
import javax.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * ActiveMQ's own STOMP-over-WebSocket connector (wsPort): off by default; when on, a STOMP 1.2 client over the
 * JDK's WebSocket (subprotocol v12.stomp, frames written by hand) gets what a JMS client publishes.
 */
public class StompWebSocketTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private BrokerRunner runner;
    private Connection connection;
    private WebSocket socket;

    @After
    public void stopEverything() throws Exception {
        if (socket != null) {
            socket.abort();
        }
        if (connection != null) {
            connection.close();
        }
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    public void offByDefault() throws Exception {
        runner = start(embedded("ws-off", folder.newFolder()));
        assertNull(runner.connectUri("ws"));
        assertEquals(0, config(Map.of()).wsPort());
    }

    @Test
    public void stompOverWebSocketClientReceivesJmsPublish() throws Exception {
        Map<String, Object> properties = embedded("ws-on", folder.newFolder());
        properties.put("wsPort", TestBrokers.freePort());
        runner = start(properties);
        URI ws = runner.connectUri("ws");
        assertNotNull("ws connector started", ws);
        // ActiveMQ reports the bound address by name (localhost); the client below connects to 127.0.0.1

        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        StringBuilder partial = new StringBuilder();
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("v12.stomp")
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + ws.getPort() + "/"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        assertEquals("v12.stomp", socket.getSubprotocol());

        socket.sendText("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0", true).get(10, TimeUnit.SECONDS);
        String connected = frames.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertNotNull("CONNECTED", connected);
        assertTrue(connected, connected.startsWith("CONNECTED\n"));
        assertTrue(connected, connected.contains("version:1.2"));

        socket.sendText("SUBSCRIBE\nid:0\ndestination:/topic/x\nack:auto\nreceipt:sub-0\n\n\0", true)
                .get(10, TimeUnit.SECONDS);
        String receipt = frames.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertNotNull("RECEIPT", receipt);
        assertTrue(receipt, receipt.startsWith("RECEIPT\n") && receipt.contains("receipt-id:sub-0"));

        connection = new ActiveMQConnectionFactory(runner.connectUri("tcp")).createConnection();
        connection.start();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createTopic("x"));
        producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        producer.send(session.createTextMessage("{\"hello\":\"ws\"}"));

        String message = frames.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertNotNull("MESSAGE", message);
        assertTrue(message, message.startsWith("MESSAGE\n"));
        assertTrue(message, message.contains("destination:/topic/x"));
        assertTrue(message, message.contains("\n\n{\"hello\":\"ws\"}\0"));
    }

    private static BrokerRunner start(Map<String, Object> properties) throws Exception {
        BrokerRunner r = new BrokerRunner(config(properties), new File((String) properties.get("dataDirectory")));
        r.start();
        return r;
    }
}
