package io.halley.api;

/**
 * A snapshot of a channel as the hub sees it, for operators.
 *
 * @param name        the channel name
 * @param subscribers sessions subscribed to it, directly or through a pattern
 * @param messages    messages the hub received on it since it started
 * @param lastOffset  the offset of the last message received on it
 * @param lastMessageAt when the last message was received, in milliseconds since the epoch
 */
public record ChannelInfo(String name, int subscribers, long messages, long lastOffset, long lastMessageAt) {
}
