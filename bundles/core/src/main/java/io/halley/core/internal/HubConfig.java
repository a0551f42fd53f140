package io.halley.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Halley hub", description = "Sessions, fan-out and the bridge to the broker's topics")
public @interface HubConfig {

    @AttributeDefinition(description = "How long a session lives with no connection attached, in milliseconds")
    long sessionLifetime() default 60_000L;

    @AttributeDefinition(description = "Most sessions open at once; more are refused with too_many_sessions")
    int maxSessions() default 100_000;

    @AttributeDefinition(description = "Most channels and patterns one session may subscribe to")
    int maxSubscriptionsPerSession() default 100;

    @AttributeDefinition(description = "Most frames a session's outbound queue holds (unsent and unacknowledged)")
    int queueMaxMessages() default 10_000;

    @AttributeDefinition(description = "Most bytes a session's outbound queue holds")
    long queueMaxBytes() default 8L * 1024 * 1024;

    @AttributeDefinition(description = "Largest message body, in bytes, published through Halley or delivered by the hub")
    int maxMessageSize() default 256 * 1024;

    @AttributeDefinition(description = "Messages kept per channel for recovery (subscribe with recover); "
            + "a namespace configuration (io.halley.namespace) overrides it for its channels")
    int historySize() default 100;

    @AttributeDefinition(description = "How long a message stays in a channel's history, in milliseconds")
    long historyAge() default 300_000L;

    @AttributeDefinition(description = "Most channels whose statistics the hub keeps; idle ones are forgotten first")
    int maxTrackedChannels() default 100_000;

    @AttributeDefinition(description = "Consume the broker topics with a durable subscription, so that messages "
            + "published while the hub is down (bundle restart, update) are delivered when it is back")
    boolean durableSubscription() default false;

    @AttributeDefinition(description = "This node's name: the JMS client id of the hub's subscription. "
            + "Must be unique among the nodes sharing a broker")
    String nodeName() default "halley";

    @AttributeDefinition(description = "Publish with persistent delivery (stored by the broker before it is acknowledged)")
    boolean publishPersistent() default true;

    @AttributeDefinition(description = "JMS sessions kept for publishing: how many publishes can be in flight at once")
    int publishSessions() default 4;

    @AttributeDefinition(description = "Longest wait for a free publishing session, in milliseconds, before unavailable")
    long publishTimeout() default 5_000L;
}
