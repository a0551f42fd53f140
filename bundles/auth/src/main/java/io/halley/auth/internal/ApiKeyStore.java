package io.halley.auth.internal;

import io.halley.api.ApiKeys;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys in a properties file, one line per key: {@code NAME = sha256:HASH,CREATED,ROLE,...}.
 * Only the SHA-256 of each key is stored: a key carries 256 random bits, so a plain
 * digest cannot be reversed or guessed, and no slow hash is needed. The file is
 * re-read when it changes on disk and written atomically (a temporary file moved over it).
 */
final class ApiKeyStore {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyStore.class);

    static final String PREFIX = "hk_";
    /** 32 random bytes, base64url without padding. */
    static final int RANDOM_CHARS = 43;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ROLE = Pattern.compile("[^\\s,=:#!\\p{Cntrl}]{1,128}");

    record Entry(byte[] hash, Set<String> roles, long createdAt) {
    }

    private final Path file;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    // guarded by this
    private Map<String, Entry> keys = Map.of();
    private FileTime loadedTime;
    private long loadedSize = -1;

    ApiKeyStore(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    Path file() {
        return file;
    }

    /** @return the key's name and roles when the key is known, {@code null} otherwise */
    ApiKeys.KeyInfo check(String key) {
        String name = nameOf(key);
        if (name == null) {
            return null;
        }
        Entry entry = current().get(name);
        // hash first, whatever the lookup found, so that a miss costs as much as a hit
        byte[] hash = sha256(key);
        if (entry == null | !MessageDigest.isEqual(hash, entry == null ? hash.clone() : entry.hash())) {
            return null;
        }
        return new ApiKeys.KeyInfo(name, entry.roles(), entry.createdAt());
    }

    /** @return the name inside a well-formed key, {@code null} when it is not one */
    static String nameOf(String key) {
        int nameEnd = key.length() - RANDOM_CHARS - 1;
        if (!key.startsWith(PREFIX) || nameEnd <= PREFIX.length() || key.charAt(nameEnd) != '_') {
            return null;
        }
        String name = key.substring(PREFIX.length(), nameEnd);
        return NAME.matcher(name).matches() ? name : null;
    }

    synchronized String create(String name, Set<String> roles) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new HalleyException(ErrorCode.BAD_REQUEST,
                    "a key name is 1 to 64 letters, digits or -_. characters");
        }
        Set<String> checkedRoles = new LinkedHashSet<>();
        for (String role : roles) {
            if (role == null || !ROLE.matcher(role).matches()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST,
                        "a role is 1 to 128 characters without spaces, commas, '=', ':', '#' or '!'");
            }
            checkedRoles.add(role);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String key = PREFIX + name + '_' + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Map<String, Entry> next = new TreeMap<>(current());
        next.put(name, new Entry(sha256(key), Set.copyOf(checkedRoles), clock.millis()));
        write(next);
        return key;
    }

    synchronized boolean remove(String name) {
        Map<String, Entry> next = new TreeMap<>(current());
        if (next.remove(name) == null) {
            return false;
        }
        write(next);
        return true;
    }

    List<ApiKeys.KeyInfo> list() {
        List<ApiKeys.KeyInfo> result = new ArrayList<>();
        current().forEach((name, e) -> result.add(new ApiKeys.KeyInfo(name, e.roles(), e.createdAt())));
        result.sort(Comparator.comparing(ApiKeys.KeyInfo::name));
        return result;
    }

    /** @return the keys, re-read first when the file changed on disk since it was last read */
    synchronized Map<String, Entry> current() {
        FileTime time;
        long size;
        try {
            time = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            keys = Map.of();
            loadedTime = null;
            loadedSize = -1;
            return keys;
        } catch (IOException e) {
            LOG.warn("Cannot read the API keys in {}: {}; keeping the ones read before", file, e.toString());
            return keys;
        }
        if (time.equals(loadedTime) && size == loadedSize) {
            return keys;
        }
        try {
            keys = read();
            loadedTime = time;
            loadedSize = size;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read the API keys in {}: {}; keeping the ones read before", file, e.toString());
        }
        return keys;
    }

    private Map<String, Entry> read() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, Entry> result = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            String[] parts = p.getProperty(name).split(",");
            if (!NAME.matcher(name).matches() || parts.length < 2 || !parts[0].startsWith("sha256:")) {
                LOG.warn("Ignoring a malformed line for {} in {}", Logs.name(name), file);
                continue;
            }
            try {
                byte[] hash = Base64.getUrlDecoder().decode(parts[0].substring("sha256:".length()).trim());
                long created = Long.parseLong(parts[1].trim());
                Set<String> roles = new LinkedHashSet<>();
                for (int i = 2; i < parts.length; i++) {
                    if (!parts[i].isBlank()) {
                        roles.add(parts[i].trim());
                    }
                }
                if (hash.length != 32) {
                    throw new IllegalArgumentException("not a SHA-256");
                }
                result.put(name, new Entry(hash, Set.copyOf(roles), created));
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring a malformed line for {} in {}", Logs.name(name), file);
            }
        }
        return Map.copyOf(result);
    }

    private void write(Map<String, Entry> next) {
        StringBuilder b = new StringBuilder()
                .append("# Halley API keys (halley:key-create, halley:key-list, halley:key-remove).\n")
                .append("# NAME = sha256:<SHA-256 of the key, base64url>,<created, ms since the epoch>,<roles...>\n")
                .append("# Only hashes are kept: a lost key cannot be recovered, only replaced.\n");
        next.forEach((name, e) -> {
            b.append(name).append(" = sha256:")
                    .append(Base64.getUrlEncoder().withoutPadding().encodeToString(e.hash()))
                    .append(',').append(e.createdAt());
            e.roles().stream().sorted().forEach(role -> b.append(',').append(role));
            b.append('\n');
        });
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's permissions apply
                }
                Files.writeString(tmp, b, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            keys = Map.copyOf(next);
            loadedTime = Files.getLastModifiedTime(file);
            loadedSize = Files.size(file);
        } catch (IOException e) {
            LOG.error("Cannot write the API keys to {}: {}", file, e.toString());
            throw new HalleyException(ErrorCode.INTERNAL, "the API keys could not be stored", e);
        }
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
