package io.halley.core.internal;

import io.halley.api.ChannelName;
import io.halley.api.ContentType;
import io.halley.api.Identity;
import io.halley.api.Permission;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.DeliveryMode;
import javax.jms.Destination;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageListener;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;
import javax.jms.Topic;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The hub's two ways to the broker: one consumer on every topic ({@code >}), whose single
 * delivery thread gives every channel one order, and a small pool of producers that
 * publish exactly as a JMS client would. Only the JMS API is used: the broker bundle
 * decides which broker is behind the {@link ConnectionFactory}.
 */
final class JmsBridge implements Publisher, MessageListener {

    /** Set on messages published through Halley: how the body is to be read. */
    static final String TYPE_PROPERTY = "halley_type";

    private static final Logger LOG = LoggerFactory.getLogger(JmsBridge.class);

    private final HubCore hub;
    private final HubConfig config;
    private final Connection connection;
    private final BlockingQueue<Producer> producers;
    private final List<Producer> allProducers = new ArrayList<>();

    /**
     * Connects, subscribes and starts consuming.
     *
     * @param onFailure called (from a JMS thread) when the connection fails
     */
    JmsBridge(HubCore hub, ConnectionFactory factory, Runnable onFailure) throws JMSException {
        this.hub = hub;
        this.config = hub.config();
        Connection c = factory.createConnection();
        try {
            if (config.durableSubscription()) {
                c.setClientID(config.nodeName() + "-hub");
            }
            c.setExceptionListener(e -> {
                LOG.warn("The connection to the broker failed: {}", e.toString());
                onFailure.run();
            });
            Session consumerSession = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Topic all = consumerSession.createTopic(">");
            MessageConsumer consumer = config.durableSubscription()
                    ? consumerSession.createDurableSubscriber(all, config.nodeName() + "-hub")
                    : consumerSession.createConsumer(all);
            consumer.setMessageListener(this);
            int n = Math.max(1, config.publishSessions());
            producers = new ArrayBlockingQueue<>(n);
            for (int i = 0; i < n; i++) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer p = s.createProducer(null);
                p.setDeliveryMode(config.publishPersistent() ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
                Producer producer = new Producer(s, p);
                allProducers.add(producer);
                producers.add(producer);
            }
            c.start();
        } catch (JMSException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        this.connection = c;
    }

    void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (JMSException | RuntimeException e) {
            LOG.debug("Closing the broker connection failed", e);
        }
    }

    @Override
    public int maxMessageSize() {
        return config.maxMessageSize();
    }

    @Override
    public String publish(Identity publisher, String channel, byte[] body, ContentType type) {
        ChannelName.requireChannel(channel);
        hub.requireAllowed(publisher, channel, Permission.PUBLISH);
        int max = hub.maxMessageSize(channel);
        if (body.length > max) {
            throw new HalleyException(ErrorCode.TOO_LARGE, "a message body on this channel is at most " + max + " bytes");
        }
        String text = Payloads.utf8(body);
        if (text == null) {
            throw new HalleyException(ErrorCode.INVALID_TEXT, "the body is not valid UTF-8");
        }
        String declared = null;
        if (type == ContentType.JSON) {
            // validated and made compact here, so that a JSON error reaches the publisher
            text = hub.payloads().fromText(text, ContentType.JSON);
            declared = "json";
        } else if (type == ContentType.TEXT) {
            declared = "text";
        }
        Producer p;
        try {
            p = producers.poll(config.publishTimeout(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalleyException(ErrorCode.UNAVAILABLE, "interrupted while publishing");
        }
        if (p == null) {
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the broker is too busy to take the message");
        }
        try {
            TextMessage m = p.session.createTextMessage(text);
            if (declared != null) {
                m.setStringProperty(TYPE_PROPERTY, declared);
            }
            p.producer.send(p.session.createTopic(channel), m);
            hub.count("messages.published");
            return m.getJMSMessageID();
        } catch (JMSException e) {
            LOG.warn("Publishing to {} failed: {}", channel, e.toString());
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the broker did not take the message", e);
        } finally {
            producers.add(p);
        }
    }

    @Override
    public void onMessage(Message m) {
        try {
            Destination d = m.getJMSDestination();
            if (!(d instanceof Topic)) {
                return;
            }
            String channel = ((Topic) d).getTopicName();
            if (!ChannelName.isChannel(channel)) {
                // advisory topics and names Halley cannot carry
                hub.count("messages.ignored");
                return;
            }
            String payload;
            String encoding = null;
            ContentType type = declaredType(m);
            if (m instanceof TextMessage) {
                String text = ((TextMessage) m).getText();
                if (text == null) {
                    text = "";
                }
                if (text.length() > hub.maxMessageSize(channel)) {
                    tooLarge(channel);
                    return;
                }
                payload = payload(text, type);
            } else if (m instanceof BytesMessage) {
                BytesMessage b = (BytesMessage) m;
                long length = b.getBodyLength();
                if (length > hub.maxMessageSize(channel)) {
                    tooLarge(channel);
                    return;
                }
                byte[] bytes = new byte[(int) length];
                b.readBytes(bytes);
                String text = Payloads.utf8(bytes);
                if (text == null) {
                    payload = hub.payloads().string(Base64.getEncoder().encodeToString(bytes));
                    encoding = "base64";
                } else {
                    payload = payload(text, type);
                }
            } else {
                hub.count("messages.unsupported");
                LOG.debug("Ignoring a {} on {}: only text and bytes messages are carried", m.getClass(), channel);
                return;
            }
            long ts = m.getJMSTimestamp();
            String id = m.getJMSMessageID();
            hub.dispatch(channel, id == null ? "" : id, ts > 0 ? ts : hub.now(), payload, encoding);
        } catch (JMSException | RuntimeException e) {
            hub.count("messages.failed");
            LOG.warn("A message could not be dispatched", e);
        }
    }

    private String payload(String text, ContentType type) {
        try {
            return hub.payloads().fromText(text, type);
        } catch (HalleyException e) {
            // declared JSON by a JMS publisher but malformed: deliver the text, not nothing
            hub.count("messages.invalid_json");
            return hub.payloads().string(text);
        }
    }

    private void tooLarge(String channel) {
        hub.count("messages.too_large");
        LOG.warn("Dropped a message on {} larger than maxMessageSize ({} bytes)", channel, config.maxMessageSize());
    }

    /** Halley's own property, else a STOMP publisher's content-type header. */
    private static ContentType declaredType(Message m) throws JMSException {
        String t = m.getStringProperty(TYPE_PROPERTY);
        if ("json".equals(t)) {
            return ContentType.JSON;
        }
        if ("text".equals(t)) {
            return ContentType.TEXT;
        }
        String ct = m.getStringProperty("content-type");
        if (ct != null) {
            String base = ct.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (base.equals("application/json") || base.endsWith("+json")) {
                return ContentType.JSON;
            }
            if (base.startsWith("text/")) {
                return ContentType.TEXT;
            }
        }
        return ContentType.AUTO;
    }

    private static final class Producer {
        final Session session;
        final MessageProducer producer;

        Producer(Session session, MessageProducer producer) {
            this.session = session;
            this.producer = producer;
        }
    }
}
