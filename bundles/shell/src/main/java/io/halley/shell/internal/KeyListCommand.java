package io.halley.shell.internal;

import io.halley.api.ApiKeys;

import java.time.Instant;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "halley", name = "key-list", description = "Lists the API keys: names, roles, creation times (never the keys).")
@Service
public class KeyListCommand extends HalleyAction {

    @Reference(optional = true)
    ApiKeys keys;

    @Option(name = "--no-format", description = "Disables the table's borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        ApiKeys k = keys;
        if (k == null) {
            throw unavailable("the API key store (feature halley-auth)");
        }
        ShellTable table = new ShellTable().emptyTableText("no API keys");
        table.column("Name");
        table.column("Roles");
        table.column("Created (UTC)");
        for (ApiKeys.KeyInfo info : k.list()) {
            table.addRow().addContent(info.name(), String.join(" ", new TreeSet<>(info.roles())),
                    Instant.ofEpochMilli(info.createdAt()).toString());
        }
        table.print(out, !noFormat);
        return null;
    }
}
