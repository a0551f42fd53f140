package io.halley.api.testing;

import java.net.URI;

import javax.servlet.Servlet;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/** Jetty 9.4, as in Pax Web 8, on a free port of 127.0.0.1, with one async servlet. */
public final class TestServer {

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    public TestServer(Servlet servlet, String path) throws Exception {
        this(servlet, path, 30_000);
    }

    public TestServer(Servlet servlet, String path, long idleTimeout) throws Exception {
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

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + pathAndQuery);
    }

    public void stop() throws Exception {
        server.stop();
    }
}
