/**
 * What Halley's HTTP transports share, so that no transport depends on another.
 *
 * <p>A streaming transport (Server-Sent Events, NDJSON streaming) extends
 * {@link FrameWriter} for each open response and says only how its preamble, a frame
 * and a heartbeat look on the wire; the writer moves the session's frames to the
 * response without ever blocking a thread. Every transport that takes client frames
 * over {@code POST} reads the body with {@link ClientFrames#read}, which enforces the
 * hub's limits and the documented errors before the body reaches
 * {@link io.halley.api.Session#handle}.
 */
@Export
@Version("0.1.0")
package io.halley.transport.http;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
