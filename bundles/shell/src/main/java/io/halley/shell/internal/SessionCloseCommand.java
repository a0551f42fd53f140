package io.halley.shell.internal;

import io.halley.api.CloseReason;
import io.halley.api.Hub;
import io.halley.api.Session;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

@Command(scope = "halley", name = "session-close",
        description = "Closes a session: its client gets a close frame (closed_by_admin) and does not resume it. "
                + "With --keep-session only its connection is dropped: the client resumes with nothing lost.")
@Service
public class SessionCloseCommand extends HalleyAction {

    @Reference(optional = true)
    Hub hub;

    @Argument(index = 0, name = "id", required = true, description = "The session id, as halley:sessions shows it")
    @Completion(SessionIdCompleter.class)
    String id;

    @org.apache.karaf.shell.api.action.Option(name = "--keep-session", aliases = "-k",
            description = "Drop the connection only (close reason disconnected); the session lives on")
    boolean keepSession;

    @Override
    public Object execute() throws Exception {
        Hub h = hub;
        if (h == null) {
            throw unavailable("the hub");
        }
        Session session = h.findSession(id)
                .orElseThrow(() -> new CommandException("no open session with id '" + id + "' (unknown_session)"));
        if (keepSession) {
            out.println(session.disconnect() ? "disconnected session " + id : "session " + id + " has no connection");
            return null;
        }
        session.close(CloseReason.CLOSED_BY_ADMIN);
        out.println("closed session " + id);
        return null;
    }
}
