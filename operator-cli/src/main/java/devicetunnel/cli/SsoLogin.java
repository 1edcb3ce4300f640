package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code devtunnel login --sso}: a loopback redirect (RFC 8252). The CLI listens on 127.0.0.1 at a
 * free port, sends the browser to the relay's sign-in with that port and a PKCE challenge, and the
 * relay, once the identity provider vouched for the user, redirects the browser to the listener with
 * a one-time code. Only this process knows the verifier that turns the code into a relay token.
 */
final class SsoLogin {
    private static final long WAIT_MINUTES = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RelayClient client;
    private final URI relay;
    private final String browserCommand;
    private final PrintWriter err;

    /** {@code browserCommand}: run with the URL to open a browser; null only prints the URL. */
    SsoLogin(RelayClient client, URI relay, String browserCommand, PrintWriter err) {
        this.client = client;
        this.relay = relay;
        this.browserCommand = browserCommand;
        this.err = err;
    }

    /**
     * The relay's answer: {@code username}, {@code token}, {@code expiresAt}. {@code freshSignIn}: the
     * provider must authenticate again rather than reuse its session (step-up).
     */
    JsonNode run(boolean freshSignIn) throws IOException {
        String verifier = base64Url(randomBytes(32));
        CompletableFuture<String> code = new CompletableFuture<>();
        HttpServer listener = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        listener.createContext("/callback", exchange -> answer(exchange, code));
        listener.start();
        try {
            URI start = URI.create(relay + "/api/v1/auth/oidc/start?cli_port=" + listener.getAddress().getPort()
                    + "&cli_challenge=" + challenge(verifier) + (freshSignIn ? "&step_up=1" : ""));
            err.println("Sign in with your browser at:");
            err.println("  " + start);
            err.flush();
            openBrowser(start);
            return client.post("/api/v1/auth/oidc/cli-token", null, Map.of("code", await(code), "verifier", verifier));
        } finally {
            listener.stop(0);
        }
    }

    private void openBrowser(URI start) {
        if (browserCommand == null || browserCommand.isBlank()) {
            return;
        }
        try {
            new ProcessBuilder(browserCommand, start.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            err.println("could not start the browser (" + browserCommand + "): open the URL yourself");
        }
    }

    private static String await(CompletableFuture<String> code) {
        try {
            return code.get(WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            throw new CliException(CliException.REFUSED, "no sign-in within " + WAIT_MINUTES + " minutes");
        } catch (ExecutionException e) {
            throw new CliException(CliException.REFUSED, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.REFUSED, "interrupted");
        }
    }

    /** Takes the code from the relay's redirect and tells the person in the browser what happened. */
    private static void answer(HttpExchange exchange, CompletableFuture<String> code) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        String value = null;
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.startsWith("code=")) {
                value = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
            }
        }
        // The listener's one dispatcher thread runs callbacks one at a time, so isDone() cannot race.
        boolean taken = value != null && !code.isDone();
        byte[] page = (taken ? "Signed in: you can close this tab and go back to the terminal."
                : "No sign-in code here.").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(taken ? 200 : 400, page.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
        }
        if (taken) {
            // Only now: the CLI stops the listener (and may exit) as soon as it has the code, and the
            // browser must have its page by then, not a reset connection.
            code.complete(value);
        }
    }

    static String challenge(String verifier) {
        try {
            return base64Url(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
