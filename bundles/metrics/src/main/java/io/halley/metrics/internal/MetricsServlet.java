package io.halley.metrics.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.Authenticator;
import io.halley.api.BrokerStatus;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Identity;

/**
 * {@code /halley/metrics} in the Prometheus text format, and the same figures as the
 * MBeans {@code io.halley:type=Hub}, {@code type=Auth} and {@code type=Broker} in the
 * platform MBean server (which Karaf's JMX connector serves). Every service is optional:
 * a part that is not installed reports {@code up 0} and nothing else.
 */
@Component(
        service = Servlet.class,
        immediate = true,
        configurationPid = MetricsServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/halley/metrics",
            // Pax Web 8 drops the second of two unnamed servlets
            "osgi.http.whiteboard.servlet.name=halley-metrics"
        })
@Designate(ocd = MetricsConfig.class)
public class MetricsServlet extends HttpServlet {

    static final String PID = "io.halley.metrics";
    static final String DOMAIN = "io.halley";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Hub hub;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Authenticator authenticator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BrokerStatus brokerStatus;

    private transient volatile MetricsConfig config;
    private final transient List<ObjectName> registered = new ArrayList<>();

    @Activate
    void activate(MetricsConfig cfg) {
        config = cfg;
        if (cfg.jmxEnabled()) {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            register(server, "Hub", new FiguresMBean("Halley's hub: sessions, connections by transport, channels,"
                    + " counters", () -> Figures.hub(hub)));
            register(server, "Auth", new FiguresMBean("Halley's authentication counters",
                    () -> Figures.auth(authenticator)));
            register(server, "Broker", new FiguresMBean("The embedded broker's health",
                    () -> Figures.broker(brokerStatus)));
        }
    }

    @Modified
    void modified(MetricsConfig cfg) {
        if (cfg.jmxEnabled() != config.jmxEnabled()) {
            deactivate();
            activate(cfg);
        } else {
            config = cfg;
        }
    }

    @Deactivate
    void deactivate() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        synchronized (registered) {
            for (ObjectName name : registered) {
                try {
                    server.unregisterMBean(name);
                } catch (JMException e) {
                    LOG.debug("MBean {} was gone already", name, e);
                }
            }
            registered.clear();
        }
    }

    private void register(MBeanServer server, String type, FiguresMBean bean) {
        try {
            ObjectName name = objectName(type);
            if (server.isRegistered(name)) {
                // left by an earlier instance that did not stop cleanly
                server.unregisterMBean(name);
            }
            server.registerMBean(bean, name);
            synchronized (registered) {
                registered.add(name);
            }
        } catch (JMException e) {
            LOG.warn("MBean {}:type={} not registered: {}", DOMAIN, type, e.getMessage());
        }
    }

    static ObjectName objectName(String type) throws JMException {
        return new ObjectName(DOMAIN + ":type=" + type);
    }

    /** @return the figures of the MBean of this type as it would answer now; for tests */
    Map<String, Long> figures(String type) {
        Supplier<Map<String, Long>> s = switch (type) {
            case "Hub" -> () -> Figures.hub(hub);
            case "Auth" -> () -> Figures.auth(authenticator);
            default -> () -> Figures.broker(brokerStatus);
        };
        return s.get();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        MetricsConfig cfg = config;
        if (!cfg.httpEnabled()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        if (cfg.authenticate() && !admitted(req, resp, cfg.role())) {
            return;
        }
        byte[] body = Figures.prometheus(hub, authenticator, brokerStatus).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType(PrometheusText.CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private boolean admitted(HttpServletRequest req, HttpServletResponse resp, String role) throws IOException {
        Authenticator a = authenticator;
        if (a == null) {
            resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "nothing can check credentials now");
            return false;
        }
        Identity who;
        try {
            Credentials credentials = Credentials.fromAuthorization(req.getHeader("Authorization"));
            if (credentials.isNone()) {
                throw Credentials.unauthorized();
            }
            who = a.authenticate(credentials);
        } catch (HalleyException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the realm did not answer");
            } else {
                resp.setHeader("WWW-Authenticate", "Basic realm=\"halley\"");
                resp.sendError(HttpServletResponse.SC_UNAUTHORIZED, "authentication failed");
            }
            return false;
        }
        if (!who.hasRole(role)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "the role " + role + " is needed");
            return false;
        }
        return true;
    }
}
