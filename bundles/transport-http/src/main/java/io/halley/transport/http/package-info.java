/**
 * What Halley's HTTP transports share, so that no transport depends on another.
 *
 * <p>Each HTTP transport's servlet extends {@link HttpTransportServlet}, which gives every
 * transport the same methods, errors, {@code POST} of client frames, query parameters and
 * stopping; the transport says only how its {@code GET} answers. A streaming transport
 * (Server-Sent Events, NDJSON streaming) extends {@link FrameStreamServlet}, which also
 * heartbeats and starts its streams, and extends {@link FrameWriter} for each open
 * response, saying only how its preamble, a frame and a heartbeat look on the wire; the
 * writer moves the session's frames to the response without ever blocking a thread.
 * Client frames sent by {@code POST} are read with {@link ClientFrames#read}, which
 * enforces the hub's limits and the documented errors before the body reaches
 * {@link io.halley.api.Session#handle}.
 */
@Export
@Version("0.3.0")
package io.halley.transport.http;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
