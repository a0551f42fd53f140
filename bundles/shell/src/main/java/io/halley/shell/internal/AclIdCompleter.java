package io.halley.shell.internal;

import io.halley.api.AccessControl;
import io.halley.api.AclRule;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the ids of the channel permission rules. */
@Service
public class AclIdCompleter implements Completer {

    @Reference(optional = true)
    AccessControl acl;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        AccessControl a = acl;
        if (a != null) {
            for (AclRule r : a.rules()) {
                delegate.getStrings().add(r.id());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
