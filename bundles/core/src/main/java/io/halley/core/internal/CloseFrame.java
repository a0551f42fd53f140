package io.halley.core.internal;

import io.halley.api.CloseReason;
import io.halley.api.Frame;
import io.halley.api.Message;

import java.nio.charset.StandardCharsets;

final class CloseFrame implements Frame {

    private final CloseReason reason;
    private final String json;

    CloseFrame(CloseReason reason) {
        this.reason = reason;
        this.json = reason.toJson();
    }

    CloseReason reason() {
        return reason;
    }

    @Override
    public String type() {
        return "close";
    }

    @Override
    public long seq() {
        return 0;
    }

    @Override
    public Message message() {
        return null;
    }

    @Override
    public String json() {
        return json;
    }

    @Override
    public int size() {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return json;
    }
}
