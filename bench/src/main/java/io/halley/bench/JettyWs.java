package io.halley.bench;

import java.net.URI;

import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.WebSocketListener;
import org.eclipse.jetty.websocket.api.WriteCallback;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Jetty 9.4's WebSocket client, for the "websocket" (Halley) and "stomp-ws" (ActiveMQ) subscribers of {@link Driver}:
 * both sides on the same client. The JDK's java.net.http WebSocket cost the driver more CPU per delivery than Halley's
 * server spent (about 28 against 25 µs at 20,000 deliveries/s), on the same two cores, so the driver rather than the
 * server set where a step failed. Only this class knows Jetty: {@link Driver} runs on classpaths without it too.
 */
final class JettyWs {

    /** What a connection tells its subscriber. */
    interface Handler {
        void opened(Link link);

        void text(String text);

        void closed(Throwable why);
    }

    /** A subscriber's way to send on its connection, in order, without waiting. */
    interface Link {
        void send(String text);

        void close();
    }

    private static WebSocketClient client;

    private JettyWs() {
    }

    private static synchronized WebSocketClient client() throws Exception {
        if (client == null) {
            QueuedThreadPool threads = new QueuedThreadPool(16, 2);
            threads.setName("jetty-ws-client");
            threads.setDaemon(true);
            WebSocketClient c = new WebSocketClient(threads);
            c.setMaxIdleTimeout(600_000);
            c.getHttpClient().setMaxConnectionsPerDestination(4096);
            c.getHttpClient().setMaxRequestsQueuedPerDestination(8192);
            c.start();
            client = c;
        }
        return client;
    }

    /** Opens a connection; failures come to {@link Handler#closed}. */
    static void connect(URI uri, String subprotocol, Handler handler) {
        Listener listener = new Listener(handler);
        try {
            ClientUpgradeRequest request = new ClientUpgradeRequest();
            if (subprotocol != null) {
                request.setSubProtocols(subprotocol);
            }
            client().connect(listener, uri, request);
        } catch (Exception e) {
            handler.closed(e);
        }
    }

    private static final class Listener implements WebSocketListener, Link, WriteCallback {
        private final Handler handler;
        private volatile Session session;

        Listener(Handler handler) {
            this.handler = handler;
        }

        @Override
        public void onWebSocketConnect(Session s) {
            session = s;
            handler.opened(this);
        }

        @Override
        public void onWebSocketText(String message) {
            handler.text(message);
        }

        @Override
        public void onWebSocketBinary(byte[] payload, int offset, int len) {
            handler.closed(new RuntimeException("unexpected binary message"));
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            handler.closed(new RuntimeException("websocket closed " + statusCode + " " + reason));
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            handler.closed(cause);
        }

        @Override
        public void send(String text) {
            session.getRemote().sendString(text, this);
        }

        @Override
        public void close() {
            Session s = session;
            if (s != null) {
                s.close(1000, "bye");
            }
        }

        @Override
        public void writeFailed(Throwable x) {
            handler.closed(x);
        }

        @Override
        public void writeSuccess() {
            // nothing to do: sends are queued in order by Jetty
        }
    }
}
