package io.halley.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

import java.util.List;

import org.junit.Test;

public class PathSegmentsTest {

    @Test
    public void splitsTheRawPath() {
        assertEquals(List.of(), PathSegments.split(null));
        assertEquals(List.of(), PathSegments.split("/"));
        assertEquals(List.of("channels"), PathSegments.split("/channels/"));
        assertEquals(List.of("channels", "a%2Fb", "messages"), PathSegments.split("/channels/a%2Fb/messages"));
        assertEquals(List.of("channels", "", "messages"), PathSegments.split("/channels//messages"));
    }

    @Test
    public void decodesOneSegmentAsUtf8() {
        assertEquals("demo.news", PathSegments.decodeChannel("demo.news"));
        assertEquals("demo.news", PathSegments.decodeChannel("demo%2enews"));
        assertEquals("a+b", PathSegments.decodeChannel("a+b"));
        assertEquals("a/b", PathSegments.decodeChannel("a%2Fb"));
        assertEquals("é", PathSegments.decodeChannel("%C3%A9"));
    }

    @Test
    public void malformedEscapesAreInvalidChannels() {
        for (String raw : new String[] {"bad%ZZ", "bad%4", "bad%", "%FF", "%C3"}) {
            try {
                PathSegments.decodeChannel(raw);
                fail(raw);
            } catch (HalleyException e) {
                assertEquals(raw, ErrorCode.INVALID_CHANNEL, e.code());
            }
        }
    }
}
