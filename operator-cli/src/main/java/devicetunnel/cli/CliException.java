package devicetunnel.cli;

/** A failure the user can act on: its message is printed as is, its exit code tells scripts why. */
final class CliException extends RuntimeException {
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int NOT_LOGGED_IN = 3;
    static final int UNREACHABLE = 4;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
