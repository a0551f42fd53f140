package io.halley.broker.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.SslContext;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.network.NetworkConnector;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.activemq.usage.SystemUsage;
import org.apache.activemq.util.IntrospectionSupport;
import org.apache.activemq.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the embedded broker, or stands for the external one, and makes the
 * connection factory Halley uses. Plain Java, so that it runs in a unit test as it
 * runs in Karaf.
 */
final class BrokerRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerRunner.class);

    /*
     * A STOMP frame that passed the STOMP limit becomes a slightly larger OpenWire
     * frame (ids, destination, broker path). Without this headroom a network bridge
     * would fail on such a message forever instead of forwarding it.
     */
    static final int OPENWIRE_HEADROOM = 64 * 1024;

    private static final long START_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(60);
    private static final long MB = 1024L * 1024L;

    private final BrokerConfig config;
    private final File dataDirectory;
    private final BrokerSecurity security;
    private BrokerService broker;

    /** A broker without Halley's authentication and permissions: for tests of the broker alone. */
    BrokerRunner(BrokerConfig config, File dataDirectory) {
        this(config, dataDirectory, null);
    }

    /**
     * @param dataDirectory where the embedded broker keeps its files; ignored in
     *                      external mode
     * @param security      the authentication and channel permissions of the embedded broker
     */
    BrokerRunner(BrokerConfig config, File dataDirectory, BrokerSecurity security) {
        this.config = config;
        this.dataDirectory = dataDirectory;
        this.security = security;
        if (!isEmbedded() && !BrokerConfig.MODE_EXTERNAL.equals(config.mode())) {
            throw new IllegalArgumentException("mode must be embedded or external, not " + config.mode());
        }
        if (!isEmbedded() && config.externalUrl().isBlank()) {
            throw new IllegalArgumentException("mode external needs an externalUrl");
        }
        if (config.maxFrameSize() <= 0) {
            throw new IllegalArgumentException("maxFrameSize must be positive, not " + config.maxFrameSize());
        }
    }

    boolean isEmbedded() {
        return BrokerConfig.MODE_EMBEDDED.equals(config.mode());
    }

    /** Starts the embedded broker and returns once it takes connections; nothing in external mode. */
    synchronized void start() throws Exception {
        if (!isEmbedded() || broker != null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // ActiveMQ finds its transports, stores and wire formats through the TCCL; in
        // OSGi the caller's loader sees none of them
        thread.setContextClassLoader(BrokerService.class.getClassLoader());
        try {
            BrokerService service = build();
            service.start();
            if (!service.waitUntilStarted(START_TIMEOUT_MS)) {
                service.stop();
                throw new IllegalStateException("broker " + config.brokerName() + " did not start within "
                        + START_TIMEOUT_MS + " ms", service.getStartException());
            }
            broker = service;
        } finally {
            thread.setContextClassLoader(previous);
        }
        LOG.info("Broker {} started in {} (persistent={}, openwire={}, stomp={}, ws={}, ssl={}, stomp+ssl={}, "
                + "security={})", config.brokerName(), dataDirectory, config.persistent(), connectUri("tcp"),
                connectUri("stomp"), connectUri("ws"), connectUri("ssl"), connectUri("stomp+ssl"),
                security == null ? "off" : "on");
    }

    /** Stops the embedded broker and returns once it has stopped. */
    synchronized void stop() throws Exception {
        BrokerService service = broker;
        broker = null;
        if (service == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(BrokerService.class.getClassLoader());
        try {
            service.stop();
            service.waitUntilStopped();
        } finally {
            thread.setContextClassLoader(previous);
        }
        LOG.info("Broker {} stopped", config.brokerName());
    }

    /** @return the connection factory for the running broker: in-VM when embedded */
    ActiveMQConnectionFactory connectionFactory() {
        ActiveMQConnectionFactory factory;
        if (isEmbedded()) {
            // create=false: never let a connection quietly start a second, unconfigured broker
            factory = new ActiveMQConnectionFactory("vm://" + config.brokerName() + "?create=false");
            if (security != null) {
                // Halley's own connections log in as a system part, by a credential that exists in memory only
                factory.setUserName(security.internalCredential().user());
                factory.setPassword(security.internalCredential().password());
            }
        } else {
            factory = new ActiveMQConnectionFactory(config.externalUrl());
            if (!config.externalUser().isEmpty()) {
                factory.setUserName(config.externalUser());
                factory.setPassword(config.externalPassword());
            }
        }
        return factory;
    }

    /**
     * @param scheme "tcp" (OpenWire), "stomp", "ws" (STOMP over WebSocket), "ssl" (OpenWire over TLS) or
     *               "stomp+ssl"
     * @return the address clients reach that connector at, or null when it is off
     */
    synchronized URI connectUri(String scheme) {
        if (broker == null) {
            return null;
        }
        TransportConnector connector = broker.getConnectorByName(scheme);
        if (connector == null) {
            return null;
        }
        try {
            return connector.getConnectUri();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the running embedded broker, or null; for tests */
    synchronized BrokerService broker() {
        return broker;
    }

    private BrokerService build() throws Exception {
        // before anything else: a key store that cannot be read must not leave a half-built broker
        SslContext ssl = TlsStores.wanted(config) ? TlsStores.load(config) : null;
        BrokerService service = new BrokerService();
        if (ssl != null) {
            service.setSslContext(ssl);
        }
        if (security != null) {
            service.setPlugins(new BrokerPlugin[] {security});
        }
        service.setBrokerName(config.brokerName());
        // Karaf stops the bundle on shutdown; a JVM hook would race it
        service.setUseShutdownHook(false);
        service.setUseJmx(config.useJmx());
        if (config.useJmx()) {
            // MBeans go to the platform server, which Karaf already exposes; no RMI port of our own
            service.getManagementContext().setCreateConnector(false);
        }
        service.setDataDirectoryFile(dataDirectory);
        service.setTmpDataDirectory(new File(dataDirectory, "tmp_storage"));
        service.setPersistent(config.persistent());
        if (config.persistent()) {
            KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
            kahaDb.setDirectory(new File(dataDirectory, "kahadb"));
            service.setPersistenceAdapter(kahaDb);
        }

        SystemUsage usage = service.getSystemUsage();
        usage.getMemoryUsage().setLimit(config.memoryLimitMb() * MB);
        usage.getStoreUsage().setLimit(config.storeLimitMb() * MB);
        usage.getTempUsage().setLimit(config.tempLimitMb() * MB);

        service.setOfflineDurableSubscriberTimeout(config.offlineDurableSubscriberTimeout() > 0
                ? config.offlineDurableSubscriberTimeout() : -1);
        service.setOfflineDurableSubscriberTaskSchedule(config.offlineDurableSubscriberTaskSchedule());

        if (config.openwirePort() > 0) {
            addConnector(service, "tcp", config.openwirePort(),
                    "wireFormat.maxFrameSize=" + ((long) config.maxFrameSize() + OPENWIRE_HEADROOM));
        }
        if (config.stompPort() > 0) {
            // maxDataLength bounds the body, maxFrameSize the whole frame: either alone
            // leaves the other way to send an unbounded frame open
            addConnector(service, "stomp", config.stompPort(),
                    "wireFormat.maxDataLength=" + config.maxFrameSize()
                            + "&wireFormat.maxFrameSize=" + config.maxFrameSize());
        }

        String clientAuth = config.needClientAuth() ? "&transport.needClientAuth=true" : "";
        if (config.sslPort() > 0) {
            addConnector(service, "ssl", config.sslPort(),
                    "wireFormat.maxFrameSize=" + ((long) config.maxFrameSize() + OPENWIRE_HEADROOM) + clientAuth);
        }
        if (config.stompSslPort() > 0) {
            addConnector(service, "stomp+ssl", config.stompSslPort(),
                    "wireFormat.maxDataLength=" + config.maxFrameSize()
                            + "&wireFormat.maxFrameSize=" + config.maxFrameSize() + clientAuth);
        }

        if (config.wsPort() > 0) {
            // ActiveMQ's STOMP-over-WebSocket (off by default): a Jetty 9.4 server of its own, which in Karaf
            // needs the Jetty WebSocket bundles of pax-web-jetty-websockets
            addConnector(service, "ws", config.wsPort(), "wireFormat.maxFrameSize=" + config.maxFrameSize());
        }

        String[] networks = config.networkConnectors();
        for (int i = 0; i < networks.length; i++) {
            String uri = networks[i].trim();
            if (!uri.isEmpty()) {
                addNetworkConnector(service, uri, i);
            }
        }
        return service;
    }

    private void addConnector(BrokerService service, String scheme, int port, String options) throws Exception {
        TransportConnector connector = new TransportConnector();
        // the name lets connectUri find it again; the port alone does not (it may be 0 in tests)
        connector.setName(scheme);
        connector.setUri(new URI(scheme + "://" + config.bindAddress() + ":" + port + "?" + options));
        service.addConnector(connector);
    }

    private void addNetworkConnector(BrokerService service, String uri, int index) throws Exception {
        NetworkConnector connector = service.addNetworkConnector(uri);
        // every connector is named "NC" otherwise, and the second one's MBean clashes
        connector.setName(config.brokerName() + "-network-" + index);
        // ActiveMQ hands the URI's options to the discovery agent only; network.* ones
        // are the bridge's own (duplex, networkTTL, ...)
        Map<String, String> options = URISupport.parseParameters(new URI(uri));
        IntrospectionSupport.setProperties(connector, options, "network.");
    }
}
