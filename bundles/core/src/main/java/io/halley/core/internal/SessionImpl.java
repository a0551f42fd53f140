package io.halley.core.internal;

import io.halley.api.AccessControl;
import io.halley.api.ChannelName;
import io.halley.api.CloseReason;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Permission;
import io.halley.api.Session;
import io.halley.api.SessionInfo;
import io.halley.api.SessionListener;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A session and its outbound queue. One lock guards the queue; listeners are always
 * called outside it, so a transport may call back into the session from its callback.
 */
final class SessionImpl implements Session {

    private final HubCore hub;
    private final String id;
    private volatile Identity identity;
    private final long createdAt;
    private final int maxMessages;
    private final long maxBytes;

    private final Set<String> subscriptions = new LinkedHashSet<>();
    /** Message frames, contiguous in seq: sent-but-unacknowledged first, then unsent. */
    private final FrameRing queue = new FrameRing();
    /** Close frames owed to connections that were replaced, each written once; null while none is (most of the time). */
    private Map<SessionListener, CloseFrame> goodbyes;

    private long bytes;
    private long lastSeq;
    private long nextToSend = 1;
    private SessionListener listener;
    private String transport;
    private String remoteAddress;
    /** When the last connection went away; 0 while one is attached. */
    private long detachedAt;
    private CloseFrame closeFrame;
    private boolean closeFrameSent;
    /** What the subscriptions were last checked against in full (see HubCore.revokeForbidden); one lock with the rest. */
    private AccessControl checkedAcl;
    private long checkedRevision;
    private Identity checkedIdentity;

