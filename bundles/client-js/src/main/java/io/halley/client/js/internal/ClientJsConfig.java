package io.halley.client.js.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley browser library",
        description = "halley.js at /halley/halley.js (and .mjs), the demo chat at /halley/demo/")
public @interface ClientJsConfig {

    @AttributeDefinition(name = "Serve the demo",
            description = "Serve the demo chat at /halley/demo/; anyone who reaches the server can use it")
    boolean demoEnabled() default true;

    @AttributeDefinition(name = "Cache lifetime (s)",
            description = "How long browsers may use a file without asking again; 0: they ask every"
                    + " time, and an unchanged file costs a 304 thanks to its ETag", min = "0")
    long maxAge() default 0;
}
