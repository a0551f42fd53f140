package io.halley.transport.streaming.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley HTTP streaming transport",
        description = "HTTP streaming at /halley/stream: one JSON frame per line of a chunked response")
public @interface StreamingConfig {

    @AttributeDefinition(name = "Heartbeat interval (ms)",
            description = "How often an idle stream gets a heartbeat line, so that proxies"
                    + " keep it open and a dead client is noticed", min = "100")
    long heartbeatInterval() default 15000;

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
