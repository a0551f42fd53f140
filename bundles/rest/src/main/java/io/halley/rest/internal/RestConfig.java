package io.halley.rest.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley REST API",
        description = "The HTTP API under /halley/api: publishing, and the admin endpoints (sessions, stats,"
                + " channel permissions).")
public @interface RestConfig {

    @AttributeDefinition(
            name = "Publishing enabled",
            description = "Whether POST /halley/api/channels/{channel}/messages is served; when off it answers 404.")
    boolean publishEnabled() default true;

    @AttributeDefinition(
            name = "Admin endpoints enabled",
            description = "Whether the admin endpoints (channels, sessions, stats, acl) are served;"
                    + " when off they answer 404.")
    boolean adminEnabled() default true;

    @AttributeDefinition(
            name = "Admin role",
            description = "The role an identity needs for the admin endpoints: without credentials they answer"
                    + " 401, with credentials that lack the role 403.")
    String adminRole() default "halley-admin";
}
