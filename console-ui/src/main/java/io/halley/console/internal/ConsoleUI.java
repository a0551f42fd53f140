package io.halley.console.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import com.vaadin.annotations.Theme;
import com.vaadin.annotations.Title;
import com.vaadin.event.ShortcutAction.KeyCode;
import com.vaadin.navigator.Navigator;
import com.vaadin.navigator.View;
import com.vaadin.server.VaadinRequest;
import com.vaadin.server.VaadinService;
import com.vaadin.server.VaadinSession;
import com.vaadin.shared.ui.ContentMode;
import com.vaadin.ui.Alignment;
import com.vaadin.ui.Button;
import com.vaadin.ui.CssLayout;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.Notification;
import com.vaadin.ui.Panel;
import com.vaadin.ui.PasswordField;
import com.vaadin.ui.TextField;
import com.vaadin.ui.UI;
import com.vaadin.ui.VerticalLayout;
import com.vaadin.ui.themes.ValoTheme;

import io.halley.api.HalleyException;
import io.halley.api.Identity;

/**
 * One browser tab of the console: the login form, or the views once an admin logged in.
 * The logged-in identity lives in the Vaadin session, so that a reload or a second tab
 * stays logged in; logging out or idling out ends it for every tab.
 */
@Theme("valo")
@Title("Halley console")
public class ConsoleUI extends UI {

    static final String IDENTITY = "halley.console.identity";
    static final String CLOCK = "halley.console.clock";

    private static final String CSS = """
            .halley-header { background: #2c3e50; color: #fff; padding: 8px 16px; }
            .halley-header .v-label { color: #fff; }
            .halley-menu { background: #f4f5f7; padding: 8px; border-right: 1px solid #ddd; }
            .halley-menu .v-button { display: block; width: 100%; text-align: left; margin-bottom: 4px; }
            .halley-menu .v-button.halley-current { background: #197de1; color: #fff; }
            .halley-tile { border: 1px solid #ddd; border-radius: 4px; padding: 8px 16px; background: #fff;
                           min-width: 130px; }
            .halley-tile-value { font-size: 28px; font-weight: 300; }
            .halley-tile-caption { color: #777; font-size: 12px; }
            .halley-good { color: #2c9720; font-weight: 600; }
            .halley-bad { color: #ed473b; font-weight: 600; }
            .halley-mono { font-family: monospace; white-space: pre-wrap; }
            """;

    private final transient ConsoleServlet console;
    private transient Navigator navigator;
    private final Map<String, Button> menu = new LinkedHashMap<>();
    private boolean showingMain;

    ConsoleUI(ConsoleServlet console) {
        this.console = console;
    }

    @Override
    protected void init(VaadinRequest request) {
        getPage().getStyles().add(CSS);
        setPollInterval(Math.max(250, console.config().refreshInterval()));
        addPollListener(event -> onPoll());
        if (identity() == null) {
            showLogin(null);
        } else {
            showMain();
        }
    }

    ConsoleServlet console() {
        return console;
    }

    /** @return the logged-in operator, or null */
    Identity identity() {
        VaadinSession session = getSession();
        return session == null ? null : (Identity) session.getAttribute(IDENTITY);
    }

    private IdleClock clock() {
        return (IdleClock) getSession().getAttribute(CLOCK);
    }

    /**
     * Runs an operator's action: it counts as activity, and a refusal from Halley (a
     * rule it does not take, a publish it refuses) becomes a message, shown as text.
     */
    void act(Runnable action) {
        if (identity() == null) {
            showLogin("log in again");
            return;
        }
        IdleClock c = clock();
        if (c != null) {
            c.touch(System.currentTimeMillis());
        }
        try {
            action.run();
        } catch (HalleyException | IllegalArgumentException | IllegalStateException e) {
            Notification.show(String.valueOf(e.getMessage()), Notification.Type.ERROR_MESSAGE);
        }
    }

    private void onPoll() {
        Identity who = identity();
        if (who == null) {
            if (showingMain) {
                showLogin("logged out");
            }
            return;
        }
        IdleClock c = clock();
        int timeout = console.config().sessionTimeout();
        if (c != null && c.idle(System.currentTimeMillis(), timeout)) {
            Audit.log(who, "login", "logged out after {} s without activity", timeout);
            endLogin();
            showLogin("logged out after " + timeout + " seconds without activity");
            return;
        }
        if (!showingMain) {
            showMain();
            return;
        }
        View current = navigator == null ? null : navigator.getCurrentView();
        if (current instanceof Refreshable r) {
            try {
                r.refresh();
            } catch (RuntimeException e) {
                // a service going away between two refreshes; the next one tells what is missing
                Notification.show("refresh failed: " + e.getMessage(), Notification.Type.TRAY_NOTIFICATION);
            }
        }
    }

