package io.halley.broker.internal;

import static io.halley.broker.internal.TestBrokers.TIMEOUT_MS;
import static io.halley.broker.internal.TestBrokers.config;
import static io.halley.broker.internal.TestBrokers.embedded;
import static io.halley.broker.internal.TestBrokers.receiveChannelMessage;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;
import javax.jms.Topic;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQDestination;
import org.apache.activemq.command.ActiveMQTopic;
import org.apache.activemq.network.NetworkConnector;
import org.apache.activemq.transport.stomp.Stomp;
import org.apache.activemq.transport.stomp.StompConnection;
import org.apache.activemq.transport.stomp.StompFrame;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BrokerRunnerTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final List<BrokerRunner> runners = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private final List<StompConnection> stomps = new ArrayList<>();

    @After
    public void closeEverything() throws Exception {
        for (StompConnection stomp : stomps) {
            try {
                stomp.close();
            } catch (Exception ignored) {
                // the broker may have closed it already
            }
        }
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // its broker may be gone already
            }
        }
        // newest first: a broker with network connectors goes before the brokers it bridges to
        for (int i = runners.size() - 1; i >= 0; i--) {
            runners.get(i).stop();
        }
    }

    @Test
    public void openWirePublishToChannelTopicReachesWildcardConsumer() throws Exception {
        BrokerRunner runner = start(embedded("openwire", folder.newFolder()));
        Connection connection = open(new ActiveMQConnectionFactory(runner.connectUri("tcp")));
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = session.createConsumer(session.createTopic(">"));

        Topic news = session.createTopic("demo.news");
        session.createProducer(news).send(session.createTextMessage("{\"headline\":\"hello\"}"));

        Message received = receiveChannelMessage(all, TIMEOUT_MS);
        assertNotNull("nothing reached the consumer on >", received);
        assertEquals("demo.news", ((Topic) received.getJMSDestination()).getTopicName());
        assertEquals("{\"headline\":\"hello\"}", ((TextMessage) received).getText());
    }

    @Test
    public void wildcardDurableSubscriptionCatchesUpAfterBeingOffline() throws Exception {
        BrokerRunner runner = start(embedded("durable", folder.newFolder()));
        ActiveMQConnectionFactory factory = runner.connectionFactory();

        Connection hub = factory.createConnection();
        connections.add(hub);
        hub.setClientID("halley-hub");
        Session hubSession = hub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        hubSession.createDurableSubscriber(hubSession.createTopic(">"), "hub").close();
        hub.close();

        Connection publisher = open(new ActiveMQConnectionFactory(runner.connectUri("tcp")));
        Session session = publisher.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createTopic("demo.news"));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        producer.send(session.createTextMessage("while you were away"));

        hub = factory.createConnection();
        connections.add(hub);
        hub.setClientID("halley-hub");
        hubSession = hub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        hub.start();
        MessageConsumer consumer = hubSession.createDurableSubscriber(hubSession.createTopic(">"), "hub");
        Message received = receiveChannelMessage(consumer, TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("demo.news", ((Topic) received.getJMSDestination()).getTopicName());
        assertEquals("while you were away", ((TextMessage) received).getText());
    }

    @Test
    public void stomp10SendReachesJmsConsumer() throws Exception {
        assertStompSendReachesJms("stomp10", "CONNECT\nlogin:x\npasscode:y\n\n", null);
    }

    @Test
    public void stomp12SendReachesJmsConsumer() throws Exception {
        assertStompSendReachesJms("stomp12", "CONNECT\naccept-version:1.0,1.1,1.2\nhost:localhost\n\n", "1.2");
    }

    private void assertStompSendReachesJms(String name, String connectFrame, String expectedVersion)
            throws Exception {
        BrokerRunner runner = start(embedded(name, folder.newFolder()));
        // the in-VM factory is what Halley's hub gets from the service registry
        Connection connection = open(runner.connectionFactory());
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = session.createConsumer(session.createTopic(">"));

        StompConnection stomp = stomp(runner);
        stomp.sendFrame(connectFrame + Stomp.NULL);
        StompFrame connected = stomp.receive(TIMEOUT_MS);
        assertEquals("CONNECTED", connected.getAction());
        if (expectedVersion != null) {
            assertEquals(expectedVersion, connected.getHeaders().get("version"));
        }
        stomp.sendFrame("SEND\ndestination:/topic/demo.news\nreceipt:1\n\nhello from " + name + Stomp.NULL);
        StompFrame receipt = stomp.receive(TIMEOUT_MS);
        assertEquals("RECEIPT", receipt.getAction());

        Message received = receiveChannelMessage(all, TIMEOUT_MS);
        assertNotNull("the STOMP message did not reach JMS", received);
        assertEquals("demo.news", ((Topic) received.getJMSDestination()).getTopicName());
        assertEquals("hello from " + name, ((TextMessage) received).getText());
    }

    @Test
    public void persistentQueueMessageSurvivesRestart() throws Exception {
        File data = folder.newFolder();
        Map<String, Object> properties = embedded("persistent", data);
        BrokerRunner first = start(properties);
        Connection connection = open(new ActiveMQConnectionFactory(first.connectUri("tcp")));
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createQueue("halley.test"));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        producer.send(session.createTextMessage("kept"));
        connection.close();
        first.stop();
        assertTrue("no KahaDB store under the data directory", new File(data, "kahadb").isDirectory());

        BrokerRunner second = start(properties);
        connection = open(second.connectionFactory());
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        connection.start();
        Message received = session.createConsumer(session.createQueue("halley.test")).receive(TIMEOUT_MS);
        assertNotNull("the persistent message was lost in the restart", received);
        assertEquals("kept", ((TextMessage) received).getText());
    }

    @Test
    public void oversizedStompFramesAreRefusedAndTheBrokerServesOthers() throws Exception {
        Map<String, Object> properties = embedded("frames", folder.newFolder());
        properties.put("maxFrameSize", 4096);
        BrokerRunner runner = start(properties);
        Connection connection = open(runner.connectionFactory());
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = session.createConsumer(session.createTopic(">"));
        char[] big = new char[8192];
        Arrays.fill(big, 'x');
        String body = new String(big);

        // announced by content-length: refused before the body is read
        StompConnection announced = connectedStomp(runner);
        announced.sendFrame("SEND\ndestination:/topic/demo.big\ncontent-length:" + big.length + "\n\n" + body
                + Stomp.NULL);
        assertEquals("ERROR", announced.receive(TIMEOUT_MS).getAction());

        // not announced: refused once the body grows past the limit
        StompConnection unannounced = connectedStomp(runner);
        unannounced.sendFrame("SEND\ndestination:/topic/demo.big\n\n" + body + Stomp.NULL);
        assertEquals("ERROR", unannounced.receive(TIMEOUT_MS).getAction());

        StompConnection polite = connectedStomp(runner);
        polite.sendFrame("SEND\ndestination:/topic/demo.small\nreceipt:1\n\nsmall" + Stomp.NULL);
        assertEquals("RECEIPT", polite.receive(TIMEOUT_MS).getAction());

        Message received = receiveChannelMessage(all, TIMEOUT_MS);
        assertNotNull(received);
        // had either big frame got through, it would have come first
        assertEquals("demo.small", ((Topic) received.getJMSDestination()).getTopicName());
        assertEquals("small", ((TextMessage) received).getText());
    }

    @Test
    public void openWireRefusesFramesFarBeyondTheLimitButTakesAFullSizedBody() throws Exception {
        Map<String, Object> properties = embedded("openwire-frames", folder.newFolder());
        properties.put("maxFrameSize", 4096);
        BrokerRunner runner = start(properties);
        Connection hub = open(runner.connectionFactory());
        MessageConsumer all = hub.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(
                new ActiveMQTopic(">"));
        Connection connection = open(new ActiveMQConnectionFactory(runner.connectUri("tcp")));
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createTopic("demo.news"));

        char[] huge = new char[4096 + BrokerRunner.OPENWIRE_HEADROOM + 1];
        Arrays.fill(huge, 'x');
        assertThrows(JMSException.class, () -> producer.send(session.createTextMessage(new String(huge))));

        Connection other = open(new ActiveMQConnectionFactory(runner.connectUri("tcp")));
        Session otherSession = other.createSession(false, Session.AUTO_ACKNOWLEDGE);
        char[] full = new char[4096];
        Arrays.fill(full, 'y');
        otherSession.createProducer(otherSession.createTopic("demo.news"))
                .send(otherSession.createTextMessage(new String(full)));
        Message received = receiveChannelMessage(all, TIMEOUT_MS);
        assertNotNull(received);
        assertEquals(new String(full), ((TextMessage) received).getText());
    }

    @Test
    public void externalModeStartsNoBrokerAndConnectsToTheUrl() throws Exception {
        BrokerRunner target = start(embedded("target", folder.newFolder()));
        Map<String, Object> properties = new HashMap<>();
        properties.put("mode", "external");
        properties.put("externalUrl", "failover:(" + target.connectUri("tcp") + ")?maxReconnectAttempts=0");
        BrokerRunner external = start(properties);
        assertNull(external.connectUri("tcp"));

        Connection connection = open(external.connectionFactory());
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = session.createConsumer(session.createTopic(">"));
        session.createProducer(session.createTopic("demo.news")).send(session.createTextMessage("via external"));
        Message received = receiveChannelMessage(all, TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("via external", ((TextMessage) received).getText());
    }

    @Test
    public void externalModeWithoutUrlIsRefused() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("mode", "external");
        assertThrows(IllegalArgumentException.class, () -> new BrokerRunner(config(properties), null));
        properties.put("mode", "sideways");
        assertThrows(IllegalArgumentException.class, () -> new BrokerRunner(config(properties), null));
    }

    @Test
    public void portZeroDisablesAConnectorAndPersistenceCanBeOff() throws Exception {
        Map<String, Object> properties = embedded("nostomp", folder.newFolder());
        properties.put("stompPort", 0);
        properties.put("persistent", false);
        properties.put("useJmx", false);
        BrokerRunner runner = start(properties);
        assertNull(runner.connectUri("stomp"));
        URI openwire = runner.connectUri("tcp");
        assertTrue(openwire.getHost(), InetAddress.getByName(openwire.getHost()).isLoopbackAddress());
        assertEquals(((Integer) properties.get("openwirePort")).intValue(), openwire.getPort());
    }

    @Test
    public void networkedBrokersForwardChannelMessages() throws Exception {
        BrokerRunner upstream = start(embedded("upstream", folder.newFolder()));
        Map<String, Object> properties = embedded("downstream", folder.newFolder());
        // two connectors to the same broker: both must get names of their own to start
        properties.put("networkConnectors", new String[] {
            "static:(" + upstream.connectUri("tcp") + ")?network.networkTTL=2",
            "static:(" + upstream.connectUri("tcp") + ")?network.decreaseNetworkConsumerPriority=true"});
        BrokerRunner downstream = start(properties);
        List<NetworkConnector> connectors = downstream.broker().getNetworkConnectors();
        assertEquals(2, connectors.size());
        assertEquals("downstream-network-0", connectors.get(0).getName());
        assertEquals(2, connectors.get(0).getNetworkTTL());
        assertTrue(connectors.get(1).isDecreaseNetworkConsumerPriority());

        // a network connector forwards one way, from its own broker to the remote one
        Connection hub = open(upstream.connectionFactory());
        Session hubSession = hub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = hubSession.createConsumer(hubSession.createTopic("demo.>"));

        Connection publisher = open(downstream.connectionFactory());
        Session session = publisher.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createTopic("demo.news"));
        // the bridge forwards only once the consumer's demand has crossed it: publish
        // until one arrives rather than guess how long that takes
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        Message received = null;
        while (received == null && System.currentTimeMillis() < deadline) {
            producer.send(session.createTextMessage("across"));
            received = receiveChannelMessage(all, 200);
        }
        assertNotNull("nothing crossed the network connector", received);
        assertEquals("demo.news", ((ActiveMQDestination) received.getJMSDestination()).getPhysicalName());
        assertEquals("across", ((TextMessage) received).getText());
    }

    private BrokerRunner start(Map<String, Object> properties) throws Exception {
        BrokerRunner runner = new BrokerRunner(config(properties),
                properties.containsKey("dataDirectory") ? new File((String) properties.get("dataDirectory")) : null);
        runners.add(runner);
        runner.start();
        return runner;
    }

    private Connection open(javax.jms.ConnectionFactory factory) throws JMSException {
        Connection connection = factory.createConnection();
        connections.add(connection);
        connection.start();
        return connection;
    }

    private StompConnection stomp(BrokerRunner runner) throws Exception {
        URI uri = runner.connectUri("stomp");
        StompConnection stomp = new StompConnection();
        stomps.add(stomp);
        stomp.open(uri.getHost(), uri.getPort());
        return stomp;
    }

    private StompConnection connectedStomp(BrokerRunner runner) throws Exception {
        StompConnection stomp = stomp(runner);
        stomp.sendFrame("CONNECT\naccept-version:1.2\nhost:localhost\n\n" + Stomp.NULL);
        assertEquals("CONNECTED", stomp.receive(TIMEOUT_MS).getAction());
        return stomp;
    }
}
