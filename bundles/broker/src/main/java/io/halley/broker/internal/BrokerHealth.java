package io.halley.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.broker.region.RegionBroker;
import org.apache.activemq.usage.SystemUsage;

import io.halley.api.BrokerStatus;

/**
 * The embedded broker's health, read from the running {@link BrokerService} at each call.
 * Registered by {@link BrokerComponent} while the broker runs.
 */
final class BrokerHealth implements BrokerStatus {

    private final String brokerName;
    private final Supplier<BrokerService> broker;

    /**
     * @param brokerName the configured name, reported while no broker runs
     * @param broker     the running broker, or null once it stopped
     */
    BrokerHealth(String brokerName, Supplier<BrokerService> broker) {
        this.brokerName = brokerName;
        this.broker = broker;
    }

    @Override
    public Health health() {
        BrokerService service = broker.get();
        if (service == null) {
            return new Health(brokerName, false, List.of(), 0, 0, 0, 0, 0);
        }
        List<Connector> connectors = new ArrayList<>();
        for (TransportConnector c : service.getTransportConnectors()) {
            String uri;
            try {
                uri = String.valueOf(c.getConnectUri());
            } catch (Exception e) {
                // not bound (yet, or any more): what was configured is still worth showing
                uri = String.valueOf(c.getUri());
            }
            // the options (frame sizes, ...) are the configuration's business, not the health's
            int query = uri.indexOf('?');
            connectors.add(new Connector(c.getName(), query < 0 ? uri : uri.substring(0, query),
                    c.getConnections().size()));
        }
        SystemUsage usage = service.getSystemUsage();
        long enqueued = 0;
        long dequeued = 0;
        Broker region = service.getRegionBroker();
        if (region instanceof RegionBroker r) {
            enqueued = r.getDestinationStatistics().getEnqueues().getCount();
            dequeued = r.getDestinationStatistics().getDequeues().getCount();
        }
        return new Health(service.getBrokerName(), service.isStarted() && !service.isStopping(),
                List.copyOf(connectors), percent(usage.getMemoryUsage().getPercentUsage()),
                percent(usage.getStoreUsage().getPercentUsage()), percent(usage.getTempUsage().getPercentUsage()),
                enqueued, dequeued);
    }

    private static int percent(int value) {
        return Math.max(0, Math.min(100, value));
    }
}
