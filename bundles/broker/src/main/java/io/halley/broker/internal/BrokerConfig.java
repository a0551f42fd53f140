package io.halley.broker.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(
        name = "Halley broker",
        description = "The embedded ActiveMQ broker that carries every Halley message, or the connection to an external one.")
public @interface BrokerConfig {

    String MODE_EMBEDDED = "embedded";
    String MODE_EXTERNAL = "external";

    @AttributeDefinition(
            description = "embedded: run an ActiveMQ broker inside Halley. external: start no broker, connect to externalUrl.",
            options = {@Option(value = MODE_EMBEDDED, label = "embedded"), @Option(value = MODE_EXTERNAL, label = "external")})
    String mode() default MODE_EMBEDDED;

    @AttributeDefinition(description = "Broker URL in external mode, for example failover:(tcp://a:61616,tcp://b:61616)")
    String externalUrl() default "";

    @AttributeDefinition(required = false, description = "User name for the external broker; empty for none")
    String externalUser() default "";

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD,
            description = "Password for the external broker")
    String externalPassword() default "";

    @AttributeDefinition(description = "Broker name; unique within a network of brokers. Also the vm:// name Halley connects to.")
    String brokerName() default "halley";

    @AttributeDefinition(description = "Address the OpenWire and STOMP connectors listen on; 0.0.0.0 for every interface")
    String bindAddress() default "127.0.0.1";

    @AttributeDefinition(description = "OpenWire (JMS) port; 0 disables the connector")
    int openwirePort() default 61616;

    @AttributeDefinition(description = "STOMP 1.0/1.1/1.2 port; 0 disables the connector")
    int stompPort() default 61613;

    @AttributeDefinition(description = "ActiveMQ's own STOMP-over-WebSocket port (ws://, subprotocol v12.stomp); 0, the default, disables the connector")
    int wsPort() default 0;

    @AttributeDefinition(description = "OpenWire over TLS (ssl://) port; 0, the default, disables the connector. Needs keyStore")
    int sslPort() default 0;

    @AttributeDefinition(description = "STOMP over TLS (stomp+ssl://) port; 0, the default, disables the connector. Needs keyStore")
    int stompSslPort() default 0;

    @AttributeDefinition(required = false,
            description = "The TLS connectors' key store: a file with the broker's private key and certificate chain")
    String keyStore() default "";

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "Password of the key store")
    String keyStorePassword() default "";

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD,
            description = "Password of the private key; empty for the key store's password (as keytool makes PKCS12 files)")
    String keyPassword() default "";

    @AttributeDefinition(description = "Type of the key store and the trust store: PKCS12 or JKS")
    String keyStoreType() default "PKCS12";

    @AttributeDefinition(required = false,
            description = "Certificates of the clients (or their authorities) the TLS connectors trust; empty for the JDK's own")
    String trustStore() default "";

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "Password of the trust store")
    String trustStorePassword() default "";

    @AttributeDefinition(description = "TLS connectors refuse clients without a certificate from trustStore")
    boolean needClientAuth() default false;

    @AttributeDefinition(description = "Keep persistent messages and durable subscriptions in KahaDB across restarts")
    boolean persistent() default true;

    @AttributeDefinition(required = false,
            description = "Where the broker keeps its store; empty for <karaf.data>/halley/broker")
    String dataDirectory() default "";

    @AttributeDefinition(description = "Largest STOMP frame (headers and body) in bytes; OpenWire frames get a little headroom on top")
    int maxFrameSize() default 1048576;

    @AttributeDefinition(description = "Memory for messages in flight, in MiB; producers are slowed down beyond it")
    int memoryLimitMb() default 64;

    @AttributeDefinition(description = "Disk for persistent messages, in MiB")
    int storeLimitMb() default 1024;

    @AttributeDefinition(description = "Disk for non-persistent messages spooled out of memory, in MiB")
    int tempLimitMb() default 1024;

    @AttributeDefinition(description = "A durable subscription offline for longer than this (ms) is removed, with its messages; 0 keeps them forever")
    long offlineDurableSubscriberTimeout() default 86400000L;

    @AttributeDefinition(description = "How often (ms) offline durable subscriptions are checked against the timeout")
    long offlineDurableSubscriberTaskSchedule() default 300000L;

    @AttributeDefinition(description = "Register the broker's MBeans in the platform MBean server (Karaf's JMX); no extra JMX connector is opened")
    boolean useJmx() default true;

    @AttributeDefinition(required = false,
            description = "Network connectors to other brokers, for example static:(tcp://other:61616); options prefixed network. set the connector (network.duplex=true)")
    String[] networkConnectors() default {};
}
