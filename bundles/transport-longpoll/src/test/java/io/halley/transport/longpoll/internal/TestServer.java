package io.halley.transport.longpoll.internal;

import java.net.URI;

import javax.servlet.Servlet;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/** Jetty 9.4, as in Pax Web 8, on a free port of 127.0.0.1, with one async servlet. */
final class TestServer {

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    TestServer(Servlet servlet, String path) throws Exception {
        this(servlet, path, 30_000);
    }

    TestServer(Servlet servlet, String path, long idleTimeout) throws Exception {
        connector.setIdleTimeout(idleTimeout);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, path);
        server.setHandler(context);
        server.setStopTimeout(1000);
        server.start();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + pathAndQuery);
    }

    void stop() throws Exception {
        server.stop();
    }
}
