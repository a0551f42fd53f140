package io.halley.shell.internal;

import io.halley.api.Hub;

import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "halley", name = "stats", description = "Prints the hub's counters.")
@Service
public class StatsCommand extends HalleyAction {

    @Reference(optional = true)
    Hub hub;

    @Reference(optional = true)
    io.halley.api.Authenticator authenticator;

    @Option(name = "--no-format", description = "Disables the table's borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Hub h = hub;
        if (h == null) {
            throw unavailable("the hub");
        }
        ShellTable table = new ShellTable().emptyTableText("no counters");
        table.column("Counter");
        table.column("Value").alignRight();
        Map<String, Long> all = new TreeMap<>(h.counters());
        io.halley.api.Authenticator a = authenticator;
        if (a != null) {
            all.putAll(a.counters()); // auth.success.*, auth.failure.*: why logins were refused
        }
        for (Map.Entry<String, Long> e : all.entrySet()) {
            table.addRow().addContent(e.getKey(), e.getValue());
        }
        table.print(out, !noFormat);
        return null;
    }
}
