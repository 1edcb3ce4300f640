package devicetunnel.relay.recording;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Recording policies by device label, set on the relay ({@code --recording-label-policy
 * env=prod:required}): a device carrying the label gets at least that policy. The stricter of the
 * device's own policy and its labels' policies applies, so a label can raise a device's policy,
 * never lower it.
 */
public record LabelPolicies(List<Rule> rules) {
    public static final LabelPolicies NONE = new LabelPolicies(List.of());

    /** Devices whose label {@code key} is {@code value} get at least {@code policy}. */
    public record Rule(String key, String value, RecordingPolicy policy) {
        @Override
        public String toString() {
            return key + "=" + value + ":" + policy.wire();
        }
    }

    public LabelPolicies {
        rules = List.copyOf(rules);
    }

    /**
     * Parses rules written {@code key=value:policy}.
     *
     * @throws IllegalArgumentException naming the rule that is not of that form
     */
    public static LabelPolicies parse(List<String> texts) {
        List<Rule> rules = new ArrayList<>();
        for (String text : texts == null ? List.<String>of() : texts) {
            int eq = text.indexOf('=');
            int colon = text.lastIndexOf(':');
            if (eq <= 0 || colon < eq + 2 || colon == text.length() - 1) {
                throw new IllegalArgumentException("recording label policy must be key=value:off|on|required, not '"
                        + text + "'");
            }
            String policy = text.substring(colon + 1);
            RecordingPolicy parsed = null;
            for (RecordingPolicy p : RecordingPolicy.values()) {
                parsed = p.wire().equals(policy) ? p : parsed;
            }
            if (parsed == null) {
                throw new IllegalArgumentException("recording label policy '" + text + "' must end in :off, :on or :required");
            }
            rules.add(new Rule(text.substring(0, eq).trim(), text.substring(eq + 1, colon).trim(), parsed));
        }
        return new LabelPolicies(rules);
    }

    /** The rules these labels match that are stricter than {@code devicePolicy}: what raises it. */
    public List<Rule> raising(RecordingPolicy devicePolicy, Map<String, String> labels) {
        return rules.stream()
                .filter(rule -> rule.value().equals(labels.get(rule.key())) && rule.policy().compareTo(devicePolicy) > 0)
                .toList();
    }

    /** The strictest of {@code devicePolicy} and the policies of the rules these labels match. */
    public RecordingPolicy apply(RecordingPolicy devicePolicy, Map<String, String> labels) {
        RecordingPolicy strictest = devicePolicy;
        for (Rule rule : rules) {
            if (rule.value().equals(labels.get(rule.key())) && rule.policy().compareTo(strictest) > 0) {
                strictest = rule.policy();
            }
        }
        return strictest;
    }
}
