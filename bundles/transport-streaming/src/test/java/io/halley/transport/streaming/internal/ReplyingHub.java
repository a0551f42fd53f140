package io.halley.transport.streaming.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.halley.api.Frame;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.api.SessionListener;
import io.halley.api.testing.TestFrame;
import io.halley.api.testing.TestHub;
import io.halley.api.testing.TestSession;

/**
 * A {@link TestHub} whose sessions can also queue frames other than messages (a
 * {@code reply}, a {@code gap}), as the real hub does; {@link TestSession} queues only
 * messages. Every other call goes to the TestHub and its sessions unchanged.
 */
final class ReplyingHub {

    private final TestHub hub;
    private final Queue<Frame> extra = new ConcurrentLinkedQueue<>();
    final Hub proxy;

    ReplyingHub(TestHub hub) {
        this.hub = hub;
        this.proxy = (Hub) Proxy.newProxyInstance(Hub.class.getClassLoader(), new Class<?>[] {Hub.class},
                (p, m, args) -> {
                    Object r = call(m, hub, args);
                    if (r instanceof Session s) {
                        return wrap(s);
                    }
                    if (r instanceof Optional<?> o && o.isPresent() && o.get() instanceof Session s) {
                        return Optional.of(wrap(s));
                    }
                    return r;
                });
    }

    /** Queues a frame for the next poll of the session's attached connection, and tells it. */
    void queue(String sessionId, String type, long seq, String json) {
        extra.add(new TestFrame(type, seq, null, json));
        SessionListener l = hub.session(sessionId).listener();
        if (l != null) {
            l.onAvailable();
        }
    }

    private Session wrap(Session target) {
        TestSession session = (TestSession) target;
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (p, m, args) -> {
                    if (m.getName().equals("poll") && args.length == 3 && args[0] == session.listener()
                            && !extra.isEmpty()) {
                        List<Frame> frames = new ArrayList<>();
                        Frame f;
                        while ((f = extra.poll()) != null) {
                            frames.add(f);
                        }
                        return frames;
                    }
                    if (m.getName().equals("hasPending") && !extra.isEmpty()) {
                        return true;
                    }
                    return call(m, session, args);
                });
    }

    private static Object call(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
