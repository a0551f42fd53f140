package io.halley.transport.sse.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.halley.api.Frame;
import io.halley.api.Session;
import io.halley.transport.http.FrameWriter;

/** One open event stream: a {@code retry:} and a {@code connected} event, then one event per frame. */
final class SseConnection extends FrameWriter {

    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_CLOSE = "event: close\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);
    // An EventSource never shows comments to the page, so a protocol client, which
    // must tell a silent connection from a quiet one, gets heartbeats as events.
    private static final byte[] HEARTBEAT_EVENT =
            "event: heartbeat\ndata: {\"type\":\"heartbeat\"}\n\n".getBytes(StandardCharsets.US_ASCII);

    private final SseServlet servlet;
    private final boolean protocol;

    /**
     * @param protocol whether the client speaks the full protocol ({@code protocol=1}):
     *                 heartbeats and sequenced frames other than messages become named events
     */
    SseConnection(SseServlet servlet, Session session, boolean resumed, boolean protocol) {
        super(session, resumed, servlet.config().heartbeatInterval(),
                servlet.config().maxFramesPerWrite(), servlet.config().maxBytesPerWrite());
        this.servlet = servlet;
        this.protocol = protocol;
    }

    @Override
    protected void writePreamble(ByteArrayOutputStream buf, String connected) {
        text(buf, "retry: " + servlet.config().retry() + "\nevent: connected\ndata: " + connected + "\n\n");
    }

    @Override
    protected void writeFrame(ByteArrayOutputStream buf, Frame frame) {
        // once per frame per subscriber: bytes straight into the buffer, no strings made on the way
        if ("close".equals(frame.type())) {
            buf.writeBytes(EVENT_CLOSE);
        } else if (frame.seq() > 0) {
            buf.writeBytes(ID);
            decimal(buf, frame.seq());
            buf.write('\n');
            // a plain subscription keeps every sequenced frame on onmessage, as shipped;
            // a protocol client listens for reply and gap by name
            if (protocol && !"message".equals(frame.type())) {
                text(buf, "event: " + frame.type() + "\n");
            }
        } else {
            text(buf, "event: " + frame.type() + "\n");
        }
        buf.writeBytes(DATA);
        try {
            frame.writeTo(buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        buf.writeBytes(END);
    }

    private static void decimal(ByteArrayOutputStream buf, long n) {
        if (n >= 10) {
            decimal(buf, n / 10);
        }
        buf.write((int) ('0' + n % 10));
    }

    @Override
    protected void writeHeartbeat(ByteArrayOutputStream buf) {
        buf.writeBytes(protocol ? HEARTBEAT_EVENT : HEARTBEAT);
    }

    @Override
    protected void ended() {
        servlet.removed(this);
    }

    private static void text(ByteArrayOutputStream buf, String s) {
        buf.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
