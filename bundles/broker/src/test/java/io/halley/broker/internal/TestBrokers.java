package io.halley.broker.internal;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;

import org.apache.activemq.command.ActiveMQDestination;
import org.osgi.util.converter.Converters;

/** Typed configurations and small waits shared by the tests. */
final class TestBrokers {

    static final long TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);

    private TestBrokers() {
    }

    /** An embedded broker on free loopback ports, storing under {@code dataDirectory}. */
    static Map<String, Object> embedded(String brokerName, File dataDirectory) throws IOException {
        Map<String, Object> properties = new HashMap<>();
        properties.put("brokerName", brokerName);
        properties.put("bindAddress", "127.0.0.1");
        properties.put("openwirePort", freePort());
        properties.put("stompPort", freePort());
        properties.put("dataDirectory", dataDirectory.getAbsolutePath());
        // small stores: the test machine's disk is not the broker's to take
        properties.put("storeLimitMb", 64);
        properties.put("tempLimitMb", 64);
        return properties;
    }

    static BrokerConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(BrokerConfig.class);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The next message that is not an ActiveMQ advisory: a consumer on {@code >} sees
     * advisories too, and a test of channel traffic must look past them.
     *
     * @return null when none came within the timeout
     */
    static Message receiveChannelMessage(MessageConsumer consumer, long timeoutMs) throws JMSException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (long left = timeoutMs; left > 0; left = deadline - System.currentTimeMillis()) {
            Message message = consumer.receive(left);
            if (message == null) {
                return null;
            }
            if (!isAdvisory(message)) {
                return message;
            }
        }
        return null;
    }

    static boolean isAdvisory(Message message) throws JMSException {
        return ((ActiveMQDestination) message.getJMSDestination()).getPhysicalName().startsWith("ActiveMQ.");
    }
}
