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
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.jms.Connection;
import javax.jms.JMSException;
import javax.jms.JMSSecurityException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TemporaryQueue;
import javax.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
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

/**
 * Halley's authentication and channel permissions at the embedded broker, seen by real
 * clients: ActiveMQ's JMS client over OpenWire and STOMP 1.2 frames over a socket.
 */
public class BrokerSecurityTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final FakeAuthenticator authenticator = new FakeAuthenticator();
    private final FakeAccessControl acl = new FakeAccessControl();
    private final AtomicReference<io.halley.api.Authenticator> authenticatorService =
            new AtomicReference<>(authenticator);
    private final AtomicReference<io.halley.api.AccessControl> aclService = new AtomicReference<>(acl);
    private final BrokerSecurity security = new BrokerSecurity(authenticatorService::get, aclService::get);
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
                // refused or ended by the broker already
            }
        }
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    public void anonymousClientsGetWhatAnonymousIsGrantedAndNothingElse() throws Exception {
        acl.grant("anonymous", "public.>", Permission.SUBSCRIBE).grant("anonymous", "public.news", Permission.PUBLISH);
        start("anon");

        Connection connection = jms(null, null);
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer news = session.createConsumer(session.createTopic("public.news"));
        session.createProducer(session.createTopic("public.news")).send(session.createTextMessage("hello"));
        Message received = news.receive(TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("hello", ((TextMessage) received).getText());

        JMSSecurityException subscribe = assertThrows(JMSSecurityException.class,
                () -> session.createConsumer(session.createTopic("secret.plans")));
        assertEquals("forbidden: not allowed to subscribe to secret.plans", subscribe.getMessage());

        MessageProducer producer = session.createProducer(session.createTopic("public.other"));
        JMSSecurityException publish = assertThrows(JMSSecurityException.class,
                () -> producer.send(session.createTextMessage("not allowed")));
        assertEquals("forbidden: not allowed to publish to public.other", publish.getMessage());

        // STOMP, anonymous: the same rules
        StompConnection stomp = stomp(null, null);
        stomp.sendFrame("SUBSCRIBE\nid:1\ndestination:/topic/secret.plans\nreceipt:s1\n\n" + Stomp.NULL);
        StompFrame error = stomp.receive(TIMEOUT_MS);
        assertEquals("ERROR", error.getAction());
        assertEquals("forbidden: not allowed to subscribe to secret.plans", error.getHeaders().get("message"));
        stomp.sendFrame("SEND\ndestination:/topic/public.other\nreceipt:p1\n\nnope" + Stomp.NULL);
        error = stomp.receive(TIMEOUT_MS);
        assertEquals("ERROR", error.getAction());
        assertEquals("forbidden: not allowed to publish to public.other", error.getHeaders().get("message"));
        stomp.sendFrame("SEND\ndestination:/topic/public.news\nreceipt:p2\n\nfrom stomp" + Stomp.NULL);
        assertEquals("RECEIPT", stomp.receive(TIMEOUT_MS).getAction());
        received = news.receive(TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("from stomp", ((TextMessage) received).getText());

        Map<String, Long> counters = security.counters();
        assertEquals(Long.valueOf(2), counters.get("forbidden.subscribe"));
        assertEquals(Long.valueOf(2), counters.get("forbidden.publish"));
        assertEquals(Long.valueOf(2), counters.get("login.anonymous"));
    }

    @Test
    public void usersLogInByPasswordAndGetTheirOwnGrants() throws Exception {
        acl.grant("role:team", "team.>", Permission.SUBSCRIBE).grant("user:alice", "team.news", Permission.PUBLISH);
        start("users");

        Connection alice = jms("alice", "wonderland");
        Session session = alice.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = session.createConsumer(session.createTopic("team.>"));
        session.createProducer(session.createTopic("team.news")).send(session.createTextMessage("from alice"));
        Message received = all.receive(TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("from alice", ((TextMessage) received).getText());

        Connection bob = jms("bob", "builder");
        Session bobSession = bob.createSession(false, Session.AUTO_ACKNOWLEDGE);
        JMSSecurityException refused = assertThrows(JMSSecurityException.class,
                () -> bobSession.createConsumer(bobSession.createTopic("team.news")));
        assertEquals("forbidden: not allowed to subscribe to team.news", refused.getMessage());

        StompConnection stomp = stomp("alice", "wonderland");
        stomp.sendFrame("SUBSCRIBE\nid:1\ndestination:/topic/team.news\nreceipt:s1\n\n" + Stomp.NULL);
        assertEquals("RECEIPT", stomp.receive(TIMEOUT_MS).getAction());
    }

    @Test
    public void aWrongPasswordIsRefusedWithTheSameWordsEverywhere() throws Exception {
        start("refused");

        Connection connection = new ActiveMQConnectionFactory(runner.connectUri("tcp"))
                .createConnection("alice", "wrong");
        connections.add(connection);
        JMSSecurityException jms = assertThrows(JMSSecurityException.class, connection::start);
        assertEquals("authentication failed", jms.getMessage());

        Connection unknown = new ActiveMQConnectionFactory(runner.connectUri("tcp")).createConnection("mallory", "x");
        connections.add(unknown);
        assertEquals("authentication failed", assertThrows(JMSSecurityException.class, unknown::start).getMessage());

        // a password that is no token, for the user "token"
        Connection notAToken = new ActiveMQConnectionFactory(runner.connectUri("tcp"))
                .createConnection("token", "wonderland");
        connections.add(notAToken);
        assertEquals("authentication failed", assertThrows(JMSSecurityException.class, notAToken::start).getMessage());

        StompConnection stomp = rawStomp();
        stomp.sendFrame("CONNECT\naccept-version:1.2\nhost:localhost\nlogin:alice\npasscode:wrong\n\n" + Stomp.NULL);
        StompFrame error = stomp.receive(TIMEOUT_MS);
        assertEquals("ERROR", error.getAction());
        assertEquals("authentication failed", error.getHeaders().get("message"));
        assertFalse(error.getBody().contains("wrong"));
        assertClosed(stomp);

        assertEquals(Long.valueOf(4), security.counters().get("login.refused"));
    }

    @Test
    public void aTokenLogsInWithoutAUserNameOrAsUserToken() throws Exception {
        acl.grant("user:carol", "carol.>", Permission.SUBSCRIBE).grant("user:carol", "carol.inbox", Permission.PUBLISH);
        start("token");

        Connection connection = jms(null, TestSecurity.CAROL_TOKEN);
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer inbox = session.createConsumer(session.createTopic("carol.inbox"));

        StompConnection stomp = stomp("token", TestSecurity.CAROL_TOKEN);
        stomp.sendFrame("SEND\ndestination:/topic/carol.inbox\nreceipt:p1\n\nfor carol" + Stomp.NULL);
        assertEquals("RECEIPT", stomp.receive(TIMEOUT_MS).getAction());
        Message received = inbox.receive(TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("for carol", ((TextMessage) received).getText());
        assertEquals(Long.valueOf(2), security.counters().get("login.token"));
        assertTrue(authenticator.seen.stream().allMatch(c -> c.kind() == io.halley.api.Credentials.Kind.TOKEN));

        Connection forged = new ActiveMQConnectionFactory(runner.connectUri("tcp")).createConnection("", "a.b.c");
        connections.add(forged);
        assertEquals("authentication failed", assertThrows(JMSSecurityException.class, forged::start).getMessage());
    }

    @Test
    public void aWildcardSubscriptionIsAllowedOnlyWhenAGrantCoversAllOfIt() throws Exception {
        acl.grant("user:alice", "team.*", Permission.SUBSCRIBE);
        start("wildcards");
        Connection alice = jms("alice", "wonderland");
        Session session = alice.createSession(false, Session.AUTO_ACKNOWLEDGE);

        session.createConsumer(session.createTopic("team.*")).close();
        session.createConsumer(session.createTopic("team.news")).close();
        for (String pattern : new String[] {"team.>", ">", "*.news", "team.news.eu"}) {
            JMSSecurityException refused = assertThrows(pattern, JMSSecurityException.class,
                    () -> session.createConsumer(session.createTopic(pattern)));
            assertEquals("forbidden: not allowed to subscribe to " + pattern, refused.getMessage());
        }
        // a composite destination is allowed only when every part is
        JMSSecurityException composite = assertThrows(JMSSecurityException.class,
                () -> session.createConsumer(session.createTopic("team.news,other.news")));
        assertEquals("forbidden: not allowed to subscribe to other.news", composite.getMessage());
        // a wildcard is never a channel to publish to
        acl.grant("user:alice", ">", Permission.PUBLISH);
        MessageProducer producer = session.createProducer(null);
        assertThrows(JMSSecurityException.class,
                () -> producer.send(session.createTopic("team.*"), session.createTextMessage("x")));
    }

    @Test
    public void takingAPermissionBackEndsLiveConsumers() throws Exception {
        acl.grant("user:alice", "team.>", Permission.SUBSCRIBE).grant("user:bob", "team.news", Permission.SUBSCRIBE);
        start("revoke");
        Connection hub = open(runner.connectionFactory());
        Session hubSession = hub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer publisher = hubSession.createProducer(hubSession.createTopic("team.news"));

        Connection alice = jms("alice", "wonderland");
        BlockingQueue<JMSException> errors = new LinkedBlockingQueue<>();
        alice.setExceptionListener(errors::add);
        Session session = alice.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = session.createConsumer(session.createTopic("team.>"));
        StompConnection bob = stomp("bob", "builder");
        bob.sendFrame("SUBSCRIBE\nid:1\ndestination:/topic/team.news\nreceipt:s1\n\n" + Stomp.NULL);
        assertEquals("RECEIPT", bob.receive(TIMEOUT_MS).getAction());

        publisher.send(hubSession.createTextMessage("before"));
        assertEquals("before", ((TextMessage) consumer.receive(TIMEOUT_MS)).getText());
        StompFrame message = bob.receive(TIMEOUT_MS);
        assertEquals("MESSAGE", message.getAction());
        assertEquals("before", message.getBody());

        acl.revoke("user:alice", "team.>");
        acl.revoke("user:bob", "team.news");
        // as halley-acl does: the listener is called on a thread of its own
        Thread notifier = new Thread(security::rulesChanged, "acl-notifier");
        notifier.start();
        notifier.join(TIMEOUT_MS);

        JMSException told = errors.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertNotNull("the JMS client was not told", told);
        assertTrue(told.toString(), told instanceof JMSSecurityException);
        assertEquals("forbidden: not allowed to subscribe to team.>", told.getMessage());
        StompFrame error = bob.receive(TIMEOUT_MS);
        assertEquals("ERROR", error.getAction());
        assertEquals("forbidden: not allowed to subscribe to team.news", error.getHeaders().get("message"));
        assertClosed(bob);

        publisher.send(hubSession.createTextMessage("after"));
        // the JMS consumer was closed by the broker's word; a client that ignored it would still get nothing
        JMSException closed = assertThrows(JMSException.class, () -> consumer.receive(TIMEOUT_MS));
        assertTrue(closed.getMessage(), closed.getMessage().contains("closed"));
        // the connection itself lives on
        alice.createSession(false, Session.AUTO_ACKNOWLEDGE).close();
        assertEquals(Long.valueOf(2), security.counters().get("revoked.subscribe"));
    }

    @Test
    public void aConsumerWhoseClientIgnoresTheEndGetsNothingMore() throws Exception {
        acl.grant("user:alice", "team.news", Permission.SUBSCRIBE);
        start("gate");
        Connection hub = open(runner.connectionFactory());
        Session hubSession = hub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer publisher = hubSession.createProducer(hubSession.createTopic("team.news"));
        Connection alice = jms("alice", "wonderland");
        Session session = alice.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = session.createConsumer(session.createTopic("team.news"));

        // the rules change, and the listener has not been called (yet): the dispatch gate alone holds
        acl.revoke("user:alice", "team.news");
        publisher.send(hubSession.createTextMessage("withheld"));
        Connection probe = open(runner.connectionFactory());
        MessageConsumer hubSide = probe.createSession(false, Session.AUTO_ACKNOWLEDGE)
                .createConsumer(hubSession.createTopic("team.news"));
        publisher.send(hubSession.createTextMessage("marker"));
        assertNotNull(hubSide.receive(TIMEOUT_MS));
        // the marker reached the hub's consumer after "withheld" went out; alice got neither
        assertNull(consumer.receiveNoWait());
        assertTrue(security.counters().get("withheld.message") >= 2);
    }

    @Test
    public void theInternalCredentialIsRefusedOverTcp() throws Exception {
        start("internal");
        ActiveMQConnectionFactory hubFactory = runner.connectionFactory();
        assertEquals(InternalCredential.USER, hubFactory.getUserName());

        Connection stolen = new ActiveMQConnectionFactory(runner.connectUri("tcp"))
                .createConnection(hubFactory.getUserName(), hubFactory.getPassword());
        connections.add(stolen);
        assertEquals("authentication failed", assertThrows(JMSSecurityException.class, stolen::start).getMessage());

        StompConnection stomp = rawStomp();
        stomp.sendFrame("CONNECT\naccept-version:1.2\nhost:localhost\nlogin:" + hubFactory.getUserName()
                + "\npasscode:" + hubFactory.getPassword() + "\n\n" + Stomp.NULL);
        assertEquals("authentication failed", stomp.receive(TIMEOUT_MS).getHeaders().get("message"));
        assertEquals(Long.valueOf(2), security.counters().get("login.internal.refused"));
        // the realm never saw it
        assertTrue(authenticator.seen.isEmpty());
    }

    @Test
    public void theHubIsUnaffectedEvenWithoutAuthenticatorAndAccessControl() throws Exception {
        authenticatorService.set(null);
        aclService.set(null);
        start("hub");

        Connection hub = open(runner.connectionFactory());
        Session session = hub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer all = session.createConsumer(session.createTopic(">"));
        MessageConsumer queue = session.createConsumer(session.createQueue("halley.internal"));

        // clients: anonymous may connect, but no channel is open to them (fail closed)
        Connection anonymous = jms(null, null);
        Session anonymousSession = anonymous.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThrows(JMSSecurityException.class,
                () -> anonymousSession.createConsumer(anonymousSession.createTopic("demo.news")));
        Connection alice = new ActiveMQConnectionFactory(runner.connectUri("tcp")).createConnection("alice", "x");
        connections.add(alice);
        assertEquals("authentication unavailable", assertThrows(JMSSecurityException.class, alice::start).getMessage());

        session.createProducer(session.createTopic("demo.news")).send(session.createTextMessage("from the hub"));
        session.createProducer(session.createQueue("halley.internal")).send(session.createTextMessage("queued"));
        Message received = receiveChannelMessage(all, TIMEOUT_MS);
        assertNotNull(received);
        assertEquals("from the hub", ((TextMessage) received).getText());
        assertEquals("queued", ((TextMessage) queue.receive(TIMEOUT_MS)).getText());

        // the services come: the broker uses them without a restart
        authenticatorService.set(authenticator);
        aclService.set(acl.grant("user:alice", "demo.news", Permission.SUBSCRIBE));
        Connection aliceAgain = jms("alice", "wonderland");
        aliceAgain.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(session.createTopic("demo.news"));
    }

    @Test
    public void advisoriesAndTemporaryDestinationsServeEveryClientButQueuesAndTheHubsClientIdAreNotTheirs()
            throws Exception {
        start("plumbing");
        Connection hub = runner.connectionFactory().createConnection();
        connections.add(hub);
        hub.setClientID("node1-hub");
        hub.start();

        // watchTopicAdvisories is on: the client consumes ActiveMQ.Advisory.TempQueue,TempTopic
        Connection client = jms(null, null);
        Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue replies = session.createTemporaryQueue();
        MessageConsumer replyConsumer = session.createConsumer(replies);
        session.createProducer(replies).send(session.createTextMessage("reply"));
        assertEquals("reply", ((TextMessage) replyConsumer.receive(TIMEOUT_MS)).getText());
        session.createConsumer(session.createTopic("ActiveMQ.Advisory.Connection")).close();

        JMSSecurityException queue = assertThrows(JMSSecurityException.class,
                () -> session.createConsumer(session.createQueue("orders")));
        assertEquals("forbidden: not allowed to subscribe to queue://orders", queue.getMessage());
        MessageProducer advisory = session.createProducer(session.createTopic("ActiveMQ.Advisory.Connection"));
        assertThrows(JMSSecurityException.class, () -> advisory.send(session.createTextMessage("fake")));

        // with the hub gone for a moment, its client id is still not for others
        hub.close();
        Connection squatter = new ActiveMQConnectionFactory(runner.connectUri("tcp")).createConnection();
        connections.add(squatter);
        JMSSecurityException squatting = assertThrows(JMSSecurityException.class,
                () -> squatter.setClientID("node1-hub"));
        assertEquals("forbidden: client id in use by Halley", squatting.getMessage());
    }

    private void start(String name) throws Exception {
        Map<String, Object> properties = embedded(name, folder.newFolder());
        properties.put("persistent", false);
        properties.put("useJmx", false);
        runner = new BrokerRunner(config(properties), folder.newFolder(), security);
        runner.start();
    }

    private Connection jms(String user, String password) throws JMSException {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(runner.connectUri("tcp"));
        // refusals of a send come back from send() itself, not only to the ExceptionListener
        factory.setAlwaysSyncSend(true);
        return open(user == null && password == null ? factory.createConnection()
                : factory.createConnection(user, password));
    }

    private Connection open(javax.jms.ConnectionFactory factory) throws JMSException {
        return open(factory.createConnection());
    }

    private Connection open(Connection connection) throws JMSException {
        connections.add(connection);
        connection.start();
        return connection;
    }

    private StompConnection rawStomp() throws Exception {
        URI uri = runner.connectUri("stomp");
        StompConnection stomp = new StompConnection();
        stomps.add(stomp);
        stomp.open("127.0.0.1", uri.getPort());
        return stomp;
    }

    private StompConnection stomp(String login, String passcode) throws Exception {
        StompConnection stomp = rawStomp();
        StringBuilder connect = new StringBuilder("CONNECT\naccept-version:1.2\nhost:localhost\n");
        if (login != null) {
            connect.append("login:").append(login).append('\n');
        }
        if (passcode != null) {
            connect.append("passcode:").append(passcode).append('\n');
        }
        stomp.sendFrame(connect.append('\n').append(Stomp.NULL).toString());
        StompFrame connected = stomp.receive(TIMEOUT_MS);
        assertEquals(connected.toString(), "CONNECTED", connected.getAction());
        return stomp;
    }

    /** The broker closes the socket (after what it still had to say) within the timeout. */
    static void assertClosed(StompConnection stomp) throws Exception {
        stomp.getStompSocket().setSoTimeout((int) TIMEOUT_MS);
        InputStream in = stomp.getStompSocket().getInputStream();
        try {
            while (in.read() >= 0) {
                // heart-beats or the rest of a frame
            }
        } catch (SocketTimeoutException e) {
            fail("the broker did not close the STOMP connection");
        } catch (java.io.IOException reset) {
            // closed
        }
    }

    private static void assertFalse(boolean condition) {
        assertTrue(!condition);
    }
}
