package io.halley.rest.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.halley.api.ChannelName;
import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Publisher;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what it is given and checks it as the real publisher documents. */
final class FakePublisher implements Publisher {

    record Published(Identity publisher, String channel, byte[] body, ContentType type) {
    }

    final List<Published> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final int maxMessageSize;
    volatile RuntimeException failWith;
    /** As the core does: only identities this allows may publish (everyone, unless a test says otherwise). */
    volatile java.util.function.BiPredicate<Identity, String> mayPublish = (who, channel) -> true;

    FakePublisher(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public String publish(Identity publisher, String channel, byte[] body, ContentType type) {
        if (failWith != null) {
            throw failWith;
        }
        ChannelName.requireChannel(channel);
        if (!mayPublish.test(publisher, channel)) {
            throw new HalleyException(ErrorCode.FORBIDDEN, "publishing to " + channel + " is not allowed");
        }
        if (body.length > maxMessageSize) {
            // The servlet must refuse these itself; a 500 makes the test that let one through fail.
            throw new IllegalStateException("the servlet passed on a body of " + body.length + " bytes");
        }
        if (type == ContentType.JSON && !isJson(body)) {
            throw new HalleyException(ErrorCode.INVALID_JSON, "the body is not valid JSON");
        }
        published.add(new Published(publisher, channel, body, type));
        return "ID:test-" + ids.incrementAndGet();
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    private static boolean isJson(byte[] body) {
        try (JsonParser p = new JsonFactory().createParser(body)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
