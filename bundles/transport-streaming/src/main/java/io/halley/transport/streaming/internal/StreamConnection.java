package io.halley.transport.streaming.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.halley.api.Frame;
import io.halley.api.Session;
import io.halley.transport.http.FrameWriter;

/** One open stream: a {@code connected} line, then one frame per line. */
final class StreamConnection extends FrameWriter {

    private static final byte[] HEARTBEAT = "{\"type\":\"heartbeat\"}\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamingServlet servlet;

    StreamConnection(StreamingServlet servlet, Session session, boolean resumed) {
        super(session, resumed, servlet.config().heartbeatInterval(),
                servlet.config().maxFramesPerWrite(), servlet.config().maxBytesPerWrite());
        this.servlet = servlet;
    }

    @Override
    protected void writePreamble(ByteArrayOutputStream buf, String connected) {
        line(buf, connected);
    }

    @Override
    protected void writeFrame(ByteArrayOutputStream buf, Frame frame) {
        line(buf, frame.json());
    }

    @Override
    protected void writeHeartbeat(ByteArrayOutputStream buf) {
        buf.writeBytes(HEARTBEAT);
    }

    @Override
    protected void ended() {
        servlet.removed(this);
    }

    private static void line(ByteArrayOutputStream buf, String json) {
        buf.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        buf.write('\n');
    }
}
