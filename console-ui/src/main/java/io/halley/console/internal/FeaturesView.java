package io.halley.console.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeatureState;
import org.apache.karaf.features.FeaturesService;

import com.vaadin.navigator.View;
import com.vaadin.navigator.ViewChangeListener.ViewChangeEvent;
import com.vaadin.ui.Button;
import com.vaadin.ui.Grid;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.VerticalLayout;
import com.vaadin.ui.themes.ValoTheme;

import io.halley.api.Identity;

/**
 * Halley's Karaf features and their state; a transport can be installed or uninstalled
 * here, as with {@code feature:install} in the shell. The other parts are shown only:
 * taking away the hub or the broker from a web page is too easy a mistake.
 */
final class FeaturesView extends VerticalLayout implements View, Refreshable {

    /** A feature as the grid shows it. */
    record Row(String name, String version, String state, String description) {
        boolean isTransport() {
            return name.startsWith("halley-transport-") && !name.equals("halley-transport-http");
        }

        boolean installed() {
            return !state.equals(FeatureState.Uninstalled.name()) && !state.equals("not installed");
        }
    }

    private final ConsoleUI ui;
    private final Grid<Row> grid = new Grid<>();
    private final Button install = new Button("Install");
    private final Button uninstall = new Button("Uninstall");
    private final Label status = Widgets.text("feature-status", "");
    private volatile String running;
    private List<Row> shown = List.of();
    private Row selected;

    FeaturesView(ConsoleUI ui) {
        this.ui = ui;
        setWidthFull();
        grid.setId("features-grid");
        grid.addColumn(Row::name).setCaption("Feature").setId("name");
        grid.addColumn(Row::state).setCaption("State").setId("state").setWidth(140);
        grid.addColumn(Row::version).setCaption("Version").setWidth(160);
        grid.addColumn(Row::description).setCaption("Description");
        grid.setWidthFull();
        grid.setHeightByRows(14);
        grid.addSelectionListener(e -> {
            if (e.isUserOriginated()) {
                ui.act(() -> {
                    selected = e.getFirstSelectedItem().orElse(null);
                    buttons();
                });
            }
        });
        install.setId("feature-install");
        install.addStyleName(ValoTheme.BUTTON_PRIMARY);
        install.addClickListener(e -> ui.act(() -> change(true)));
        uninstall.setId("feature-uninstall");
        uninstall.addStyleName(ValoTheme.BUTTON_DANGER);
        uninstall.addClickListener(e -> ui.act(() -> change(false)));
        buttons();
        addComponents(Widgets.heading("Features"),
                Widgets.text(null, "Transports can be installed and uninstalled here; clients of an uninstalled"
                        + " transport move to another one and resume."),
                grid, new HorizontalLayout(install, uninstall), status);
    }

    private void buttons() {
        boolean transport = selected != null && selected.isTransport() && running == null;
        install.setEnabled(transport && !selected.installed());
        uninstall.setEnabled(transport && selected.installed());
    }

    private void change(boolean doInstall) {
        FeaturesService fs = ui.console().features();
        Row row = selected;
        if (fs == null || row == null || !row.isTransport()) {
            throw new IllegalStateException("select a transport feature");
        }
        Identity who = ui.identity();
        String name = row.name();
        running = (doInstall ? "installing " : "uninstalling ") + name;
        status.setValue(running + "...");
        buttons();
        // a feature change takes seconds: off the request thread, its outcome shown at a later refresh
        ui.console().background(() -> {
            String outcome;
            try {
                if (doInstall) {
                    fs.installFeature(name);
                } else {
                    fs.uninstallFeature(name);
                }
                Audit.log(who, "feature", doInstall ? "installed {}" : "uninstalled {}", name);
                outcome = (doInstall ? "installed " : "uninstalled ") + name;
            } catch (Exception e) {
                outcome = (doInstall ? "install of " : "uninstall of ") + name + " failed: " + e.getMessage();
            }
            String done = outcome;
            ui.access(() -> {
                running = null;
                status.setValue(done);
                refresh();
                buttons();
            });
        });
    }

    @Override
    public void enter(ViewChangeEvent event) {
        refresh();
    }

    @Override
    public void refresh() {
        FeaturesService fs = ui.console().features();
        if (fs == null) {
            status.setValue("Karaf's features service is not available");
            return;
        }
        List<Row> rows = new ArrayList<>();
        try {
            for (Feature f : fs.listFeatures()) {
                if (f.getName().startsWith("halley")) {
                    String state = fs.isInstalled(f) ? String.valueOf(fs.getState(f.getId())) : "not installed";
                    rows.add(new Row(f.getName(), f.getVersion(), state,
                            f.getDescription() == null ? "" : f.getDescription()));
                }
            }
        } catch (Exception e) {
            status.setValue("cannot list the features: " + e.getMessage());
            return;
        }
        rows.sort(Comparator.comparing(Row::name));
        if (rows.equals(shown)) {
            return;
        }
        shown = rows;
        String keep = selected == null ? null : selected.name();
        grid.setItems(rows);
        selected = null;
        rows.stream().filter(r -> r.name().equals(keep)).findFirst().ifPresent(r -> {
            grid.select(r);
            selected = r;
        });
        buttons();
    }
}
