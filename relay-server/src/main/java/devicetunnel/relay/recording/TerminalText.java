package devicetunnel.relay.recording;

import java.io.IOException;

/**
 * Turns terminal output into the plain lines a reader saw, for searching recordings: a small
 * ECMA-48 parser drops escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two- and three-byte
 * ESC sequences, their C1 forms) and control characters, and applies what changes a line's text:
 * carriage return and backspace move the cursor back (later text overwrites), CSI K erases to the
 * end of the line, and cursor addressing (CSI H, f, A, B, d) starts a new line, as full-screen
 * programs place their text that way. A line is handed on when it ends (or grows past
 * {@link #MAX_LINE}), with the time its first character was printed. Not thread-safe.
 */
final class TerminalText {
    static final int MAX_LINE = 1000;

    /** Receives each non-blank line, trailing blanks trimmed. */
    interface Lines {
        void line(double seconds, String text) throws IOException;
    }

    private enum State { GROUND, ESCAPE, ESCAPE_INTERMEDIATE, CSI, STRING, STRING_ESCAPE }

    private final Lines lines;
    private final StringBuilder line = new StringBuilder();
    private State state = State.GROUND;
    private int cursor;
    private double lineStart = -1;
    private int csiParam = -1; // the first CSI parameter, -1 while none was given
    private boolean csiFirstParamDone;
    private boolean csiPrivate; // a private sequence (CSI ? ...) is never an erase or a move

    TerminalText(Lines lines) {
        this.lines = lines;
    }

    /** Feeds output printed at {@code seconds} into the session. */
    void feed(double seconds, CharSequence text) throws IOException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (state) {
                case GROUND -> ground(seconds, c);
                case ESCAPE -> escape(c);
                case ESCAPE_INTERMEDIATE -> {
                    if (c < 0x20 || c > 0x2F) {
                        state = State.GROUND; // the final byte, or a control character cancelling the sequence
                    }
                }
                case CSI -> csi(c);
                case STRING -> {
                    if (c == 0x07 || c == 0x9C) {
                        state = State.GROUND;
                    } else if (c == 0x1B) {
                        state = State.STRING_ESCAPE;
                    }
                }
                case STRING_ESCAPE -> state = c == '\\' ? State.GROUND : State.STRING;
            }
        }
    }

    /** Hands on the line not yet ended (at the end of the recording). */
    void finish() throws IOException {
        endLine();
    }

    private void ground(double seconds, char c) throws IOException {
        switch (c) {
            case '\n', 0x0B, 0x0C -> endLine();
            case '\r' -> cursor = 0;
            case '\b' -> cursor = Math.max(0, cursor - 1);
            case '\t' -> {
                do {
                    print(seconds, ' ');
                } while (cursor % 8 != 0);
            }
            case 0x1B -> state = State.ESCAPE;
            case 0x9B -> startCsi();
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F -> state = State.STRING;
            default -> {
                if (c >= 0x20 && c != 0x7F && (c < 0x80 || c > 0x9F)) {
                    print(seconds, c);
                }
            }
        }
    }

    private void escape(char c) {
        if (c == '[') {
            startCsi();
        } else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
            state = State.STRING;
        } else if (c >= 0x20 && c <= 0x2F) {
            state = State.ESCAPE_INTERMEDIATE;
        } else if (c == 0x1B) {
            state = State.ESCAPE;
        } else {
            state = State.GROUND; // a final byte, or a control character that cancels the sequence
        }
    }

    private void startCsi() {
        state = State.CSI;
        csiParam = -1;
        csiFirstParamDone = false;
        csiPrivate = false;
    }

    private void csi(char c) throws IOException {
        if (c >= '0' && c <= '9') {
            if (!csiFirstParamDone) {
                csiParam = Math.min(9999, Math.max(0, csiParam) * 10 + (c - '0'));
            }
        } else if (c == ';' || c == ':') {
            csiFirstParamDone = true;
        } else if (c >= 0x3C && c <= 0x3F) {
            csiPrivate = true;
        } else if (c == 0x1B) {
            state = State.ESCAPE;
        } else if (c == 0x18 || c == 0x1A) { // CAN, SUB: the sequence is cancelled
            state = State.GROUND;
        } else if (c >= 0x40 && c <= 0x7E) {
            state = State.GROUND;
            if (csiPrivate) {
                return;
            }
            if (c == 'K' && csiParam <= 0) {
                line.setLength(Math.min(line.length(), cursor));
            } else if (c == 'H' || c == 'f' || c == 'A' || c == 'B' || c == 'd') {
                endLine();
            }
        }
        // intermediates (0x20-0x2F) and other controls inside the sequence change nothing here
    }

    private void print(double seconds, char c) throws IOException {
        if (lineStart < 0) {
            lineStart = seconds;
        }
        if (cursor < line.length()) {
            line.setCharAt(cursor, c);
        } else {
            line.append(c);
        }
        cursor++;
        if (line.length() >= MAX_LINE) {
            endLine();
        }
    }

    private void endLine() throws IOException {
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        if (end > 0) {
            lines.line(lineStart, line.substring(0, end));
        }
        line.setLength(0);
        cursor = 0;
        lineStart = -1;
    }
}
