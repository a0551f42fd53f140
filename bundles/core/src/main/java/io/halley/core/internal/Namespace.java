package io.halley.core.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One channel namespace's limits, from a factory configuration
 * ({@code etc/io.halley.namespace-<name>.cfg}); the hub picks them up as services.
 */
@Component(service = Namespace.class, configurationPid = "io.halley.namespace",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = NamespaceConfig.class, factory = true)
public class Namespace {

    final String name;
    final int historySize;
    final long historyAge;
    final int maxMessageSize;

    @Activate
    public Namespace(NamespaceConfig config) {
        this(config.name(), config.historySize(), config.historyAge(), config.maxMessageSize());
    }

    Namespace(String name, int historySize, long historyAge, int maxMessageSize) {
        this.name = name;
        this.historySize = Math.max(0, historySize);
        this.historyAge = historyAge;
        this.maxMessageSize = maxMessageSize;
    }

    static String of(String channel) {
        int dot = channel.indexOf('.');
        return dot < 0 ? channel : channel.substring(0, dot);
    }
}
