package io.halley.shell.internal;

import io.halley.api.AccessControl;
import io.halley.api.AclRule;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "halley", name = "acl-list",
        description = "Lists the channel permission rules, in the order of the rules file (etc/halley-acl.rules).")
@Service
public class AclListCommand extends HalleyAction {

    @Reference(optional = true)
    AccessControl acl;

    @Option(name = "--no-format", description = "Disables the table's borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        AccessControl a = acl;
        if (a == null) {
            throw unavailable("the channel permissions (halley-acl)");
        }
        ShellTable table = new ShellTable().emptyTableText("no rules: every channel is refused to everyone");
        table.column("Id");
        table.column("Effect");
        table.column("Principal");
        table.column("Pattern");
        table.column("Permissions");
        for (AclRule r : a.rules()) {
            table.addRow().addContent(r.id(), r.allow() ? "allow" : "deny", r.principal(), r.pattern(),
                    r.permissionsText());
        }
        table.print(out, !noFormat);
        return null;
    }
}
