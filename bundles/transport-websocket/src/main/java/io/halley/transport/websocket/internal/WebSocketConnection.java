package io.halley.transport.websocket.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import javax.websocket.CloseReason.CloseCode;
import javax.websocket.CloseReason.CloseCodes;
import javax.websocket.SendHandler;
import javax.websocket.SendResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.CloseReason;
import io.halley.api.Connected;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.HalleyException;
import io.halley.api.Session;
import io.halley.api.SessionListener;

/**
 * One socket. Every send is asynchronous with at most one in flight: the next one starts
 * from the {@link SendHandler} of the last, so a slow client holds no thread, and what it
 * has not taken yet waits in the session's queue (where the hub's slow-consumer policy
 * sees it), not here. What waits here is bounded: one poll's worth of frames and a few
 * control frames.
 *
 * <p>Signals (frames waiting, the session closing, a heartbeat due, a send completed) may
 * come from any thread at any time; {@link #pump} lets one thread at a time send, and
 * looks again after letting go, so that no signal is stranded.
 */
final class WebSocketConnection implements SessionListener, SendHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);

    static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";
    /** A first message that is not a {@code connect} frame. */
    static final CloseCode NOT_CONNECTED = CloseCodes.getCloseCode(4400);
    /** The session ended while a frame was on its way: the client should not resume it. */
    static final CloseCode UNKNOWN_SESSION = CloseCodes.getCloseCode(4404);
    /** The credentials were refused (the error frame says {@code unauthorized}, never why). */
    static final CloseCode UNAUTHORIZED = CloseCodes.getCloseCode(4401);
    /** The identity may not do what the connect asked. */
    static final CloseCode FORBIDDEN = CloseCodes.getCloseCode(4403);
    /** Another connection resumed the session. */
    static final CloseCode REPLACED = CloseCodes.getCloseCode(4409);
    // error frames and the connected frame; a client that sends bad frames faster than it
    // reads their answers is cut off rather than buffered for
    private static final int MAX_CONTROL_FRAMES = 32;

    private final WebSocketEndpoint endpoint;
    private final javax.websocket.Session ws;
    private final String remote;
    private final int maxFrames;
    private final int maxBytes;

    private volatile Session session;
    // small: most sockets only ever carry the connected frame here (an idle socket's memory counts)
    private final ArrayDeque<String> control = new ArrayDeque<>(2);
    private final AtomicReference<javax.websocket.CloseReason> closeAfterSending = new AtomicReference<>();
    private final AtomicReference<CloseReason> hubClose = new AtomicReference<>();
    private final AtomicBoolean pumping = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** One task for every schedule(), not a new lambda each time: it runs once per delivery to this socket. */
    private final Runnable drainTask = () -> {
        scheduled.set(false);
        pump();
    };
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean sentSinceTick = new AtomicBoolean();
    private volatile boolean inFlight;
    private volatile boolean heartbeatDue;
    // owned by the thread in pump(); volatile so that hasWork() may look from outside
    private List<Frame> batch = List.of();
    private volatile int next;
    private volatile boolean hubCloseHandled;

    // owned by the container's reading thread (messages of one socket never overlap)
    private int badInARow;

    WebSocketConnection(WebSocketEndpoint endpoint, javax.websocket.Session ws, String remote) {
        this.endpoint = endpoint;
        this.ws = ws;
        this.remote = remote;
        this.maxFrames = Math.max(1, endpoint.config().maxFramesPerWrite());
        this.maxBytes = Math.max(1, endpoint.config().maxBytesPerWrite());
    }

    // ---- up: what the client sends, on the container's thread

    void onText(String text) {
        if (closing.get() || closeAfterSending.get() != null) {
            return;
        }
        if (text.length() > endpoint.maxChars()) {
            endpoint.countError(ErrorCode.TOO_LARGE);
            closeNow(CloseCodes.TOO_BIG, "message too big");
            return;
        }
        if (session == null) {
            connect(text);
        } else {
            handle(text);
        }
    }

    void onBinary() {
        if (closing.get() || closeAfterSending.get() != null) {
            return;
        }
        badFrame(ErrorCode.BAD_FRAME, "frames are text messages, not binary");
    }

    /**
     * The credentials of the upgrade request: a browser cannot set headers on a WebSocket,
     * so a {@code token} parameter; the connect frame's own {@code token} wins over it.
     */
    private Credentials handshakeCredentials() {
        java.util.List<String> token = ws.getRequestParameterMap().get("token");
        return token == null || token.isEmpty() ? Credentials.none() : Credentials.bearer(token.get(0));
    }

    private void connect(String text) {
        Connected connected;
        try {
            connected = endpoint.hub().connect(text, WebSocketEndpoint.TRANSPORT, remote, handshakeCredentials(), this);
        } catch (HalleyException e) {
            endpoint.countError(e.code());
            CloseCode code = switch (e.code()) {
                case BAD_FRAME, NOT_CONNECTED, UNKNOWN_TYPE -> NOT_CONNECTED;
                case TOO_LARGE -> CloseCodes.TOO_BIG;
                case UNAUTHORIZED -> UNAUTHORIZED;
                case FORBIDDEN -> FORBIDDEN;
                case TOO_MANY_SESSIONS, UNAVAILABLE -> CloseCodes.TRY_AGAIN_LATER;
                default -> CloseCodes.UNEXPECTED_CONDITION;
            };
            failAndClose(e.code(), e.getMessage(), code);
            return;
        } catch (RuntimeException e) {
            LOG.error("WebSocket connect from {} failed", remote, e);
            endpoint.countError(ErrorCode.INTERNAL);
            failAndClose(ErrorCode.INTERNAL, "internal error", CloseCodes.UNEXPECTED_CONDITION);
            return;
        }
        Session s = connected.session();
        // the connected frame goes first: frames the hub offered during connect wait in
        // the session until `session` is set below
        offer(Json.connected(s.id(), connected.resumed(), connected.missed(),
                endpoint.config().heartbeatInterval()));
        session = s;
        if (ended.get()) {
            // the socket went away during connect, before end() could see the session
            s.detach(this);
            return;
        }
        pump();
    }

    private void handle(String text) {
        try {
            session.handle(text);
            badInARow = 0;
        } catch (HalleyException e) {
            switch (e.code()) {
                case UNKNOWN_SESSION -> {
                    endpoint.countError(e.code());
                    failAndClose(e.code(), e.getMessage(), UNKNOWN_SESSION);
                }
                case TOO_LARGE -> {
                    endpoint.countError(e.code());
                    closeNow(CloseCodes.TOO_BIG, "message too big");
                }
                case BAD_FRAME -> badFrame(e.code(), e.getMessage());
                default -> {
                    endpoint.countError(e.code());
                    offerOrClose(Json.error(e.code(), e.getMessage()));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("a frame from {} failed", this, e);
            endpoint.countError(ErrorCode.INTERNAL);
            offerOrClose(Json.error(ErrorCode.INTERNAL, "internal error"));
        }
    }

    private void badFrame(ErrorCode code, String message) {
        endpoint.countError(code);
        if (++badInARow > endpoint.config().maxBadFrames()) {
            failAndClose(code, "too many malformed frames", CloseCodes.VIOLATED_POLICY);
        } else {
            offerOrClose(Json.error(code, message));
        }
    }

    /** Sends an error frame, then closes: the error reaches a client that reads it. */
    private void failAndClose(ErrorCode code, String message, CloseCode closeCode) {
        offer(Json.error(code, message));
        closeAfterSending.compareAndSet(null, new javax.websocket.CloseReason(closeCode, code.code()));
        pump();
    }

    private void offerOrClose(String json) {
        if (offer(json)) {
            pump();
        } else {
            closeNow(CloseCodes.VIOLATED_POLICY, "not reading");
        }
    }

    private boolean offer(String json) {
        synchronized (control) {
            if (control.size() >= MAX_CONTROL_FRAMES) {
                return false;
            }
            control.add(json);
            return true;
        }
    }

    private String takeControl() {
        synchronized (control) {
            return control.poll();
        }
    }

    private boolean hasControl() {
        synchronized (control) {
            return !control.isEmpty();
        }
    }

    // ---- signals, from any thread

    /** From the hub's thread: never send there, hand the drain to the transport's executor. */
    @Override
    public void onAvailable() {
        schedule();
    }

    @Override
    public void onClose(CloseReason reason) {
        hubClose.compareAndSet(null, reason);
        schedule();
    }

    /** From the heartbeat tick: a socket that was sent nothing since the last tick gets a heartbeat. */
    void heartbeatTick() {
        if (!sentSinceTick.getAndSet(false) && session != null) {
            heartbeatDue = true;
            pump();
        }
    }

    @Override
    public void onResult(SendResult result) {
        if (!result.isOK()) {
            LOG.debug("WebSocket send to {} failed: {}", this, String.valueOf(result.getException()));
            end();
            return;
        }
        inFlight = false;
        pump();
    }

    private void schedule() {
        if (ended.get()) {
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            boolean accepted = endpoint.execute(drainTask);
            if (!accepted) {
                scheduled.set(false);
            }
        }
    }

    // ---- down: one send at a time

    private void pump() {
        do {
            if (!pumping.compareAndSet(false, true)) {
                return; // the thread inside looks again once it lets go
            }
            try {
                sendWhileIdle();
            } catch (RuntimeException e) {
                LOG.debug("WebSocket of {} failed while sending: {}", this, e.toString());
                closeNow(CloseCodes.UNEXPECTED_CONDITION, "internal error");
            } finally {
                pumping.set(false);
            }
        } while (hasWork());
    }

    private boolean hasWork() {
        if (ended.get() || closing.get() || inFlight) {
            return false;
        }
        if (closeAfterSending.get() != null || hasControl()) {
            return true;
        }
        Session s = session;
        return s != null && (next < batch.size() || heartbeatDue || s.hasPending()
                || (hubClose.get() != null && !hubCloseHandled));
    }

    private void sendWhileIdle() {
        while (!inFlight && !closing.get() && !ended.get()) {
            // read before taking a control frame: whoever asks to close after an error frame
            // queues the frame first, so a close seen here never overtakes its frame
            javax.websocket.CloseReason closeAfter = closeAfterSending.get();
            String text = takeControl();
            if (text == null && closeAfter == null) {
                text = nextFromSession();
            }
            if (text == null) {
                if (closeAfter != null) {
                    closeNow(closeAfter.getCloseCode(), closeAfter.getReasonPhrase());
                }
                return;
            }
            inFlight = true;
            sentSinceTick.set(true);
            heartbeatDue = false;
            // may call onResult before it returns: pump() then finds `pumping` taken and
            // this loop carries on, so a fast socket never deepens the stack
            ws.getAsyncRemote().sendText(text, this);
        }
    }

    private String nextFromSession() {
        Session s = session;
        if (s == null) {
            return null;
        }
        if (next >= batch.size()) {
            // the per-listener poll: once replaced, this socket gets only its own close
            // frame, never frames that belong to the connection that replaced it
            batch = s.poll(this, maxFrames, maxBytes);
            next = 0;
        }
        if (next < batch.size()) {
            Frame f = batch.get(next);
            next++;
            if ("close".equals(f.type())) {
                hubCloseHandled = true;
                closeAfterSending.compareAndSet(null, closeReasonFor(f));
                batch = List.of();
                next = 0;
            }
            return f.json();
        }
        CloseReason reason = hubClose.get();
        if (reason != null && !hubCloseHandled) {
            // the hub ended this connection and left no close frame for it: say why ourselves
            hubCloseHandled = true;
            closeAfterSending.compareAndSet(null, closeReasonFor(reason.code()));
            return reason.toJson();
        }
        if (heartbeatDue) {
            return HEARTBEAT;
        }
        return null;
    }

    private javax.websocket.CloseReason closeReasonFor(Frame closeFrame) {
        CloseReason told = hubClose.get();
        if (told != null) {
            return closeReasonFor(told.code());
        }
        String reason = Json.stringField(closeFrame.json(), "reason");
        return closeReasonFor(reason == null ? "closed" : reason);
    }

    private static javax.websocket.CloseReason closeReasonFor(String reason) {
        CloseCode code = CloseReason.REPLACED.code().equals(reason) ? REPLACED : CloseCodes.NORMAL_CLOSURE;
        return new javax.websocket.CloseReason(code, Json.reasonPhrase(reason));
    }

    // ---- the end

    /** Closes the socket now, whatever is still on its way, and detaches. Idempotent. */
    void closeNow(CloseCode code, String phrase) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            ws.close(new javax.websocket.CloseReason(code, phrase));
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing WebSocket of {} failed: {}", this, e.toString());
        }
        end();
    }

    /** The socket is gone: detach from the session, which lives on. Idempotent. */
    void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        endpoint.removed(this);
        Session s = session;
        if (s != null) {
            try {
                s.detach(this);
            } catch (RuntimeException e) {
                LOG.debug("detaching {} failed", this, e);
            }
        }
    }

    @Override
    public String toString() {
        Session s = session;
        // not the session id: it is a secret that reads the session
        return "WebSocket from " + remote + (s == null ? "" : " (connected)");
    }
}
