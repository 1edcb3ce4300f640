package devicetunnel.relay.fleet;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Chooses devices by their labels, with Kubernetes' meaning for each comma-separated term (all must
 * hold): {@code key=value} the label has that value; {@code key!=value} it is absent or has another
 * value; {@code key} the label is present (any value); {@code !key} the label is absent. So
 * {@code !canary} skips a device labelled {@code canary=false} too: remove the label instead.
 */
public final class LabelSelector {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._-]{0,63}");
    private static final int MAX_CHARS = 1024;

    private enum Op { EQUALS, NOT_EQUALS, PRESENT, ABSENT }

    private record Term(String key, Op op, String value) {
        boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            return switch (op) {
                case EQUALS -> value.equals(actual);
                case NOT_EQUALS -> !value.equals(actual);
                case PRESENT -> actual != null;
                case ABSENT -> actual == null;
            };
        }
    }

    private final List<Term> terms;
    private final String text;

    private LabelSelector(List<Term> terms, String text) {
        this.terms = terms;
        this.text = text;
    }

    /** Parses a selector; an empty one matches every device. Malformed terms are a 400. */
    public static LabelSelector parse(String text) {
        if (text == null || text.length() > MAX_CHARS) {
            throw bad("a selector is at most " + MAX_CHARS + " characters");
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : text.split(",")) {
            String term = raw.trim();
            if (!term.isEmpty()) {
                terms.add(term(term));
            }
        }
        return new LabelSelector(List.copyOf(terms), text.trim());
    }

    private static Term term(String term) {
        int notEquals = term.indexOf("!=");
        if (notEquals > 0) {
            return new Term(key(term.substring(0, notEquals)), Op.NOT_EQUALS, value(term.substring(notEquals + 2)));
        }
        int equals = term.indexOf('=');
        if (equals > 0) {
            return new Term(key(term.substring(0, equals)), Op.EQUALS, value(term.substring(equals + 1)));
        }
        if (term.startsWith("!")) {
            return new Term(key(term.substring(1)), Op.ABSENT, null);
        }
        return new Term(key(term), Op.PRESENT, null);
    }

    private static String key(String key) {
        String k = key.trim();
        if (!KEY.matcher(k).matches()) {
            throw bad("'" + k + "' is not a label key (letters, digits, '.', '_', '-')");
        }
        return k;
    }

    private static String value(String value) {
        String v = value.trim();
        if (!VALUE.matcher(v).matches()) {
            throw bad("'" + v + "' is not a label value (letters, digits, '.', '_', '-')");
        }
        return v;
    }

    private static TunnelException bad(String why) {
        return new TunnelException(ErrorCode.BAD_REQUEST, "Bad selector: " + why + ".");
    }

    public boolean matches(Map<String, String> labels) {
        return terms.stream().allMatch(t -> t.matches(labels));
    }

    @Override
    public String toString() {
        return text;
    }
}
