package io.halley.acl.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessControlListener;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel permissions kept in a rules file that operators can read, diff and edit.
 *
 * <p>The file is the store: a change through the service is written first (atomically,
 * durably) and applied only once it is on disk; an operator's edit is picked up by a
 * watcher. Either way the rules in force are one immutable {@link CompiledRules},
 * swapped in whole, so that {@link #check} takes no lock.
 */
@Component(
        service = AccessControl.class,
        configurationPid = AclService.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AclConfig.class)
public class AclService implements AccessControl {

    static final String PID = "io.halley.acl";

    private static final Logger LOG = LoggerFactory.getLogger(AclService.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("io.halley.audit");

    /** How long the file must stay quiet after an event before it is read: editors write in steps. */
    private static final long SETTLE_MILLIS = 150;

    /** The rules in force and the text they were read from or written as. */
    private record State(RulesFile file, String text, CompiledRules compiled, long revision) {
    }

    private final List<AccessControlListener> listeners = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();
    private volatile State state;
    private Path path;
    private ExecutorService notifier;
    private WatchService watchService;
    private Thread watcher;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(AccessControlListener listener) {
        listeners.add(listener);
    }

    void removeListener(AccessControlListener listener) {
        listeners.remove(listener);
    }

    @Activate
    void activate(BundleContext context, AclConfig config) throws IOException {
        try {
            start(resolve(config.file(), context.getProperty("karaf.etc")), config.watch());
        } catch (IOException | RuntimeException e) {
            // DS does not deactivate a component whose activation failed
            deactivate();
            throw e;
        }
    }

    /** Resolves {@code ${karaf.etc}} and relative paths against Karaf's etc folder. */
    static Path resolve(String file, String karafEtc) {
        String etc = karafEtc == null || karafEtc.isBlank() ? "etc" : karafEtc;
        String f = file == null || file.isBlank() ? "${karaf.etc}/halley-acl.rules" : file.strip();
        f = f.replace("${karaf.etc}", etc);
        Path p = Paths.get(f);
        return (p.isAbsolute() ? p : Paths.get(etc).resolve(p)).toAbsolutePath().normalize();
    }

    void start(Path file, boolean watch) throws IOException {
        path = file;
        notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "halley-acl-listeners");
            t.setDaemon(true);
            return t;
        });
        Files.createDirectories(path.getParent());
        if (watch) {
            // before the file is read, so that an edit in between is not missed
            watchService = path.getFileSystem().newWatchService();
            path.getParent().register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        }
        String text;
        RulesFile rules;
        try {
            text = read();
            rules = text == null ? null : parse(text);
        } catch (IllegalArgumentException e) {
            // Nothing earlier to keep: no rule is in force until the file is fixed, so
            // nobody gets in by accident. The file is left as it is for the operator.
            LOG.error("acl: {} {}; no channel permission is granted until it is fixed", path, e.getMessage());
            text = null;
            rules = RulesFile.parse("");
        }
        if (rules == null) {
            text = defaults();
            rules = RulesFile.parse(text);
            write(text);
            AUDIT.info("acl: wrote the default rules to {} ({} rules)", path, rules.rules().size());
        } else {
            LOG.info("acl: {} rules from {}", rules.rules().size(), path);
        }
        state = new State(rules, text, new CompiledRules(rules.rules()), 1);
        if (watch) {
            watcher = new Thread(this::watch, "halley-acl-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    @Deactivate
    void deactivate() {
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                LOG.debug("acl: closing the watch service", e);
            }
        }
        if (watcher != null) {
            watcher.interrupt();
            try {
                watcher.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (notifier != null) {
            notifier.shutdown();
        }
    }

    // --- AccessControl

    @Override
    public AccessDecision check(Identity who, String pattern, Permission permission) {
        return state.compiled().check(who, pattern, Objects.requireNonNull(permission, "permission"));
    }

    @Override
    public List<AclRule> rules() {
        return state.file().rules();
    }

    @Override
    public Optional<AclRule> rule(String id) {
        return state.file().rule(id);
    }

    @Override
    public AclRule add(AclRule rule) {
        Objects.requireNonNull(rule, "rule");
        AclRule[] stored = new AclRule[1];
        change(file -> {
            stored[0] = rule.withId(file.nextId());
            return file.add(stored[0]);
        });
        return stored[0];
    }

    @Override
    public boolean update(AclRule rule) {
        Objects.requireNonNull(rule, "rule");
        boolean[] found = new boolean[1];
        change(file -> {
            found[0] = file.rule(rule.id()).isPresent();
            return file.replace(rule);
        });
        return found[0];
    }

    @Override
    public boolean remove(String id) {
        boolean[] found = new boolean[1];
        change(file -> {
            found[0] = file.rule(id).isPresent();
            return file.remove(id);
        });
        return found[0];
    }

    @Override
    public long revision() {
        return state.revision();
    }

    /** The file this service keeps its rules in. */
    Path path() {
        return path;
    }

    // --- changes

    private void change(UnaryOperator<RulesFile> edit) {
        synchronized (writeLock) {
            State current = state;
            // An edit of the file that the watcher has not applied yet is applied first, so
            // that this change does not write over it; a file with an error is not written over.
            try {
                String onDisk = read();
                if (onDisk != null && !onDisk.equals(current.text())) {
                    current = apply(parse(onDisk), onDisk, "file edit");
                }
            } catch (IOException e) {
                LOG.error("acl: cannot read {}", path, e);
                throw new HalleyException(ErrorCode.UNAVAILABLE, "the rules file cannot be read; see the log");
            } catch (IllegalArgumentException e) {
                throw new HalleyException(ErrorCode.UNAVAILABLE, "the rules file " + path.getFileName()
                        + " has an error: " + e.getMessage() + "; fix it first");
            }
            RulesFile next = edit.apply(current.file());
            if (next == current.file()) {
                return;
            }
            String text = next.render();
            try {
                write(text);
            } catch (IOException e) {
                LOG.error("acl: cannot write {}", path, e);
                throw new HalleyException(ErrorCode.UNAVAILABLE, "the rules could not be stored; see the log");
            }
            apply(next, text, null);
        }
    }

    /** Puts new rules in force, logs what changed and tells the listeners; under the write lock. */
    private State apply(RulesFile next, String text, String source) {
        State previous = state;
        State now = new State(next, text, new CompiledRules(next.rules()), previous.revision() + 1);
        state = now;
        audit(previous.file(), next, source);
        try {
            notifier.execute(this::notifyListeners);
        } catch (RejectedExecutionException e) {
            LOG.debug("acl: deactivated; listeners not told of revision {}", now.revision());
        }
        return now;
    }

    private void notifyListeners() {
        for (AccessControlListener l : listeners) {
            try {
                l.rulesChanged();
            } catch (RuntimeException e) {
                LOG.error("acl: listener {} failed on a rules change", l, e);
            }
        }
    }

    private static void audit(RulesFile before, RulesFile after, String source) {
        String by = source == null ? "" : " (by " + source + ")";
        Map<String, AclRule> old = new HashMap<>();
        before.rules().forEach(r -> old.put(r.id(), r));
        for (AclRule r : after.rules()) {
            AclRule was = old.remove(r.id());
            if (was == null) {
                AUDIT.info("acl: added {} {}{}", r.id(), r, by);
            } else if (!was.equals(r)) {
                AUDIT.info("acl: changed {} from {} to {}{}", r.id(), was, r, by);
            }
        }
        for (AclRule r : old.values()) {
            AUDIT.info("acl: removed {} {}{}", r.id(), r, by);
        }
    }

    // --- the file

    private void watch() {
        Path name = path.getFileName();
        try {
            while (true) {
                WatchKey key = watchService.take();
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    ours |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context());
                }
                if (!key.reset()) {
                    LOG.error("acl: {} is no longer watched (its folder is gone); edits are not applied", path);
                    return;
                }
                if (ours) {
                    for (WatchKey more; (more = watchService.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null; ) {
                        more.pollEvents();
                        more.reset();
                    }
                    reload();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // deactivated
        } catch (RuntimeException e) {
            LOG.error("acl: the watcher of {} failed; edits are no longer applied", path, e);
        }
    }

    /** Applies the file as it is now, unless it is unchanged or has an error. */
    void reload() {
        synchronized (writeLock) {
            String text;
            try {
                text = read();
            } catch (NotText e) {
                LOG.error("acl: {} {}; keeping the rules in force (revision {})", path, e.getMessage(),
                        state.revision());
                return;
            } catch (IOException e) {
                LOG.error("acl: cannot read {}; keeping the rules in force (revision {})", path, state.revision(), e);
                return;
            }
            if (text == null) {
                LOG.warn("acl: {} is gone; keeping the rules in force (revision {}); the next change writes it again",
                        path, state.revision());
                return;
            }
            if (text.equals(state.text())) {
                return;
            }
            RulesFile next;
            try {
                next = parse(text);
            } catch (IllegalArgumentException e) {
                LOG.error("acl: {} {}; keeping the rules in force (revision {})", path, e.getMessage(),
                        state.revision());
                return;
            }
            State now = apply(next, text, "file edit");
            LOG.info("acl: applied {} ({} rules, revision {})", path, next.rules().size(), now.revision());
        }
    }

    private static RulesFile parse(String text) {
        // A file emptied to nothing is most likely half-written (or wiped by mistake): applying
        // it would lock everyone out. To remove every rule, leave a comment in it.
        if (text.isEmpty()) {
            throw new IllegalArgumentException("is empty (to remove every rule, leave at least a comment)");
        }
        return RulesFile.parse(text);
    }

    /** @return the file's text, or null when there is no file */
    private String read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new NotText();
        }
    }

    /** A file that is not UTF-8 text: an error in the file, not a failure to read it. */
    private static final class NotText extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NotText() {
            super("is not UTF-8 text");
        }
    }

    /** Writes a temporary file, forces it to disk, and moves it over the file in one step. */
    private void write(String text) throws IOException {
        Path dir = path.getParent();
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try {
            keepPermissions(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        // the rename itself is durable only once the folder is (not possible on every platform)
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("acl: cannot force {} to disk", dir, e);
        }
    }

    /** A temporary file is private to its owner; the rules file keeps the permissions it had. */
    private void keepPermissions(Path tmp) {
        try {
            if (Files.exists(path) && Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(path));
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("acl: cannot keep the permissions of {}", path, e);
        }
    }

    private static String defaults() throws IOException {
        try (InputStream in = AclService.class.getResourceAsStream("halley-acl.rules")) {
            if (in == null) {
                throw new IOException("the default rules are missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
