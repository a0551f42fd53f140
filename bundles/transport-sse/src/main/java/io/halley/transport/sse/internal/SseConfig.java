package io.halley.transport.sse.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley SSE transport",
        description = "Server-Sent Events at /halley/sse: EventSource, curl -N")
public @interface SseConfig {

    @AttributeDefinition(name = "Heartbeat interval (ms)",
            description = "How often an idle stream gets a ': heartbeat' comment (a heartbeat event"
                    + " with protocol=1), so that proxies keep it open and a dead client is noticed", min = "100")
    long heartbeatInterval() default 15000;

    @AttributeDefinition(name = "Reconnect delay (ms)",
            description = "The 'retry:' an EventSource waits before it reconnects", min = "0")
    long retry() default 2000;

    @AttributeDefinition(name = "Frames per write",
            description = "The most frames drained from a session into one write", min = "1")
    int maxFramesPerWrite() default 256;

    @AttributeDefinition(name = "Bytes per write",
            description = "Stop adding frames to one write once it holds this many bytes", min = "1024")
    int maxBytesPerWrite() default 65536;

    @AttributeDefinition(name = "Longest query string",
            description = "Requests with a longer query string are refused with bad_request", min = "256")
    int maxQueryLength() default 4096;
}
