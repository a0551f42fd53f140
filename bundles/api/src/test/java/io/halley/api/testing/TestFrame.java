package io.halley.api.testing;

import java.nio.charset.StandardCharsets;

import io.halley.api.CloseReason;
import io.halley.api.Frame;
import io.halley.api.Message;

public record TestFrame(String type, long seq, Message message, String json) implements Frame {

    public static TestFrame message(long seq, Message m) {
        return new TestFrame("message", seq, m, "{\"type\":\"message\",\"seq\":" + seq + ",\"channel\":\""
                + m.channel() + "\",\"offset\":" + m.offset() + ",\"id\":\"" + m.id() + "\",\"ts\":"
                + m.timestamp() + ",\"data\":" + m.payload() + "}");
    }

    public static TestFrame close(CloseReason reason) {
        return new TestFrame("close", 0, null,
                "{\"type\":\"close\",\"reason\":\"" + reason.code() + "\",\"reconnect\":" + reason.reconnect() + "}");
    }

    @Override
    public int size() {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }
}
