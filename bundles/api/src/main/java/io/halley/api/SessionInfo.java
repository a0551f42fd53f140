package io.halley.api;

import java.util.Set;

/**
 * A snapshot of a session, for operators.
 *
 * @param id            the session id
 * @param user          who opened it: {@code anonymous}, {@code user:NAME}, {@code key:NAME}
 * @param transport     the transport that attached last
 * @param remoteAddress the remote address of the connection that attached last
 * @param createdAt     when the session was opened, in milliseconds since the epoch
 * @param connected     whether a connection is attached now
 * @param subscriptions the subscribed channels and patterns
 * @param queued        frames in the outbound queue (unsent and unacknowledged)
 * @param lastSeq       the sequence number of the last message frame queued
 */
public record SessionInfo(String id, String user, String transport, String remoteAddress, long createdAt,
        boolean connected, Set<String> subscriptions, int queued, long lastSeq) {
}
