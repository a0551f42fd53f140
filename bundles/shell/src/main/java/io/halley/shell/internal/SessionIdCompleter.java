package io.halley.shell.internal;

import io.halley.api.Hub;
import io.halley.api.SessionInfo;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the ids of the open sessions. */
@Service
public class SessionIdCompleter implements Completer {

    @Reference(optional = true)
    Hub hub;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        Hub h = hub;
        if (h != null) {
            for (SessionInfo s : h.sessions()) {
                delegate.getStrings().add(s.id());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
