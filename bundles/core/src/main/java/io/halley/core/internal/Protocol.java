package io.halley.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import io.halley.api.ChannelName;
import io.halley.api.CloseReason;
import io.halley.api.ContentType;
import io.halley.api.Credentials;
import io.halley.api.Identity;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Json;
import io.halley.api.Publisher;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the hub does with client frames (docs/protocol.md, "Client frames"). Every answer
 * is a sequenced {@code reply} in the session's queue, so it reaches the client on
 * whichever connection it has, even after a reconnect.
 */
final class Protocol {

    private final HubCore hub;
    private final JsonFactory json = JsonFactory.builder().build();

    Protocol(HubCore hub) {
        this.hub = hub;
    }

    List<ClientFrame> parse(String text) {
        if (text.length() > hub.maxClientFrameSize()) {
            throw new HalleyException(ErrorCode.TOO_LARGE,
                    "a client frame is at most " + hub.maxClientFrameSize() + " characters");
        }
        return ClientFrame.parse(json, text);
    }

    int handle(SessionImpl s, String text) {
        List<ClientFrame> frames = parse(text);
        for (ClientFrame f : frames) {
            execute(s, f);
        }
        return frames.size();
    }

    private void execute(SessionImpl s, ClientFrame f) {
        if (f.defect != null) {
            hub.countError("protocol", ErrorCode.BAD_FRAME);
            return;
        }
        String result;
        try {
            switch (f.type) {
                case "subscribe" -> {
                    require(f.channel != null, "subscribe needs a \"channel\"");
                    long offset;
                    if (f.recoverOffset >= 0) {
                        offset = s.subscribe(f.channel, f.recoverOffset);
                    } else {
                        ChannelName.requirePattern(f.channel);
                        s.subscribe(f.channel);
                        offset = ChannelName.isWildcard(f.channel) ? 0 : hub.lastOffset(f.channel);
                    }
                    result = Json.quote(new StringBuilder("{\"channel\":"), f.channel)
                            .append(",\"offset\":").append(offset).append('}').toString();
                }
                case "unsubscribe" -> {
                    require(f.channel != null, "unsubscribe needs a \"channel\"");
                    s.unsubscribe(f.channel);
                    result = "{}";
                }
                case "publish" -> {
                    require(f.channel != null, "publish needs a \"channel\"");
                    require(f.data != null, "publish needs \"data\"");
                    Publisher publisher = hub.publisher();
                    if (publisher == null) {
                        throw new HalleyException(ErrorCode.UNAVAILABLE, "the broker is not available; try again later");
                    }
                    String id = publisher.publish(s.identity(), f.channel, f.data.getBytes(StandardCharsets.UTF_8), ContentType.JSON);
                    result = Json.quote(new StringBuilder("{\"id\":"), id).append('}').toString();
                }
                case "ack" -> {
                    require(f.seq >= 0, "ack needs a \"seq\"");
                    s.ack(f.seq);
                    return;
                }
                case "auth" -> {
                    require(f.token != null, "auth needs a \"token\"");
                    Identity fresh = hub.authenticate(Credentials.bearer(f.token));
                    if (!fresh.sameSubject(s.identity())) {
                        throw new HalleyException(ErrorCode.FORBIDDEN, "a token for another user cannot renew this session");
                    }
                    s.renew(fresh);
                    hub.revokeForbidden(s);
                    result = "{\"expiresAt\":" + fresh.expiresAt() + "}";
                }
                case "ping" -> result = "{\"time\":" + hub.now() + "}";
                case "close" -> {
                    s.close(CloseReason.CLIENT_CLOSED);
                    return;
                }
                case "connect" -> throw new HalleyException(ErrorCode.BAD_FRAME, "this connection is already connected");
                default -> throw new HalleyException(ErrorCode.UNKNOWN_TYPE, "unknown frame type");
            }
        } catch (HalleyException e) {
            hub.countError("protocol", e.code());
            if (f.id != null) {
                String body = ",\"id\":" + f.id + ",\"ok\":false,\"error\":"
                        + Json.quote(Json.quote(new StringBuilder("{\"code\":"), e.code().code()).append(",\"message\":"),
                                String.valueOf(e.getMessage())).append('}');
                s.enqueue(seq -> new TextFrame("reply", seq, body));
            }
            return;
        }
        if (f.id != null) {
            String body = ",\"id\":" + f.id + ",\"ok\":true,\"result\":" + result;
            s.enqueue(seq -> new TextFrame("reply", seq, body));
        }
    }

    private static void require(boolean ok, String why) {
        if (!ok) {
            throw new HalleyException(ErrorCode.BAD_FRAME, why);
        }
    }
}
