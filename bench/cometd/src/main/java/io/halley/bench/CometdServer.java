package io.halley.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.Session;
import javax.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQDestination;
import org.cometd.bayeux.Promise;
import org.cometd.bayeux.server.BayeuxServer;
import org.cometd.bayeux.server.LocalSession;
import org.cometd.bayeux.server.ServerChannel;
import org.cometd.server.http.jakarta.CometDServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ajax.JSON;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * CometD 8 over long-polling, fed from Halley's broker as Halley's hub is: one JMS consumer on the topic {@code >},
 * each message published to the CometD channel {@code /<topic with dots as slashes>}. Its own JVM and classpath
 * (Jetty 12). Prints {@code READY <port>} once it serves; exits after --seconds (bench/run.sh stops it sooner).
 *
 * <p>{@code --port P --openwire tcp://127.0.0.1:N [--seconds S]}
 */
public final class CometdServer {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Bench.args(args);
        int port = Integer.parseInt(a.get("port"));
        long seconds = Long.parseLong(a.getOrDefault("seconds", "1800"));

        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("cometd");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder cometd = context.addServlet(CometDServlet.class, "/cometd/*");
        // long-polling only (JSON over HTTP); the WebSocket transports are not on this classpath anyway
        cometd.setInitParameter("transports", "org.cometd.server.http.JSONHttpTransport");
        // every benchmark client shares one HttpClient, hence one BAYEUX_BROWSER cookie: without this CometD
        // would allow one long poll per "browser" and make the others poll every 2 s
        cometd.setInitParameter("maxSessionsPerBrowser", "-1");
        cometd.setInitParameter("timeout", "20000");
        cometd.setInitOrder(1);
        server.setHandler(context);
        server.start();
        BayeuxServer bayeux = (BayeuxServer) context.getServletContext().getAttribute(BayeuxServer.ATTRIBUTE);
        LocalSession bridge = bayeux.newLocalSession("jms-bridge");
        bridge.handshake();

        LongAdder forwarded = new LongAdder();
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(a.get("openwire"));
        Connection jms = factory.createConnection();
        Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = session.createConsumer(session.createTopic(">"));
        consumer.setMessageListener((Message m) -> {
            try {
                String topic = ((ActiveMQDestination) m.getJMSDestination()).getPhysicalName();
                if (topic.startsWith("ActiveMQ.") || !(m instanceof TextMessage text)) {
                    return;
                }
                ServerChannel channel = bayeux.createChannelIfAbsent("/" + topic.replace('.', '/')).getReference();
                // the body is already JSON: passed through as it is, as Halley does
                channel.publish(bridge, new JSON.Literal(text.getText()), Promise.noop());
                forwarded.increment();
            } catch (Exception e) {
                System.err.println("bridge: " + e);
            }
        });
        jms.start();
        System.out.println("READY " + connector.getLocalPort());
        System.out.flush();

        // bounded: bench/run.sh stops it (its process group) when the run ends, this is the backstop
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        System.err.println("stopping; forwarded " + forwarded.sum() + " messages");
        jms.close();
        server.stop();
        System.exit(0);
    }
}
