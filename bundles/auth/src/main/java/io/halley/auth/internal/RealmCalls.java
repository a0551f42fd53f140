package io.halley.auth.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs calls into a realm on a few threads of their own, each bounded in time: a
 * directory that hangs costs a client at most the timeout, and at most a few threads,
 * never one per request. Calls run with the given class loader as the thread's context
 * class loader, which is the one the JDK's LoginContext loads login modules from.
 */
final class RealmCalls implements AutoCloseable {

    /** A call that did not finish in time, or could not even start (every thread busy, queue full). */
    static final class NoAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }

    private final ThreadPoolExecutor executor;
    private final long timeout;
    private final ClassLoader loader;

    /**
     * @param threads how many calls may run at once
     * @param timeout the longest a call may take, in milliseconds
     * @param loader  the context class loader of the calls
     */
    RealmCalls(int threads, long timeout, ClassLoader loader) {
        int n = Math.max(1, threads);
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "halley-auth-realm-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(n * 16), factory,
                new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
        this.timeout = Math.max(1, timeout);
        this.loader = loader;
    }

    long timeout() {
        return timeout;
    }

    /**
     * @return what the call returned
     * @throws NoAnswer when it did not finish within the timeout or could not start
     * @throws Exception what the call threw
     */
    <T> T call(Callable<T> call) throws Exception {
        Future<T> future;
        try {
            future = executor.submit(() -> {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(loader);
                try {
                    return call.call();
                } finally {
                    thread.setContextClassLoader(previous);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new NoAnswer("every realm thread is busy and the queue is full");
        }
        try {
            return future.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new NoAnswer("no answer within " + timeout + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new NoAnswer("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
