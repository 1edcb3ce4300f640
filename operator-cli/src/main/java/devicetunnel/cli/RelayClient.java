package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** The relay's HTTP API as the CLI uses it; refusals become {@link CliException}s with the relay's words. */
final class RelayClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;

    /** {@code tls} trusts a private CA; null means the system's trusted CAs. */
    RelayClient(URI base, SSLContext tls) {
        this.base = base;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    RelayClient(URI base) {
        this(base, null);
    }

    /** The client for the saved login: its relay, trusting the CA remembered at login (if any). */
    static RelayClient forSession(ConfigDir config, Session session) {
        return new RelayClient(parseRelay(session.relay(), true), config.trustedCa());
    }

    /** Checks a relay URL; plain http only to this machine unless explicitly allowed (passwords travel). */
    static URI parseRelay(String url, boolean allowPlainHttp) {
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, "not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new CliException(CliException.USAGE, "the relay URL must look like https://relay.example.com");
        }
        if (scheme.equals("http") && !allowPlainHttp && !isLoopback(uri.getHost())) {
            throw new CliException(CliException.USAGE,
                    "refusing plain http to a remote relay (your password would travel in clear); use https");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    JsonNode login(String username, char[] password) {
        String body = write(Map.of("username", username, "password", new String(password)));
        return send(request("/api/v1/auth/login", null).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The login's second step: the pending token from {@link #login} and a code from the authenticator. */
    JsonNode secondFactor(String mfaToken, String code) {
        String body = write(Map.of("mfaToken", mfaToken, "code", code));
        return send(request("/api/v1/auth/mfa", null).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Who a token belongs to, and until when it is valid. */
    JsonNode me(String token) {
        return send(request("/api/v1/auth/me", token).GET());
    }

    JsonNode devices(String token) {
        return send(request("/api/v1/devices", token).GET());
    }

    JsonNode certificate(String token, String publicKeyLine) {
        String body = write(Map.of("publicKey", publicKeyLine));
        return send(request("/api/v1/ssh/certificates", token).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The websocket URL for an API path (ws:// or wss:// like the relay's own scheme). */
    URI websocket(String path) {
        String scheme = base.getScheme().equalsIgnoreCase("https") ? "wss" : "ws";
        return URI.create(scheme + base.toString().substring(base.getScheme().length()) + path);
    }

    HttpClient http() {
        return http;
    }

    URI base() {
        return base;
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private JsonNode send(HttpRequest.Builder builder) {
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw Unreachable.of(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNREACHABLE, "interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), response.body());
        }
        if (response.body().isBlank()) { // 204: done, nothing to say
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(CliException.REFUSED, "the relay answered something that is not JSON");
        }
    }

    JsonNode get(String path, String token) {
        return send(request(path, token).GET());
    }

    JsonNode post(String path, String token, Object body) {
        return send(request(path, token).POST(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    JsonNode delete(String path, String token) {
        return send(request(path, token).DELETE());
    }

    /** A server-sent event stream's lines, as they arrive; the caller closes the stream. */
    java.util.stream.Stream<String> eventLines(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token);
        HttpResponse<java.util.stream.Stream<String>> response;
        try {
            response = http.send(builder.GET().build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw Unreachable.of(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNREACHABLE, "interrupted");
        }
        if (response.statusCode() != 200) {
            String body = response.body().collect(java.util.stream.Collectors.joining("\n"));
            throw refusal(response.statusCode(), body);
        }
        return response.body();
    }

    JsonNode device(String token, String deviceId) {
        return send(request("/api/v1/devices/" + deviceId, token).GET());
    }

    /**
     * A refused websocket handshake carries no body, so its status alone is vague: ask the plain API
     * about the device, whose answer has the relay's own words ("Your account no longer exists.").
     */
    CliException explain(CliException refused, String token, String deviceId) {
        try {
            device(token, deviceId);
            return refused;
        } catch (CliException clearer) {
            return clearer;
        }
    }

    /** The relay's code for "confirm your second factor again" (ErrorCode.STEP_UP_REQUIRED). */
    static final String STEP_UP_REQUIRED = "step_up_required";

    /** The relay's error body ({"error","message"}) as a CLI error with a meaningful exit code. */
    static CliException refusal(int status, String body) {
        return refusal(status, body, null);
    }

    /** {@code code}: the error code when only a header carried it (a refused websocket upgrade). */
    static CliException refusal(int status, String body, String code) {
        String message = defaultMessage(status) + " (HTTP " + status + ")";
        try {
            JsonNode error = MAPPER.readTree(body == null ? "" : body);
            if (error != null && error.hasNonNull("message")) {
                message = error.get("message").asText() + " (HTTP " + status + ")";
            }
            if (error != null && error.hasNonNull("error")) {
                code = error.get("error").asText();
            }
        } catch (IOException e) {
            // not our JSON (a proxy's page): the status says enough
        }
        if (STEP_UP_REQUIRED.equals(code)) {
            // A fresh login asks for the second factor, which is what the device wants.
            return new CliException(CliException.NOT_LOGGED_IN, "this device needs your second factor confirmed recently "
                    + "(step-up): run devtunnel login again (with --sso --step-up for single sign-on), then retry");
        }
        if (status == 401) {
            return new CliException(CliException.NOT_LOGGED_IN, message + "; run devtunnel login again");
        }
        return new CliException(status >= 500 ? CliException.UNREACHABLE : CliException.REFUSED, message);
    }

    private static String defaultMessage(int status) {
        switch (status) {
            case 401: return "the relay did not accept your login";
            case 403: return "you are not allowed to do this";
            case 404: return "no such device";
            case 502: return "the device is offline or unreachable";
            case 503: return "the relay is not ready";
            case 504: return "the device did not answer in time";
            default: return "the relay refused";
        }
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
