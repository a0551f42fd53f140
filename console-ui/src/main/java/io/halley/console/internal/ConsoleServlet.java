package io.halley.console.internal;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
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

import com.vaadin.server.UIClassSelectionEvent;
import com.vaadin.server.UICreateEvent;
import com.vaadin.server.UIProvider;
import com.vaadin.server.VaadinServlet;
import com.vaadin.server.VaadinSession;
import com.vaadin.ui.UI;

import io.halley.api.AccessControl;
import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.BrokerStatus;
import io.halley.api.Hub;
import io.halley.api.Publisher;

/**
 * The console's Vaadin servlet, registered on the HTTP whiteboard at
 * {@code /halley/console}. Every service it shows is optional and dynamic: the console
 * stays up, and says what is missing, while a part of Halley is uninstalled.
 *
 * <p>Vaadin's static files (bootstrap script, widget set, Valo theme) are served by this
 * servlet under {@code /halley/console/VAADIN/}, read from the Vaadin bundles: Vaadin's
 * own OSGi publishing puts them in a servlet context of its own, which Pax Web 8 does
 * not serve to this one (shared/STACK.md, trap 6).
 */
@Component(
        service = Servlet.class,
        configurationPid = ConsoleServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/halley/console/*",
            // Pax Web 8 drops the second of two unnamed servlets
            "osgi.http.whiteboard.servlet.name=halley-console",
            "servlet.init.productionMode=true",
            // static files under the servlet's own path, not at the context root
            "servlet.init.Resources=/halley/console",
            "servlet.init.heartbeatInterval=60",
            "servlet.init.closeIdleSessions=false"
        })
@Designate(ocd = ConsoleConfig.class)
public class ConsoleServlet extends VaadinServlet {

    static final String PID = "io.halley.console";
    static final String PATH = "/halley/console";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
    /** Where Vaadin's static files are, by bundle: bootstrap script, widget set, theme. */
    private static final List<String> VAADIN_BUNDLES =
            List.of("com.vaadin.server", "com.vaadin.client-compiled", "com.vaadin.themes");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Hub hub;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AccessControl accessControl;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Authenticator authenticator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Publisher publisher;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BrokerStatus brokerStatus;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ApiKeys apiKeys;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile FeaturesService features;

    private transient volatile ConsoleConfig config;
    private transient volatile BundleContext context;
    private transient volatile RateHistory rates;
    private transient ScheduledExecutorService sampler;
    /** Runs feature installs, which take seconds, off the request threads; one at a time. */
    private transient ScheduledExecutorService worker;

    @Activate
    void activate(BundleContext bundleContext, ConsoleConfig cfg) {
        context = bundleContext;
        config = cfg;
        rates = new RateHistory(Math.max(10, cfg.chartSeconds()));
        sampler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "halley-console-sampler"));
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        worker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "halley-console-worker"));
    }

    @Modified
    void modified(ConsoleConfig cfg) {
        config = cfg;
    }

    @Deactivate
    void deactivate() {
        sampler.shutdownNow();
        worker.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void sample() {
        try {
            Hub h = hub;
            rates.sample(System.currentTimeMillis(), h == null ? null : h.counters());
        } catch (RuntimeException e) {
            // a hub going away under the sampler: the next second tells
            LOG.debug("Sampling the hub's counters failed", e);
        }
    }

    @Override
    protected void servletInitialized() throws ServletException {
        super.servletInitialized();
        UIProvider provider = new UIProvider() {
            @Override
            public Class<? extends UI> getUIClass(UIClassSelectionEvent event) {
                return ConsoleUI.class;
            }

            @Override
            public UI createInstance(UICreateEvent event) {
                return new ConsoleUI(ConsoleServlet.this);
            }
        };
        getService().addSessionInitListener(event -> event.getSession().addUIProvider(provider));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        dropStaleSession(request);
        super.service(request, response);
    }

    /**
     * The HTTP session outlives this bundle: after the console (and Vaadin with it) was
     * uninstalled and installed again, it still holds a Vaadin session of the old Vaadin
     * classes, which the new ones cannot cast. Such a leftover is dropped, and the
     * operator logs in again.
     */
    static void dropStaleSession(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return;
        }
        try {
            for (String name : Collections.list(session.getAttributeNames())) {
                if (name.startsWith(VaadinSession.class.getName() + ".")) {
                    Object value = session.getAttribute(name);
                    if (value != null && value.getClass().getName().equals(VaadinSession.class.getName())
                            && !(value instanceof VaadinSession)) {
                        session.removeAttribute(name);
                        LOG.info("Dropped a console session of an earlier installation of the console");
                    }
                }
            }
        } catch (IllegalStateException invalidated) {
            // the session ended meanwhile: nothing left to drop
        }
    }

    @Override
    public URL findResourceURL(String filename) throws IOException {
        String path = filename.startsWith("/") ? filename.substring(1) : filename;
        if (!path.startsWith("VAADIN/") || path.contains("..") || path.endsWith("/")) {
            return null;
        }
        BundleContext ctx = context;
        if (ctx == null) {
            return null;
        }
        for (Bundle b : ctx.getBundles()) {
            if (VAADIN_BUNDLES.contains(b.getSymbolicName()) && (b.getState() & (Bundle.RESOLVED | Bundle.ACTIVE
                    | Bundle.STARTING | Bundle.STOPPING)) != 0) {
                URL url = b.getEntry(path);
                if (url != null) {
                    return url;
                }
            }
        }
        return null;
    }

    @Override
    @SuppressWarnings("deprecation")
    protected boolean isAllowedVAADINResourceUrl(HttpServletRequest request, URL resourceUrl) {
        // only what findResourceURL found: entries under VAADIN/ of Vaadin's own bundles
        if (resourceUrl == null) {
            return false;
        }
        String p = resourceUrl.getPath();
        return p.startsWith("/VAADIN/") && !p.contains("/../") && !p.endsWith("/");
    }

    Hub hub() {
        return hub;
    }

    AccessControl accessControl() {
        return accessControl;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    Publisher publisher() {
        return publisher;
    }

    BrokerStatus brokerStatus() {
        return brokerStatus;
    }

    ApiKeys apiKeys() {
        return apiKeys;
    }

    FeaturesService features() {
        return features;
    }

    ConsoleConfig config() {
        return config;
    }

    RateHistory rates() {
        return rates;
    }

    /** Runs a slow task (a feature install) off the request thread. */
    void background(Runnable task) {
        worker.execute(task);
    }
}
