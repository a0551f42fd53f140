package io.halley.api;

import java.util.List;

/**
 * The health of the broker, for operators (the console, metrics). Registered as an
 * OSGi service by the broker bundle while the broker runs.
 */
public interface BrokerStatus {

    /**
     * One of the broker's connectors.
     *
     * @param name        the connector's name, such as {@code openwire}, {@code stomp}, {@code ssl}
     * @param uri         where it listens
     * @param connections the clients connected through it now
     */
    record Connector(String name, String uri, int connections) {
    }

    /**
     * A snapshot of the broker's health.
     *
     * @param brokerName       the broker's name
     * @param started          whether it runs and takes messages
     * @param connectors       its connectors
     * @param memoryPercent    how much of its memory limit is in use, 0-100
     * @param storePercent     how much of its store limit is in use, 0-100
     * @param tempPercent      how much of its temporary store limit is in use, 0-100
     * @param enqueued         messages it has taken since it started, on every destination
     * @param dequeued         messages it has delivered since it started
     */
    record Health(String brokerName, boolean started, List<Connector> connectors, int memoryPercent,
            int storePercent, int tempPercent, long enqueued, long dequeued) {
    }

    /** @return the broker's health now */
    Health health();
}
