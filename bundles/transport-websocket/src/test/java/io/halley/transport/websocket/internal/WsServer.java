package io.halley.transport.websocket.internal;

import java.net.URI;

import javax.websocket.server.ServerEndpointConfig;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.websocket.jsr356.server.deploy.WebSocketServerContainerInitializer;

/**
 * Jetty 9.4 with its JSR-356 container on a free port of 127.0.0.1, holding one endpoint
 * instance the way Pax Web 8's whiteboard does: a {@link ServerEndpointConfig} for the
 * annotated class whose configurator hands out that one instance for every socket.
 */
final class WsServer {

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    WsServer(WebSocketEndpoint endpoint) throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        server.setHandler(context);
        server.setStopTimeout(1000);
        ServerEndpointConfig config = ServerEndpointConfig.Builder
                .create(WebSocketEndpoint.class, WebSocketEndpoint.PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(endpoint);
                    }
                })
                .build();
        WebSocketServerContainerInitializer.configure(context, (servletContext, container) -> container.addEndpoint(config));
        server.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + port() + WebSocketEndpoint.PATH);
    }

    int port() {
        return connector.getLocalPort();
    }

    void stop() throws Exception {
        server.stop();
    }
}
