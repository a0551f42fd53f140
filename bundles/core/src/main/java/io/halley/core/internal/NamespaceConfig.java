package io.halley.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Halley channel namespace",
        description = "The limits of the channels whose first segment is the namespace's name: one application's channels")
public @interface NamespaceConfig {

    @AttributeDefinition(description = "The namespace: the first segment of its channels (chat for chat.room1)")
    String name();

    @AttributeDefinition(description = "Messages kept per channel for recovery; 0 keeps none")
    int historySize() default 100;

    @AttributeDefinition(description = "How long a message stays in a channel's history, in milliseconds")
    long historyAge() default 300_000L;

    @AttributeDefinition(description = "Largest message body in this namespace, in bytes; 0 for the hub's maxMessageSize")
    int maxMessageSize() default 0;
}