    SessionImpl(HubCore hub, String id, Identity identity, String transport, String remoteAddress, long now,
            int maxMessages, long maxBytes) {
        this.hub = hub;
        this.id = id;
        this.identity = identity;
        this.transport = transport;
        this.remoteAddress = remoteAddress;
        this.createdAt = now;
        this.detachedAt = now;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Identity identity() {
        return identity;
    }

    /** Takes a fresh proof of the same subject (a resume, an {@code auth} frame): new expiry, roles, channels. */
    void renew(Identity fresh) {
        if (fresh.sameSubject(identity)) {
            identity = fresh;
        }
    }

    @Override
    public synchronized String transport() {
        return transport;
    }

    @Override
    public synchronized String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public long createdAt() {
        return createdAt;
    }

    @Override
    public synchronized Set<String> subscriptions() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(subscriptions));
    }

    @Override
    public void subscribe(String pattern) {
        ChannelName.requirePattern(pattern);
        hub.requireAllowed(identity, pattern, Permission.SUBSCRIBE);
        synchronized (this) {
            requireOpen();
            if (subscriptions.contains(pattern)) {
                return;
            }
            if (subscriptions.size() >= hub.maxSubscriptionsPerSession()) {
                throw new HalleyException(ErrorCode.TOO_MANY_CHANNELS,
                        "a session subscribes to at most " + hub.maxSubscriptionsPerSession() + " channels");
            }
            subscriptions.add(pattern);
        }
        hub.index(this, pattern);
    }

    @Override
    public void unsubscribe(String pattern) {
        boolean removed;
        synchronized (this) {
            removed = subscriptions.remove(pattern);
        }
        if (removed) {
            hub.unindex(this, pattern);
        }
    }

    /** Ends a subscription the rules no longer allow; @return whether it was subscribed */
    boolean revoke(String pattern) {
        boolean removed;
        synchronized (this) {
            removed = subscriptions.remove(pattern);
        }
        if (removed) {
            hub.unindex(this, pattern);
        }
        return removed;
    }

    @Override
    public long attach(String transport, String remoteAddress, SessionListener newListener, long lastSeenSeq) {
        SessionListener replaced;
        long missed = 0;
        boolean pending;
        synchronized (this) {
            requireOpen();
            replaced = listener;
            listener = newListener;
            detachedAt = 0;
            this.transport = transport;
            this.remoteAddress = remoteAddress;
            if (lastSeenSeq >= 0) {
                long seen = Math.min(lastSeenSeq, lastSeq);
                acknowledge(seen);
                long firstKept = queue.isEmpty() ? lastSeq + 1 : queue.first().seq();
                missed = Math.max(0, firstKept - (seen + 1));
                nextToSend = Math.max(seen + 1, firstKept);
            }
            if (replaced != null && replaced != newListener) {
                owe(replaced, new CloseFrame(CloseReason.REPLACED));
            } else {
                replaced = null;
            }
            pending = hasPendingLocked();
        }
        if (replaced != null) {
            replaced.onClose(CloseReason.REPLACED);
        }
        if (pending) {
            newListener.onAvailable();
        }
        return missed;
    }

    private void owe(SessionListener replaced, CloseFrame goodbye) {
        if (goodbyes == null) {
            goodbyes = new IdentityHashMap<>(2);
        }
        goodbyes.put(replaced, goodbye);
    }

    private CloseFrame takeGoodbye(SessionListener l) {
        if (goodbyes == null) {
            return null;
        }
        CloseFrame goodbye = goodbyes.remove(l);
        if (goodbyes.isEmpty()) {
            goodbyes = null;
        }
        return goodbye;
    }

    @Override
    public void detach(SessionListener old) {
        synchronized (this) {
            takeGoodbye(old);
            if (listener == old) {
                listener = null;
                detachedAt = hub.now();
            }
        }
    }

    @Override
    public List<Frame> poll(SessionListener caller, int maxFrames, int maxBytes) {
        synchronized (this) {
            if (caller != listener) {
                CloseFrame goodbye = takeGoodbye(caller);
                return goodbye == null ? List.of() : List.of(goodbye);
            }
            return pollLocked(maxFrames, maxBytes);
        }
    }

    private List<Frame> pollLocked(int maxFrames, int maxBytes) {
        List<Frame> out = null;
        long size = 0;
        if (!queue.isEmpty() && nextToSend <= lastSeq) {
            int i = (int) (nextToSend - queue.first().seq());
            while (i < queue.size() && (out == null || (out.size() < maxFrames && size < maxBytes))) {
                Frame f = queue.get(i++);
                if (out == null) {
                    // sized to what is there: a list of 64 for the one frame a busy socket usually finds was a
                    // fifth of everything the server allocated per delivery
                    out = new ArrayList<>(Math.min(maxFrames, queue.size() - i + 2));
                }
                out.add(f);
                size += f.size();
                nextToSend = f.seq() + 1;
            }
        }
        if (closeFrame != null && !closeFrameSent && nextToSend > lastSeq
                && (out == null || out.size() < maxFrames)) {
            if (out == null) {
                out = new ArrayList<>(1);
            }
            out.add(closeFrame);
            closeFrameSent = true;
        }
        if (out != null) {
            hub.countDelivered(out.size());
        }
        return out == null ? List.of() : out;
    }

    @Override
    public synchronized boolean hasPending() {
        return hasPendingLocked();
    }

    private boolean hasPendingLocked() {
        return (nextToSend <= lastSeq && !queue.isEmpty()) || (closeFrame != null && !closeFrameSent);
    }

    @Override
    public synchronized void ack(long seq) {
        acknowledge(Math.min(seq, nextToSend - 1));
    }

    private void acknowledge(long seq) {
        while (!queue.isEmpty() && queue.first().seq() <= seq) {
            bytes -= queue.removeFirst().size();
        }
    }

    @Override
    public synchronized long lastSeq() {
        return lastSeq;
    }

    @Override
    public synchronized boolean isOpen() {
        return closeFrame == null;
    }

    @Override
    public boolean disconnect() {
        return dropConnection(CloseReason.DISCONNECTED);
    }

    /** Drops the attached connection with a close frame saying why, and keeps the session. */
    boolean dropConnection(CloseReason reason) {
        SessionListener dropped;
        synchronized (this) {
            dropped = listener;
            if (dropped == null || closeFrame != null) {
                return false;
            }
            owe(dropped, new CloseFrame(reason));
            listener = null;
            detachedAt = hub.now();
        }
        dropped.onClose(reason);
        return true;
    }

    @Override
    public void close(CloseReason reason) {
        SessionListener toTell;
        synchronized (this) {
            if (closeFrame != null) {
                return;
            }
            closeFrame = new CloseFrame(reason);
            if (reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.EXPIRED) {
                // nobody will read them: free the memory now
                queue.clear();
                bytes = 0;
                nextToSend = lastSeq + 1;
            }
            toTell = listener;
        }
        hub.removed(this, reason);
        if (toTell != null) {
            toTell.onClose(reason);
        }
    }

    /**
     * Queues a message. Frames already sent make room first, oldest first; when only
     * unsent frames are left the subscriber is too slow and the session ends.
     */
    void offer(Delivery delivery) {
        enqueue(seq -> new MessageFrame(seq, delivery));
    }

    /** Queues a sequenced frame made for the next sequence number. */
    void enqueue(java.util.function.LongFunction<Frame> make) {
        SessionListener toTell;
        boolean slow = false;
        synchronized (this) {
            if (closeFrame != null) {
                return;
            }
            Frame f = make.apply(++lastSeq);
            queue.addLast(f);
            bytes += f.size();
            while (queue.size() > maxMessages || (bytes > maxBytes && queue.size() > 1)) {
                Frame oldest = queue.first();
                if (oldest.seq() < nextToSend) {
                    queue.removeFirst();
                    bytes -= oldest.size();
                } else {
                    slow = true;
                    break;
                }
            }
            toTell = slow ? null : listener;
        }
        if (slow) {
            close(CloseReason.SLOW_CONSUMER);
        } else if (toTell != null) {
            toTell.onAvailable();
        }
    }

    @Override
    public int handle(String frames) {
        synchronized (this) {
            requireOpen();
        }
        return hub.protocol().handle(this, frames);
    }

    /** Subscribes, first queueing what the channel's history holds after {@code offset}. */
    long subscribe(String channel, long recoverFrom) {
        ChannelName.requireChannel(channel);
        hub.requireAllowed(identity, channel, Permission.SUBSCRIBE);
        hub.requireAllowed(identity, channel, Permission.HISTORY);
        synchronized (this) {
            requireOpen();
            if (subscriptions.contains(channel)) {
                // already receiving it live: a replay would only repeat messages
                return hub.lastOffset(channel);
            }
            if (subscriptions.size() >= hub.maxSubscriptionsPerSession()) {
                throw new HalleyException(ErrorCode.TOO_MANY_CHANNELS,
                        "a session subscribes to at most " + hub.maxSubscriptionsPerSession() + " channels");
            }
            subscriptions.add(channel);
        }
        return hub.recover(this, channel, recoverFrom);
    }

    /** @return whether every subscription was checked against these rules, at this revision, for this identity */
    synchronized boolean checkedUnder(AccessControl acl, long revision, Identity who) {
        return checkedAcl == acl && checkedRevision == revision && who.equals(checkedIdentity);
    }

    synchronized void checked(AccessControl acl, long revision, Identity who) {
        checkedAcl = acl;
        checkedRevision = revision;
        checkedIdentity = who;
    }

    synchronized boolean expired(long now, long lifetime) {
        return closeFrame == null && listener == null && detachedAt > 0 && now - detachedAt >= lifetime;
    }

    synchronized SessionInfo info() {
        return new SessionInfo(id, identity.toString(), transport, remoteAddress, createdAt, listener != null,
                Collections.unmodifiableSet(new LinkedHashSet<>(subscriptions)), queue.size(), lastSeq);
    }

    synchronized Set<String> subscriptionsSnapshot() {
        return new LinkedHashSet<>(subscriptions);
    }

    private void requireOpen() {
        if (closeFrame != null) {
            throw new HalleyException(ErrorCode.UNKNOWN_SESSION, "the session has ended");
        }
    }

    @Override
    public String toString() {
        return "Session[" + id + "]";
    }
}
