package io.halley.transport.websocket.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.websocket.CloseReason;
import javax.websocket.CloseReason.CloseCodes;
import javax.websocket.OnClose;
import javax.websocket.OnError;
import javax.websocket.OnMessage;
import javax.websocket.OnOpen;
import javax.websocket.Session;
import javax.websocket.server.ServerEndpoint;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.ErrorCode;
import io.halley.api.Hub;

/**
 * The WebSocket transport at {@code /halley/ws}: one socket per connection, carrying
 * client frames up and the session's frames down, one text message per frame.
 *
 * <p>This component instance is the endpoint itself. Pax Web 8's whiteboard takes the
 * service object of an {@code @ServerEndpoint} class registered with
 * {@code org.ops4j.pax.web.http.whiteboard.websocket=true} and hands that one instance
 * to the container through its own {@code Configurator} for every socket; on Jetty 9.4
 * that configurator overrides any declared in the annotation, so none is declared here.
 * The hub and the configuration therefore reach the sockets through this instance, and
 * each socket's state lives in a {@link WebSocketConnection} kept in the socket's user
 * properties (which Jetty copies per upgrade).
 */
@Component(
        service = Object.class,
        configurationPid = WebSocketEndpoint.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = WebSocketEndpoint.WHITEBOARD_WEBSOCKET + "=true")
@Designate(ocd = WebSocketConfig.class)
@ServerEndpoint(WebSocketEndpoint.PATH)
public class WebSocketEndpoint {

    static final String PID = "io.halley.transport.websocket";
    static final String PATH = "/halley/ws";
    static final String TRANSPORT = "websocket";
    /** Pax Web's own whiteboard property for JSR-356 endpoints (PaxWebConstants.SERVICE_PROPERTY_WEBSOCKET). */
    static final String WHITEBOARD_WEBSOCKET = "org.ops4j.pax.web.http.whiteboard.websocket";

    // Jetty 9.4 puts the peer's address here (Jetty bug 444617); other containers may not.
    private static final String REMOTE_ADDRESS = "javax.websocket.endpoint.remoteAddress";
    private static final String CONNECTION = WebSocketConnection.class.getName();
    // A UTF-16 char is at most 3 UTF-8 bytes (a surrogate pair, two chars, is 4), and the
    // container counts bytes: this lets every message of maxMessageSize characters in.
    private static final int MAX_UTF8_BYTES_PER_CHAR = 3;
    // Binary messages are refused whatever they hold; no reason to buffer much of one.
    private static final int MAX_BINARY_MESSAGE = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);

    private final Hub hub;
    private final WebSocketConfig config;
    private final int maxChars;
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();
    // Heartbeat ticks for every socket, and every drain the hub asks for: the work is
    // non-blocking (poll, then an asynchronous send), so a socket costs no thread.
    /** The heartbeat tick. */
    private final ScheduledThreadPoolExecutor executor;
    /**
     * The drains, one task per signal from the hub: a plain queue, not the scheduler's (a scheduled task, its adapter
     * and a heap insertion under a lock for each delivery to each socket).
     */
    private final ThreadPoolExecutor sends;
    private volatile boolean stopped;

    @Activate
    public WebSocketEndpoint(@Reference Hub hub, WebSocketConfig config) {
        this.hub = hub;
        this.config = config;
        this.maxChars = Math.max(1, Math.min(config.maxMessageSize(), hub.maxClientFrameSize()));
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "halley-websocket-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ScheduledThreadPoolExecutor(1, threads);
        executor.setRemoveOnCancelPolicy(true);
        this.sends = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
        long interval = Math.max(100, config.heartbeatInterval());
        executor.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Closes every socket with 1001 (going away); the sessions live on, so clients resume elsewhere. */
    @Deactivate
    public void deactivate() {
        stopped = true;
        executor.shutdownNow();
        sends.shutdownNow();
        for (WebSocketConnection c : connections) {
            c.closeNow(CloseCodes.GOING_AWAY, "going away");
        }
    }

    @OnOpen
    public void onOpen(Session ws) {
        long maxBytes = (long) maxChars * MAX_UTF8_BYTES_PER_CHAR;
        ws.setMaxTextMessageBufferSize((int) Math.min(Integer.MAX_VALUE - 8, maxBytes));
        ws.setMaxBinaryMessageBufferSize(MAX_BINARY_MESSAGE);
        ws.setMaxIdleTimeout(Math.max(1000, config.idleTimeout()));
        WebSocketConnection c = new WebSocketConnection(this, ws, remoteAddress(ws));
        ws.getUserProperties().put(CONNECTION, c);
        connections.add(c);
        if (stopped) {
            c.closeNow(CloseCodes.GOING_AWAY, "going away");
        }
    }

    @OnMessage
    public void onText(Session ws, String text) {
        WebSocketConnection c = connection(ws);
        if (c != null) {
            c.onText(text);
        }
    }

    @OnMessage
    public void onBinary(Session ws, ByteBuffer data) {
        WebSocketConnection c = connection(ws);
        if (c != null) {
            c.onBinary();
        }
    }

    @OnClose
    public void onClose(Session ws, CloseReason reason) {
        WebSocketConnection c = connection(ws);
        if (c != null) {
            c.end();
        }
    }

    @OnError
    public void onError(Session ws, Throwable t) {
        WebSocketConnection c = connection(ws);
        LOG.debug("{} failed: {}", c, t.toString());
        if (c != null) {
            c.end();
        }
    }

    Hub hub() {
        return hub;
    }

    WebSocketConfig config() {
        return config;
    }

    int maxChars() {
        return maxChars;
    }

    int openConnections() {
        return connections.size();
    }

    void removed(WebSocketConnection c) {
        connections.remove(c);
    }

    void countError(ErrorCode code) {
        try {
            hub.countError(TRANSPORT, code);
        } catch (RuntimeException e) {
            LOG.debug("could not count a WebSocket error", e);
        }
    }

    /** Runs a drain off the caller's thread (the hub's); false when the transport is stopping. */
    boolean execute(Runnable task) {
        try {
            sends.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void heartbeat() {
        try {
            for (WebSocketConnection c : connections) {
                c.heartbeatTick();
            }
        } catch (RuntimeException e) {
            // an exception would cancel the fixed-rate task for good
            LOG.warn("WebSocket heartbeat failed", e);
        }
    }

    private static WebSocketConnection connection(Session ws) {
        Object c = ws.getUserProperties().get(CONNECTION);
        return c instanceof WebSocketConnection wc ? wc : null;
    }

    private static String remoteAddress(Session ws) {
        Object a = ws.getUserProperties().get(REMOTE_ADDRESS);
        if (a instanceof InetSocketAddress isa) {
            return isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
        }
        return a == null ? "unknown" : a.toString();
    }
}
