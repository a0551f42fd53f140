package io.halley.acl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley channel permissions",
        description = "Where the channel permission rules are kept; the rules themselves are in that file.")
public @interface AclConfig {

    @AttributeDefinition(
            name = "Rules file",
            description = "The rules file; ${karaf.etc} and relative paths are resolved against Karaf's etc folder."
                    + " When it does not exist, the shipped default rules are written to it.")
    String file() default "${karaf.etc}/halley-acl.rules";

    @AttributeDefinition(
            name = "Watch the file",
            description = "Apply an edit of the file within a second or two. When off, the file is read at"
                    + " activation and before every change made through the service.")
    boolean watch() default true;
}
