package io.halley.acl.internal;

import io.halley.api.AclRule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules file as its lines: comments and blank lines kept word for word, rule lines
 * kept as written until their rule changes, so that a rewrite shows in a diff only as
 * the lines that changed. Immutable: every change gives a new instance.
 */
final class RulesFile {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern GIVEN_ID = Pattern.compile("r([1-9][0-9]{0,8})");

    /** One line: {@code rule} is null for a comment or a blank line. */
    record Line(String text, AclRule rule) {
    }

    private final List<Line> lines;
    private final List<AclRule> rules;
    private final Map<String, AclRule> byId;

    private RulesFile(List<Line> lines) {
        this.lines = List.copyOf(lines);
        List<AclRule> r = new ArrayList<>();
        Map<String, AclRule> ids = new HashMap<>();
        for (Line line : this.lines) {
            if (line.rule() != null) {
                r.add(line.rule());
                ids.put(line.rule().id(), line.rule());
            }
        }
        this.rules = Collections.unmodifiableList(r);
        this.byId = ids;
    }

    /**
     * @param text the file's content
     * @return the parsed file
     * @throws IllegalArgumentException {@code line N: what is wrong}
     */
    static RulesFile parse(String text) {
        List<Line> lines = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String[] raw = text.split("\r?\n", -1);
        // a final newline ends the last line rather than starting an empty one
        int count = raw.length > 0 && raw[raw.length - 1].isEmpty() ? raw.length - 1 : raw.length;
        for (int i = 0; i < count; i++) {
            String line = raw[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                lines.add(new Line(line, null));
                continue;
            }
            int number = i + 1;
            String[] parts = trimmed.split("\\s+", 2);
            String id = parts[0];
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("line " + number + ": '" + printable(id)
                        + "' is not a rule id (letters, digits, '_' and '-', at most 64);"
                        + " a rule is: ID allow|deny PRINCIPAL PATTERN PERMISSIONS");
            }
            Integer first = seen.putIfAbsent(id, number);
            if (first != null) {
                throw new IllegalArgumentException("line " + number + ": the id " + id
                        + " is already used on line " + first);
            }
            try {
                lines.add(new Line(line, AclRule.parse(id, parts.length > 1 ? parts[1] : "")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + " (" + id + "): " + e.getMessage(), e);
            }
        }
        return new RulesFile(lines);
    }

    /** @return the file's text, each line ended by a newline */
    String render() {
        StringBuilder b = new StringBuilder(lines.size() * 48);
        for (Line line : lines) {
            b.append(line.text()).append('\n');
        }
        return b.toString();
    }

    List<AclRule> rules() {
        return rules;
    }

    Optional<AclRule> rule(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    /** @return the next {@code rN} above every {@code rN} in the file, so that a removed id is not given again at once */
    String nextId() {
        long max = 0;
        for (AclRule r : rules) {
            var m = GIVEN_ID.matcher(r.id());
            if (m.matches()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
        }
        return "r" + (max + 1);
    }

    /** @return this file with the rule (which has an id no rule has) appended */
    RulesFile add(AclRule rule) {
        if (byId.containsKey(rule.id())) {
            throw new IllegalArgumentException("the id " + rule.id() + " is already used");
        }
        List<Line> next = new ArrayList<>(lines);
        next.add(new Line(render(rule), rule));
        return new RulesFile(next);
    }

    /** @return this file with the rule of the same id replaced in place, or this when unchanged or unknown */
    RulesFile replace(AclRule rule) {
        AclRule old = byId.get(rule.id());
        if (old == null || old.equals(rule)) {
            return this;
        }
        List<Line> next = new ArrayList<>(lines.size());
        for (Line line : lines) {
            next.add(line.rule() != null && line.rule().id().equals(rule.id()) ? new Line(render(rule), rule) : line);
        }
        return new RulesFile(next);
    }

    /** @return this file without the rule, or this when no rule has the id */
    RulesFile remove(String id) {
        if (!byId.containsKey(id)) {
            return this;
        }
        List<Line> next = new ArrayList<>(lines.size());
        for (Line line : lines) {
            if (line.rule() == null || !line.rule().id().equals(id)) {
                next.add(line);
            }
        }
        return new RulesFile(next);
    }

    static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** @return a rule as one line of the file */
    static String render(AclRule rule) {
        return rule.id() + ' ' + rule;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
