package io.halley.shell.internal;

import io.halley.api.ChannelInfo;
import io.halley.api.Hub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "halley", name = "channels",
        description = "Lists the channels that have subscribers or have seen messages.")
@Service
public class ChannelsCommand extends HalleyAction {

    @Reference(optional = true)
    Hub hub;

    @Option(name = "--no-format", description = "Disables the table's borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Hub h = hub;
        if (h == null) {
            throw unavailable("the hub");
        }
        List<ChannelInfo> channels = new ArrayList<>(h.channels());
        channels.sort(Comparator.comparing(ChannelInfo::name));
        ShellTable table = new ShellTable().emptyTableText("no channels");
        table.column("Name");
        table.column("Subscribers").alignRight();
        table.column("Messages").alignRight();
        table.column("Last offset").alignRight();
        for (ChannelInfo c : channels) {
            table.addRow().addContent(c.name(), c.subscribers(), c.messages(), c.lastOffset());
        }
        table.print(out, !noFormat);
        return null;
    }
}
