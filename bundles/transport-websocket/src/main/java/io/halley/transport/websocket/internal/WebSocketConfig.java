package io.halley.transport.websocket.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley WebSocket transport",
        description = "The full protocol over one WebSocket at /halley/ws")
public @interface WebSocketConfig {

    @AttributeDefinition(name = "Heartbeat interval (ms)",
            description = "A socket that was sent nothing for this long gets {\"type\":\"heartbeat\"},"
                    + " so that proxies keep it open and the client tells silent from dead", min = "100")
    long heartbeatInterval() default 15000;

    @AttributeDefinition(name = "Largest client message (characters)",
            description = "A longer text message closes the socket with 1009; the hub's own limit"
                    + " applies when it is lower", min = "1024")
    int maxMessageSize() default 300000;

    @AttributeDefinition(name = "Idle timeout (ms)",
            description = "A socket with neither reads nor writes for this long is closed;"
                    + " keep it above the heartbeat interval", min = "1000")
    long idleTimeout() default 60000;

    @AttributeDefinition(name = "Frames per poll",
            description = "The most frames taken from a session's queue at a time", min = "1")
    int maxFramesPerWrite() default 256;

    @AttributeDefinition(name = "Bytes per poll",
            description = "Stop taking frames from a session's queue once this many bytes are taken", min = "1024")
    int maxBytesPerWrite() default 65536;

    @AttributeDefinition(name = "Bad frames in a row",
            description = "A socket that sends more malformed frames than this in a row"
                    + " is closed with 1008", min = "1")
    int maxBadFrames() default 16;
}
