package io.halley.broker.internal;

import static io.halley.broker.internal.TestBrokers.TIMEOUT_MS;
import static io.halley.broker.internal.TestBrokers.config;
import static io.halley.broker.internal.TestBrokers.embedded;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.jms.Connection;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.Session;
import javax.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQSslConnectionFactory;
import org.apache.activemq.broker.BrokerRegistry;
import org.apache.activemq.transport.stomp.Stomp;
import org.apache.activemq.transport.stomp.StompConnection;
import org.apache.activemq.transport.stomp.StompFrame;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.halley.api.Permission;
import io.halley.broker.internal.TestSecurity.FakeAccessControl;
import io.halley.broker.internal.TestSecurity.FakeAuthenticator;

/** The TLS connectors: ssl:// for JMS and stomp+ssl:// for STOMP, with a key store made by keytool. */
public class BrokerTlsTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final List<Connection> connections = new ArrayList<>();
    private final List<StompConnection> stomps = new ArrayList<>();
    private BrokerRunner runner;

    @After
    public void stopEverything() throws Exception {
        for (StompConnection stomp : stomps) {
            try {
                stomp.close();
            } catch (Exception ignored) {
                // closed by the broker already
            }
        }
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // never opened
            }
        }
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    public void jmsOverSslAndStompOverSslReachEachOtherAndPlainClientsAreTurnedAway() throws Exception {
        TestTls tls = TestTls.generate(folder.newFolder().toPath());
        Map<String, Object> properties = tlsBroker("tls", tls);
        FakeAccessControl acl = new FakeAccessControl().grant("everyone", "secure.>", Permission.SUBSCRIBE)
                .grant("everyone", "secure.>", Permission.PUBLISH);
        FakeAuthenticator authenticator = new FakeAuthenticator();
        runner = new BrokerRunner(config(properties), folder.newFolder(),
                new BrokerSecurity(() -> authenticator, () -> acl));
        runner.start();
        int sslPort = (Integer) properties.get("sslPort");
        int stompSslPort = (Integer) properties.get("stompSslPort");
        assertEquals(sslPort, runner.connectUri("ssl").getPort());
        assertEquals(stompSslPort, runner.connectUri("stomp+ssl").getPort());

        ActiveMQSslConnectionFactory factory = new ActiveMQSslConnectionFactory("ssl://127.0.0.1:" + sslPort);
        factory.setTrustStore(tls.trustStore.toString());
        factory.setTrustStorePassword(TestTls.PASSWORD);
        factory.setTrustStoreType("PKCS12");
        Connection jms = factory.createConnection("alice", "wonderland");
        connections.add(jms);
        jms.start();
        Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = session.createConsumer(session.createTopic("secure.news"));

        StompConnection stomp = new StompConnection();
        stomps.add(stomp);
        stomp.open(tls.connect(stompSslPort));
        stomp.sendFrame("CONNECT\naccept-version:1.2\nhost:localhost\nlogin:alice\npasscode:wonderland\n\n"
                + Stomp.NULL);
        assertEquals("CONNECTED", stomp.receive(TIMEOUT_MS).getAction());
        stomp.sendFrame("SUBSCRIBE\nid:1\ndestination:/topic/secure.replies\nreceipt:s1\n\n" + Stomp.NULL);
        assertEquals("RECEIPT", stomp.receive(TIMEOUT_MS).getAction());

        // STOMP over TLS publishes, JMS over TLS receives
        stomp.sendFrame("SEND\ndestination:/topic/secure.news\nreceipt:p1\n\nover stomp+ssl" + Stomp.NULL);
        assertEquals("RECEIPT", stomp.receive(TIMEOUT_MS).getAction());
        Message received = consumer.receive(TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("over stomp+ssl", ((TextMessage) received).getText());

        // and the other way
        session.createProducer(session.createTopic("secure.replies")).send(session.createTextMessage("over ssl"));
        StompFrame message = stomp.receive(TIMEOUT_MS);
        assertEquals("MESSAGE", message.getAction());
        assertEquals("over ssl", message.getBody());

        // a plain OpenWire client on the TLS port gets no connection
        ActiveMQConnectionFactory plain = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + sslPort);
        plain.setConnectResponseTimeout((int) TIMEOUT_MS);
        Connection refused = plain.createConnection();
        connections.add(refused);
        assertThrows(JMSException.class, refused::start);
        // nor does a plain STOMP client on the STOMP TLS port
        String answer = plainExchange(stompSslPort, "CONNECT\naccept-version:1.2\nhost:localhost\n\n\0");
        assertFalse(answer, answer.contains("CONNECTED"));
    }

    @Test
    public void aKeyStoreThatCannotBeReadStopsTheStartAndLeavesNothingBehind() throws Exception {
        TestTls tls = TestTls.generate(folder.newFolder().toPath());
        Map<String, Object> properties = tlsBroker("badstore", tls);
        properties.put("keyStorePassword", "not-the-password");
        BrokerRunner bad = new BrokerRunner(config(properties), folder.newFolder());
        IllegalStateException error = assertThrows(IllegalStateException.class, bad::start);
        assertTrue(error.getMessage(), error.getMessage().contains("keyStore " + tls.keyStore));
        assertTrue(error.getMessage(), error.getMessage().contains("wrong password"));
        assertNull(bad.broker());
        assertFalse(BrokerRegistry.getInstance().getBrokers().containsKey("badstore"));
        for (String port : new String[] {"openwirePort", "stompPort", "sslPort", "stompSslPort"}) {
            // nothing was bound
            new ServerSocket((Integer) properties.get(port), 1, InetAddress.getLoopbackAddress()).close();
        }

        properties.put("keyStore", tls.keyStore + ".missing");
        error = assertThrows(IllegalStateException.class, new BrokerRunner(config(properties), folder.newFolder())::start);
        assertTrue(error.getMessage(), error.getMessage().contains("does not exist"));

        properties.put("keyStore", "");
        error = assertThrows(IllegalStateException.class, new BrokerRunner(config(properties), folder.newFolder())::start);
        assertTrue(error.getMessage(), error.getMessage().contains("need a keyStore"));

        // a trust store holds no private key: it cannot be the key store
        properties.put("keyStore", tls.trustStore.toString());
        properties.put("keyStorePassword", TestTls.PASSWORD);
        error = assertThrows(IllegalStateException.class, new BrokerRunner(config(properties), folder.newFolder())::start);
        assertTrue(error.getMessage(), error.getMessage().contains("holds no private key"));
    }

    @Test
    public void theTlsConnectorsAreOffByDefault() throws Exception {
        runner = new BrokerRunner(config(embedded("notls", folder.newFolder())), folder.newFolder());
        runner.start();
        assertNull(runner.connectUri("ssl"));
        assertNull(runner.connectUri("stomp+ssl"));
        URI tcp = runner.connectUri("tcp");
        assertNotNull(tcp);
    }

    private Map<String, Object> tlsBroker(String name, TestTls tls) throws Exception {
        Map<String, Object> properties = embedded(name, folder.newFolder());
        properties.put("persistent", false);
        properties.put("useJmx", false);
        properties.put("sslPort", TestBrokers.freePort());
        properties.put("stompSslPort", TestBrokers.freePort());
        properties.put("keyStore", tls.keyStore.toString());
        properties.put("keyStorePassword", TestTls.PASSWORD);
        properties.put("trustStore", tls.trustStore.toString());
        properties.put("trustStorePassword", TestTls.PASSWORD);
        return properties;
    }

    /** Sends bytes in the clear and returns what came back before the broker closed the socket. */
    private static String plainExchange(int port, String text) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                for (int b = in.read(); b >= 0; b = in.read()) {
                    answer.write(b);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the TLS port kept a plain connection open", e);
            } catch (java.io.IOException reset) {
                // closed
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
