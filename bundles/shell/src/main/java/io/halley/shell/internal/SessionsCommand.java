package io.halley.shell.internal;

import io.halley.api.Hub;
import io.halley.api.SessionInfo;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "halley", name = "sessions", description = "Lists the open sessions, oldest first.")
@Service
public class SessionsCommand extends HalleyAction {

    @Reference(optional = true)
    Hub hub;

    @Option(name = "--no-format", description = "Disables the table's borders, for scripts")
    boolean noFormat;

    Clock clock = Clock.systemUTC();

    @Override
    public Object execute() throws Exception {
        Hub h = hub;
        if (h == null) {
            throw unavailable("the hub");
        }
        List<SessionInfo> sessions = new ArrayList<>(h.sessions());
        sessions.sort(Comparator.comparingLong(SessionInfo::createdAt).thenComparing(SessionInfo::id));
        long now = clock.millis();
        ShellTable table = new ShellTable().emptyTableText("no sessions");
        table.column("Id");
        table.column("User");
        table.column("Transport");
        table.column("Remote address");
        table.column("Connected");
        table.column("Subscriptions").maxSize(60).wrap();
        table.column("Queued").alignRight();
        table.column("Last seq").alignRight();
        table.column("Age").alignRight();
        for (SessionInfo s : sessions) {
            String subscriptions = s.subscriptions() == null ? "" : String.join(", ", new TreeSet<>(s.subscriptions()));
            table.addRow().addContent(s.id(), s.user(), s.transport(), s.remoteAddress(), s.connected() ? "yes" : "no",
                    subscriptions, s.queued(), s.lastSeq(), age(now - s.createdAt()));
        }
        table.print(out, !noFormat);
        return null;
    }

    /** Compact, like 45s, 3m07s, 2h05m, 3d04h. */
    static String age(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format("%dd%02dh", s / 86400, (s % 86400) / 3600);
    }
}
