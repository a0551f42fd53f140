package io.halley.itests;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.transport.stomp.StompConnection;
import org.apache.activemq.transport.stomp.StompFrame;

import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;
import java.nio.charset.StandardCharsets;

import static org.junit.Assert.assertEquals;

/** Real publishers: ActiveMQ's JMS client over OpenWire, and a STOMP client over TCP. */
public final class Publishers implements AutoCloseable {

    private final Connection jms;
    private final Session session;
    private final MessageProducer producer;
    private final int stompPort;

    public Publishers(int openwirePort, int stompPort) throws Exception {
        this.stompPort = stompPort;
        jms = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + openwirePort).createConnection();
        jms.start();
        session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        producer = session.createProducer(null);
    }

    public Connection connection() {
        return jms;
    }

    public String jmsText(String channel, String text) throws Exception {
        TextMessage m = session.createTextMessage(text);
        producer.send(session.createTopic(channel), m);
        return m.getJMSMessageID();
    }

    public String jmsBytes(String channel, byte[] body) throws Exception {
        BytesMessage m = session.createBytesMessage();
        m.writeBytes(body);
        producer.send(session.createTopic(channel), m);
        return m.getJMSMessageID();
    }

    /**
     * Sends with STOMP {@code version} (1.0, 1.1 or 1.2) and waits for the broker's receipt,
     * so that what follows is ordered after it.
     */
    public void stomp(String version, String channel, String contentType, String body) throws Exception {
        StompConnection c = new StompConnection();
        c.open("127.0.0.1", stompPort);
        try {
            String connect = version.equals("1.0") ? "CONNECT\n\n\u0000"
                    : "CONNECT\naccept-version:" + version + "\nhost:localhost\n\n\u0000";
            c.sendFrame(connect);
            StompFrame connected = c.receive(10_000);
            assertEquals("CONNECTED", connected.getAction());
            if (!version.equals("1.0")) {
                assertEquals(version, connected.getHeaders().get("version"));
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder f = new StringBuilder("SEND\ndestination:/topic/").append(channel).append('\n');
            if (contentType != null) {
                f.append("content-type:").append(contentType).append('\n');
            }
            f.append("receipt:r1\n\n").append(body).append('\u0000');
            c.sendFrame(f.toString());
            StompFrame receipt = c.receive(10_000);
            assertEquals("RECEIPT " + receipt, "RECEIPT", receipt.getAction());
            c.sendFrame("DISCONNECT\n\n\u0000");
        } finally {
            c.close();
        }
    }

    @Override
    public void close() throws javax.jms.JMSException {
        jms.close();
    }
}
