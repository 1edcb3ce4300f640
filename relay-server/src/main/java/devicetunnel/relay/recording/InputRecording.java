package devicetunnel.relay.recording;

import devicetunnel.relay.store.User;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whose keystrokes go into recordings ({@code --recording-input role:operator,label:env=prod}):
 * off unless a rule asks. A recorded session records its input too when its operator has one of
 * the roles or its device one of the labels. Input holds what output never shows (passwords typed
 * at a prompt), so it is stored only in the cast, never in the searchable transcript or a log.
 */
public record InputRecording(Set<User.Role> roles, List<Label> labels) {
    public static final InputRecording NONE = new InputRecording(Set.of(), List.of());

    public record Label(String key, String value) {
        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    public InputRecording {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(roles);
        labels = List.copyOf(labels);
    }

    /**
     * Parses rules written {@code role:ROLE} or {@code label:KEY=VALUE}.
     *
     * @throws IllegalArgumentException naming the rule that is neither
     */
    public static InputRecording parse(List<String> texts) {
        Set<User.Role> roles = EnumSet.noneOf(User.Role.class);
        List<Label> labels = new ArrayList<>();
        for (String text : texts == null ? List.<String>of() : texts) {
            String rule = text.trim();
            if (rule.startsWith("role:")) {
                roles.add(role(rule.substring("role:".length()), text));
            } else if (rule.startsWith("label:") && rule.indexOf('=') > "label:".length()) {
                int eq = rule.indexOf('=');
                labels.add(new Label(rule.substring("label:".length(), eq).trim(), rule.substring(eq + 1).trim()));
            } else {
                throw new IllegalArgumentException("recording input rule must be role:ROLE or label:KEY=VALUE, not '" + text + "'");
            }
        }
        return new InputRecording(roles, labels);
    }

    private static User.Role role(String name, String text) {
        try {
            return User.Role.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("recording input rule '" + text + "' names no role (admin, operator, viewer)");
        }
    }

    /** Whether a session of an operator with {@code role} on a device with these labels records its input. */
    public boolean applies(User.Role role, Map<String, String> labels) {
        return (role != null && roles.contains(role)) || !matchingLabels(labels).isEmpty();
    }

    /** The label rules these device labels match, as {@code label:key=value}. */
    public List<String> matchingLabels(Map<String, String> deviceLabels) {
        return labels.stream().filter(l -> l.value().equals(deviceLabels.get(l.key()))).map(l -> "label:" + l).toList();
    }

    /** The role rules, as {@code role:name}. */
    public List<String> roleRules() {
        return roles.stream().sorted().map(r -> "role:" + r.name().toLowerCase(Locale.ROOT)).toList();
    }
}
