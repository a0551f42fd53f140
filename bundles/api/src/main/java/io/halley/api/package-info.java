/**
 * Halley's shared vocabulary: what every part of Halley agrees on.
 *
 * <p>A message is published to a {@linkplain ChannelName channel} through the
 * {@link Publisher}; it always travels through the broker topic named like the
 * channel, and the {@link Hub} fans it out from there to the {@link Session}s
 * subscribed to it. A transport (Server-Sent Events, long-polling, ...) only moves
 * a session's {@link Frame}s to a connection: it opens or resumes a session,
 * {@linkplain Session#attach attaches} a {@link SessionListener}, and writes what
 * {@link Session#poll} hands it.
 *
 * <p>Who a client is and what it may do: a transport hands the hub the
 * {@link Credentials} a client presented; the {@link Authenticator} turns them into an
 * {@link Identity}; the {@link AccessControl} decides, by {@link AclRule}s, which
 * {@link Permission}s that identity has on a channel. The hub, the HTTP API and the
 * broker all ask the same two services.
 *
 * <p>Failures that a client caused carry an {@link ErrorCode}, the same on every
 * way in, so that a transport or the HTTP API can answer with the documented
 * status and error body.
 *
 * <p>The frames and error bodies that the hub and the transports write by hand quote
 * their strings with {@link Json#quote}, so that the same text gives the same bytes on
 * every transport.
 */
@Export
@Version("0.3.0")
package io.halley.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
