package io.halley.transport.longpoll.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley long-polling transport",
        description = "Long-polling at /halley/poll: plain HTTP GETs that wait for messages")
public @interface LongPollConfig {

    @AttributeDefinition(name = "Poll timeout (ms)",
            description = "How long a poll waits for messages when the request names no timeout", min = "0")
    long timeout() default 30000;

    @AttributeDefinition(name = "Longest poll timeout (ms)",
            description = "The most a request's timeout parameter may ask for; longer ones are cut to this",
            min = "0")
    long maxTimeout() default 120000;

    @AttributeDefinition(name = "Messages per answer",
            description = "The most message frames in one answer", min = "1")
    int maxMessages() default 1000;

    @AttributeDefinition(name = "Bytes per answer",
            description = "Stop adding frames to an answer once it holds this many bytes", min = "1024")
    int maxBytes() default 1048576;

    @AttributeDefinition(name = "Longest query string",
            description = "Requests with a longer query string are refused with bad_request", min = "256")
    int maxQueryLength() default 4096;
}
