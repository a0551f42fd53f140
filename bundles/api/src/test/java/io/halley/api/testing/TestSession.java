package io.halley.api.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.halley.api.ChannelName;
import io.halley.api.CloseReason;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Message;
import io.halley.api.Session;
import io.halley.api.SessionListener;

/**
 * A session as the api describes it: sent frames are kept until acknowledged and
 * resent after a resume; listeners are called outside the lock, as a real hub would.
 */
public final class TestSession implements Session {

    private final String id;
    private final String transport;
    private final String remote;
    private final Set<String> subscriptions = new LinkedHashSet<>();
    private final Deque<TestFrame> kept = new ArrayDeque<>();
    private long lastSeq;
    private long sentUpTo;
    private SessionListener listener;
    private boolean open = true;
    private TestFrame closeFrame;
    private final Map<SessionListener, TestFrame> goodbyes = new IdentityHashMap<>();
    /** What connections did, for tests to wait on: "attach:<lastSeen>", "detach". */
    public final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    /** What {@link #handle} was given, for tests to wait on. */
    public final BlockingQueue<String> handled = new LinkedBlockingQueue<>();

    private final Identity identity;

    public TestSession(String id, String transport, String remote) {
        this(id, transport, remote, Identity.anonymous());
    }

    public TestSession(String id, String transport, String remote, Identity identity) {
        this.identity = identity;
        this.id = id;
        this.transport = transport;
        this.remote = remote;
    }

    public void publish(String channel, String data) {
        SessionListener l;
        synchronized (this) {
            if (!open || !subscriptions.contains(channel)) {
                return;
            }
            lastSeq++;
            kept.add(TestFrame.message(lastSeq, new Message(channel, "ID:" + lastSeq, lastSeq, 0, data)));
            l = listener;
        }
        if (l != null) {
            l.onAvailable();
        }
    }

    /**
     * Queues a sequenced frame other than a message (a {@code reply}, a {@code gap}), as
     * the real hub does: it takes the next seq, shares the messages' queue (kept until
     * acknowledged, sent again after a resume) and needs no subscription.
     *
     * @param type   the frame's type
     * @param fields the JSON members after {@code type} and {@code seq}, such as
     *               {@code "id":4,"ok":true,"result":{}}; empty for none
     * @return the frame, whose {@link TestFrame#json()} is
     *         <code>{"type":<i>type</i>,"seq":<i>n</i>,<i>fields</i>}</code>
     */
    public TestFrame queue(String type, String fields) {
        TestFrame frame;
        SessionListener l;
        synchronized (this) {
            if (!open) {
                throw new IllegalStateException("session " + id + " has ended");
            }
            lastSeq++;
            frame = new TestFrame(type, lastSeq, null, "{\"type\":\"" + type + "\",\"seq\":" + lastSeq
                    + (fields.isEmpty() ? "" : "," + fields) + "}");
            kept.add(frame);
            l = listener;
        }
        if (l != null) {
            l.onAvailable();
        }
        return frame;
    }

    /** Forgets the oldest kept frames, as a full queue would. */
    public synchronized void drop(int n) {
        for (int i = 0; i < n && !kept.isEmpty(); i++) {
            kept.removeFirst();
        }
    }

    public String awaitEvent() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no connection event within 10 s");
        }
        return e;
    }

    public synchronized SessionListener listener() {
        return listener;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Identity identity() {
        return identity;
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public long createdAt() {
        return 0;
    }

    @Override
    public synchronized Set<String> subscriptions() {
        return new LinkedHashSet<>(subscriptions);
    }

    @Override
    public synchronized void subscribe(String pattern) {
        ChannelName.requirePattern(pattern);
        subscriptions.add(pattern);
    }

    @Override
    public synchronized void unsubscribe(String pattern) {
        subscriptions.remove(pattern);
    }

    @Override
    public long attach(String transport, String remoteAddress, SessionListener l, long lastSeenSeq) {
        SessionListener old;
        long missed = 0;
        boolean pending;
        synchronized (this) {
            if (!open) {
                throw new HalleyException(ErrorCode.UNKNOWN_SESSION, "gone");
            }
            old = listener;
            listener = l;
            if (old != null && old != l) {
                goodbyes.put(old, TestFrame.close(CloseReason.REPLACED));
            }
            if (lastSeenSeq >= 0) {
                ack(lastSeenSeq);
                sentUpTo = lastSeenSeq;
                long firstKept = kept.isEmpty() ? lastSeq + 1 : kept.peekFirst().seq();
                missed = Math.max(0, firstKept - lastSeenSeq - 1);
            }
            pending = hasPending();
        }
        events.add("attach:" + lastSeenSeq);
        if (old != null && old != l) {
            old.onClose(CloseReason.REPLACED);
        }
        if (pending) {
            l.onAvailable();
        }
        return missed;
    }

    @Override
    public void detach(SessionListener l) {
        synchronized (this) {
            goodbyes.remove(l);
            if (listener == l) {
                listener = null;
            }
        }
        events.add("detach");
    }

    @Override
    public synchronized List<Frame> poll(SessionListener caller, int maxFrames, int maxBytes) {
        if (caller != listener) {
            TestFrame goodbye = goodbyes.remove(caller);
            return goodbye == null ? List.of() : List.of(goodbye);
        }
        List<Frame> out = new ArrayList<>();
        int bytes = 0;
        for (TestFrame f : kept) {
            if (f.seq() <= sentUpTo) {
                continue;
            }
            if (out.size() >= maxFrames || (!out.isEmpty() && bytes >= maxBytes)) {
                return out;
            }
            out.add(f);
            bytes += f.size();
            sentUpTo = f.seq();
        }
        if (closeFrame != null && out.size() < maxFrames) {
            out.add(closeFrame);
            closeFrame = null;
        }
        return out;
    }

    @Override
    public synchronized boolean hasPending() {
        return closeFrame != null || (!kept.isEmpty() && kept.peekLast().seq() > sentUpTo);
    }

    @Override
    public synchronized void ack(long seq) {
        while (!kept.isEmpty() && kept.peekFirst().seq() <= seq) {
            kept.removeFirst();
        }
    }

    @Override
    public synchronized long lastSeq() {
        return lastSeq;
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public void close(CloseReason reason) {
        SessionListener l;
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            closeFrame = TestFrame.close(reason);
            l = listener;
        }
        if (l != null) {
            l.onClose(reason);
        }
    }

    @Override
    public int handle(String frames) {
        String t = frames.trim();
        if (!(t.startsWith("{") || t.startsWith("["))) {
            throw new HalleyException(ErrorCode.BAD_FRAME, "not a JSON object or array");
        }
        if (!isOpen()) {
            throw new HalleyException(ErrorCode.UNKNOWN_SESSION, "the session has ended");
        }
        handled.add(frames);
        return 1;
    }

    @Override
    public boolean disconnect() {
        SessionListener l;
        synchronized (this) {
            l = listener;
            if (l == null) {
                return false;
            }
            goodbyes.put(l, TestFrame.close(CloseReason.DISCONNECTED));
            listener = null;
        }
        l.onClose(CloseReason.DISCONNECTED);
        return true;
    }
}
