package io.halley.broker.internal;

import static io.halley.broker.internal.TestBrokers.TIMEOUT_MS;
import static io.halley.broker.internal.TestBrokers.config;
import static io.halley.broker.internal.TestBrokers.embedded;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.JMSSecurityException;
import javax.jms.Message;
import javax.jms.Session;
import javax.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerRegistry;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.halley.api.AccessControlListener;
import io.halley.api.BrokerStatus;
import io.halley.api.Permission;
import io.halley.broker.internal.TestSecurity.FakeAccessControl;
import io.halley.broker.internal.TestSecurity.FakeAuthenticator;

public class BrokerComponentTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final BrokerComponent component = new BrokerComponent();
    private final Map<String, String> frameworkProperties = new HashMap<>();
    private final List<Registration> registrations = new ArrayList<>();
    private File bundleData;

    /** What the fake framework was asked to register, and whether the broker ran when it was withdrawn. */
    private static final class Registration {
        String[] classes;
        Object service;
        Dictionary<?, ?> properties;
        boolean unregistered;
        boolean brokerRunningAtUnregister;
    }

    @After
    public void stopComponent() {
        component.deactivate();
    }

    @Test
    public void registersTheConnectionFactoryOnceTheBrokerRunsAndWithdrawsItBeforeStopping() throws Exception {
        File karafData = folder.newFolder("karaf-data");
        frameworkProperties.put("karaf.data", karafData.getAbsolutePath());
        Map<String, Object> properties = embedded("component", folder.newFolder());
        properties.remove("dataDirectory");

        component.activate(context(), config(properties));

        assertTrue("the store is not under karaf.data",
                new File(karafData, "halley/broker/kahadb").isDirectory());
        assertEquals(3, registrations.size());
        Registration registration = registrations.get(0);
        assertEquals(AccessControlListener.class.getName(), registrations.get(1).classes[0]);
        assertEquals(BrokerStatus.class.getName(), registrations.get(2).classes[0]);
        BrokerStatus.Health health = ((BrokerStatus) registrations.get(2).service).health();
        assertEquals("component", health.brokerName());
        assertTrue(health.started());
        assertEquals(List.of("tcp", "stomp"), health.connectors().stream().map(BrokerStatus.Connector::name).toList());
        assertTrue(health.connectors().get(0).uri(), health.connectors().get(0).uri().matches("tcp://[^?]+:\\d+"));
        assertEquals(ConnectionFactory.class.getName(), registration.classes[0]);
        assertEquals("halley", registration.properties.get("name"));
        assertEquals("embedded", registration.properties.get("halley.broker.mode"));

        ConnectionFactory factory = (ConnectionFactory) registration.service;
        Connection connection = factory.createConnection();
        try {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue("halley.component"))
                    .send(session.createTextMessage("through the service"));
            Message received = session.createConsumer(session.createQueue("halley.component")).receive(TIMEOUT_MS);
            assertNotNull(received);
            assertEquals("through the service", ((TextMessage) received).getText());
        } finally {
            connection.close();
        }

        BrokerStatus.Health busy = ((BrokerStatus) registrations.get(2).service).health();
        assertTrue("the message sent counts: " + busy, busy.enqueued() >= 1 && busy.dequeued() >= 1);

        component.deactivate();
        assertTrue(registration.unregistered);
        assertTrue(registrations.get(1).unregistered);
        assertTrue(registrations.get(2).unregistered);
        assertFalse("a withdrawn status tells the broker is gone",
                ((BrokerStatus) registrations.get(2).service).health().started());
        assertTrue("the broker stopped before its factory was withdrawn", registration.brokerRunningAtUnregister);
        assertFalse(BrokerRegistry.getInstance().getBrokers().containsKey("component"));
        // create=false: the factory must not bring up a stray broker of its own
        assertThrows(JMSException.class, () -> factory.createConnection().start());
    }

    @Test
    public void theServicesMayComeAndGoUnderTheRunningBroker() throws Exception {
        Map<String, Object> properties = embedded("dynamic", folder.newFolder());
        properties.put("persistent", false);
        properties.put("useJmx", false);
        component.activate(context(), config(properties));
        URI tcp = URI.create("tcp://127.0.0.1:" + properties.get("openwirePort"));
        List<Connection> connections = new ArrayList<>();
        try {
            // neither service yet: anonymous may connect, nothing more (fail closed); credentials cannot be checked
            Connection anonymous = new ActiveMQConnectionFactory(tcp).createConnection();
            connections.add(anonymous);
            anonymous.start();
            Session session = anonymous.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThrows(JMSSecurityException.class, () -> session.createConsumer(session.createTopic("demo.news")));
            Connection early = new ActiveMQConnectionFactory(tcp).createConnection("alice", "wonderland");
            connections.add(early);
            assertEquals("authentication unavailable",
                    assertThrows(JMSSecurityException.class, early::start).getMessage());

            FakeAccessControl acl = new FakeAccessControl().grant("user:alice", "demo.>", Permission.SUBSCRIBE);
            component.bindAuthenticator(new FakeAuthenticator());
            component.bindAccessControl(acl);
            Connection alice = new ActiveMQConnectionFactory(tcp).createConnection("alice", "wonderland");
            connections.add(alice);
            BlockingQueue<JMSException> errors = new LinkedBlockingQueue<>();
            alice.setExceptionListener(errors::add);
            alice.start();
            Session aliceSession = alice.createSession(false, Session.AUTO_ACKNOWLEDGE);
            aliceSession.createConsumer(aliceSession.createTopic("demo.>"));

            // halley-acl calls the registered listener after a change
            acl.revoke("user:alice", "demo.>");
            ((AccessControlListener) registrations.get(1).service).rulesChanged();
            JMSException told = errors.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(told);
            assertEquals("forbidden: not allowed to subscribe to demo.>", told.getMessage());

            // the access control goes: fail closed, what it allowed ends
            acl.grant("user:alice", "demo.news", Permission.SUBSCRIBE);
            aliceSession.createConsumer(aliceSession.createTopic("demo.news"));
            component.unbindAccessControl(acl);
            told = errors.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(told);
            assertEquals("forbidden: not allowed to subscribe to demo.news", told.getMessage());
            assertEquals(Long.valueOf(2), component.security().counters().get("revoked.subscribe"));
        } finally {
            for (Connection connection : connections) {
                try {
                    connection.close();
                } catch (JMSException ignored) {
                    // refused by the broker already
                }
            }
        }
    }

    @Test
    public void externalModeRegistersAFactoryWithItsMode() throws Exception {
        Map<String, Object> properties = new HashMap<>();
        properties.put("mode", "external");
        properties.put("externalUrl", "failover:(tcp://a.invalid:61616,tcp://b.invalid:61616)");
        properties.put("externalUser", "halley");
        properties.put("externalPassword", "secret");
        component.activate(context(), config(properties));

        Registration registration = registrations.get(0);
        assertEquals("external", registration.properties.get("halley.broker.mode"));
        org.apache.activemq.ActiveMQConnectionFactory factory =
                (org.apache.activemq.ActiveMQConnectionFactory) registration.service;
        assertEquals("failover:(tcp://a.invalid:61616,tcp://b.invalid:61616)", factory.getBrokerURL());
        assertEquals("halley", factory.getUserName());
        component.deactivate();
        assertTrue(registration.unregistered);
    }

    @Test
    public void dataDirectoryFallsBackFromConfigToKarafDataToTheBundleDataArea() throws Exception {
        bundleData = folder.newFolder("bundle-data");
        Map<String, Object> properties = new HashMap<>();
        assertEquals(new File(bundleData, "broker"), BrokerComponent.dataDirectory(context(), config(properties)));

        frameworkProperties.put("karaf.data", "/opt/halley/data");
        assertEquals(new File("/opt/halley/data/halley/broker"),
                BrokerComponent.dataDirectory(context(), config(properties)));

        properties.put("dataDirectory", "/srv/broker");
        assertEquals(new File("/srv/broker"), BrokerComponent.dataDirectory(context(), config(properties)));
    }

    @Test
    public void aBrokerThatCannotStartRegistersNothing() throws Exception {
        Map<String, Object> properties = embedded("clash", folder.newFolder());
        properties.put("useJmx", false);
        BrokerRunner occupant = new BrokerRunner(config(properties), folder.newFolder());
        occupant.start();
        try {
            // same OpenWire port: the second broker cannot bind it
            Map<String, Object> clashing = new HashMap<>(properties);
            clashing.put("brokerName", "clash2");
            clashing.put("stompPort", TestBrokers.freePort());
            assertThrows(Exception.class, () -> component.activate(context(), config(clashing)));
            assertTrue(registrations.isEmpty());
            assertFalse(BrokerRegistry.getInstance().getBrokers().containsKey("clash2"));
        } finally {
            occupant.stop();
        }
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getProperty":
                            return frameworkProperties.get((String) args[0]);
                        case "getDataFile":
                            return bundleData == null ? null : new File(bundleData, (String) args[0]);
                        case "registerService":
                            return register(args);
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private ServiceRegistration<?> register(Object[] args) {
        Registration registration = new Registration();
        registration.classes = args[0] instanceof Class<?> ? new String[] {((Class<?>) args[0]).getName()}
                : args[0] instanceof String ? new String[] {(String) args[0]} : (String[]) args[0];
        registration.service = args[1];
        registration.properties = (Dictionary<?, ?>) args[2];
        registrations.add(registration);
        return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (proxy, method, methodArgs) -> {
                    if (!"unregister".equals(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    registration.unregistered = true;
                    registration.brokerRunningAtUnregister = !BrokerRegistry.getInstance().getBrokers().isEmpty();
                    return null;
                });
    }
}
