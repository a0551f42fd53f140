package io.halley.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

import org.junit.Test;

public class BodyTypesTest {

    @Test
    public void mapsMediaTypes() {
        assertEquals(ContentType.AUTO, BodyTypes.of(null));
        assertEquals(ContentType.AUTO, BodyTypes.of(" "));
        assertEquals(ContentType.AUTO, BodyTypes.of("application/x-www-form-urlencoded"));
        assertEquals(ContentType.JSON, BodyTypes.of("application/json"));
        assertEquals(ContentType.JSON, BodyTypes.of("Application/JSON; charset=utf-8"));
        assertEquals(ContentType.JSON, BodyTypes.of("application/ld+json"));
        assertEquals(ContentType.JSON, BodyTypes.of("application/json;charset=\"UTF8\""));
        assertEquals(ContentType.TEXT, BodyTypes.of("text/plain"));
        assertEquals(ContentType.TEXT, BodyTypes.of("text/csv; header=present"));
    }

    @Test
    public void refusesOtherTypesAndCharsets() {
        for (String h : new String[] {"application/xml", "application/octet-stream", "multipart/form-data",
                "json", "/json", "text/", "text/plain; charset=latin1", "application/json; charset=utf-16"}) {
            try {
                BodyTypes.of(h);
                fail(h);
            } catch (HalleyException e) {
                assertEquals(h, ErrorCode.UNSUPPORTED_MEDIA_TYPE, e.code());
            }
        }
    }
}