    private void showLogin(String message) {
        showingMain = false;
        navigator = null;
        menu.clear();
        VerticalLayout box = new VerticalLayout();
        box.setWidth("360px");
        Label title = new Label("Halley console");
        title.addStyleName(ValoTheme.LABEL_H2);
        TextField user = new TextField("User");
        user.setId("login-user");
        user.setWidthFull();
        PasswordField password = new PasswordField("Password");
        password.setId("login-password");
        password.setWidthFull();
        Label error = new Label(message == null ? "" : message, ContentMode.TEXT);
        error.setId("login-error");
        error.addStyleName("halley-bad");
        Button login = new Button("Log in");
        login.setId("login-button");
        login.addStyleName(ValoTheme.BUTTON_PRIMARY);
        login.setClickShortcut(KeyCode.ENTER);
        login.addClickListener(e -> {
            Gatekeeper.Outcome outcome = Gatekeeper.login(console.authenticator(), user.getValue(),
                    password.getValue(), console.config().adminRole());
            password.clear();
            if (!outcome.admitted()) {
                error.setValue(outcome.refusal());
                return;
            }
            // a new session id at the change of privilege: a session id seen before the login is worth nothing
            VaadinService.reinitializeSession(VaadinService.getCurrentRequest());
            VaadinSession session = getSession();
            session.setAttribute(IDENTITY, outcome.identity());
            session.setAttribute(CLOCK, new IdleClock(System.currentTimeMillis()));
            Audit.log(outcome.identity(), "login", "logged in");
            showMain();
        });
        box.addComponents(title, user, password, login, error);
        VerticalLayout page = new VerticalLayout(box);
        page.setSizeFull();
        page.setComponentAlignment(box, Alignment.MIDDLE_CENTER);
        setContent(page);
        user.focus();
    }

    /** Forgets the login in the Vaadin session (every tab) and moves it to a new HTTP session id. */
    private void endLogin() {
        VaadinSession session = getSession();
        session.setAttribute(IDENTITY, null);
        session.setAttribute(CLOCK, null);
        if (VaadinService.getCurrentRequest() != null) {
            VaadinService.reinitializeSession(VaadinService.getCurrentRequest());
        }
    }

    private void showMain() {
        showingMain = true;
        Identity who = identity();

        Label title = new Label("Halley console");
        title.addStyleName(ValoTheme.LABEL_H3);
        title.addStyleName(ValoTheme.LABEL_NO_MARGIN);
        Label user = new Label(who.toString(), ContentMode.TEXT);
        user.setId("console-user");
        Button logout = new Button("Log out");
        logout.setId("logout");
        logout.addStyleName(ValoTheme.BUTTON_SMALL);
        logout.addClickListener(e -> {
            Audit.log(who, "login", "logged out");
            endLogin();
            showLogin("logged out");
        });
        HorizontalLayout header = new HorizontalLayout(title, user, logout);
        header.setWidthFull();
        header.setExpandRatio(title, 1);
        header.setComponentAlignment(user, Alignment.MIDDLE_RIGHT);
        header.setComponentAlignment(logout, Alignment.MIDDLE_RIGHT);
        header.addStyleName("halley-header");

        CssLayout menuBar = new CssLayout();
        menuBar.addStyleName("halley-menu");
        menuBar.setWidth("170px");
        menuBar.setHeightFull();
        // the views scroll inside it; the header and the menu stay
        Panel content = new Panel();
        content.setSizeFull();
        content.addStyleName(ValoTheme.PANEL_BORDERLESS);

        navigator = new Navigator(this, content);
        menu.clear();
        addView(menuBar, "dashboard", "Dashboard", new DashboardView(this));
        addView(menuBar, "channels", "Channels", new ChannelsView(this));
        addView(menuBar, "sessions", "Sessions", new SessionsView(this));
        addView(menuBar, "permissions", "Permissions", new PermissionsView(this));
        addView(menuBar, "realm", "Realm", new RealmView(this));
        addView(menuBar, "features", "Features", new FeaturesView(this));
        navigator.addViewChangeListener(event -> {
            IdleClock c = clock();
            if (c != null) {
                c.touch(System.currentTimeMillis());
            }
            menu.forEach((name, button) -> {
                if (name.equals(event.getViewName())) {
                    button.addStyleName("halley-current");
                } else {
                    button.removeStyleName("halley-current");
                }
            });
            return identity() != null;
        });

        HorizontalLayout body = new HorizontalLayout(menuBar, content);
        body.setSizeFull();
        body.setSpacing(false);
        body.setExpandRatio(content, 1);
        VerticalLayout root = new VerticalLayout(header, body);
        root.setSizeFull();
        root.setMargin(false);
        root.setSpacing(false);
        root.setExpandRatio(body, 1);
        setContent(root);

        String state = navigator.getState();
        navigator.navigateTo(menu.containsKey(state) ? state : "dashboard");
    }

    private void addView(CssLayout menuBar, String name, String caption, View view) {
        navigator.addView(name, view);
        Button b = new Button(caption, e -> navigator.navigateTo(name));
        b.setId("nav-" + name);
        b.addStyleName(ValoTheme.BUTTON_BORDERLESS);
        menu.put(name, b);
        menuBar.addComponent(b);
    }
}
