package io.halley.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley console",
        description = "The admin web console at /halley/console.")
public @interface ConsoleConfig {

    @AttributeDefinition(
            name = "Admin role",
            description = "The role a realm user needs to log in to the console; anyone else is refused.")
    String adminRole() default "halley-admin";

    @AttributeDefinition(
            name = "Idle timeout",
            description = "Seconds without an action of the operator (a click, a navigation, a filter typed) after"
                    + " which the console logs them out, although its pages keep refreshing themselves.")
    int sessionTimeout() default 900;

    @AttributeDefinition(
            name = "Refresh interval",
            description = "Milliseconds between two refreshes of the open page (dashboard, channels, sessions).")
    int refreshInterval() default 1000;

    @AttributeDefinition(
            name = "Chart length",
            description = "Seconds of message rates the dashboard's chart shows (one sample a second).")
    int chartSeconds() default 300;
}
