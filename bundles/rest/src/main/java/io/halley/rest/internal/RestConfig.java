package io.halley.rest.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley REST API",
        description = "The HTTP API under /halley/api: publishing, and read-only admin endpoints.")
public @interface RestConfig {

    @AttributeDefinition(
            name = "Publishing enabled",
            description = "Whether POST /halley/api/channels/{channel}/messages is served; when off it answers 404.")
    boolean publishEnabled() default true;

    @AttributeDefinition(
            name = "Admin endpoints enabled",
            description = "Whether the read-only GET /halley/api/channels, /sessions and /stats are served;"
                    + " when off they answer 404. They show client addresses and session ids.")
    boolean adminEnabled() default true;
}
