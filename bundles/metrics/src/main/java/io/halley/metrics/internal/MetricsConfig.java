package io.halley.metrics.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Halley metrics",
        description = "The figures of the hub, the authentication and the broker as JMX MBeans and at /halley/metrics"
                + " in the Prometheus text format.")
public @interface MetricsConfig {

    @AttributeDefinition(
            name = "Serve /halley/metrics",
            description = "Whether /halley/metrics answers; when off it answers 404.")
    boolean httpEnabled() default true;

    @AttributeDefinition(
            name = "Ask for credentials",
            description = "Whether /halley/metrics needs a realm user (HTTP Basic) or a key (Bearer) with the role"
                    + " below: 401 without credentials, 403 without the role. Off by default, as scrapers usually"
                    + " come without credentials; the figures are counts, never names.")
    boolean authenticate() default false;

    @AttributeDefinition(
            name = "Role",
            description = "The role /halley/metrics needs when it asks for credentials.")
    String role() default "halley-admin";

    @AttributeDefinition(
            name = "JMX MBeans",
            description = "Whether io.halley:type=Hub, type=Auth and type=Broker are registered in the platform"
                    + " MBean server.")
    boolean jmxEnabled() default true;
}
