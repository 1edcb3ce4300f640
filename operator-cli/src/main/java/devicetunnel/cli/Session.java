package devicetunnel.cli;

/** A login at one relay. The token is a secret: it lives in a 0600 file and is never printed. */
record Session(String relay, String username, String token, String expiresAt) {
    @Override
    public String toString() {
        return "Session[" + username + "@" + relay + "]";
    }
}
