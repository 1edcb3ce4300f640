package devicetunnel.relay.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A browser as far as the sign-in redirects go: follows them one at a time (so a test can stop at or
 * tamper with any step) and keeps cookies per host like a browser, without SameSite subtleties (the
 * real-browser test covers those).
 */
public final class SsoClient {
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Map<String, String>> cookies = new HashMap<>();

    /** GETs {@code url} with this client's cookies for its host, keeping any it sets. */
    public HttpResponse<String> get(URI url) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        String jar = jar(url).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
        if (!jar.isEmpty()) {
            request.header("Cookie", jar);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String line : response.headers().allValues("Set-Cookie")) {
            String pair = line.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String name = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1).strip();
            if (value.isEmpty() || line.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
                jar(url).remove(name);
            } else {
                jar(url).put(name, value);
            }
        }
        return response;
    }

    /** The Location of a redirect answer (fails on anything else). */
    public static URI location(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 3) {
            throw new AssertionError("expected a redirect, got " + response.statusCode() + ": " + response.body());
        }
        return response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
    }

    /** Starts a sign-in at the relay; returns the provider URL it sends the browser to. */
    public URI start(String relayBase) throws Exception {
        return location(get(URI.create(relayBase + "/api/v1/auth/oidc/start")));
    }

    /** The provider's answer: the relay callback URL with code and state. */
    public URI authorize(URI providerUrl) throws Exception {
        return location(get(providerUrl));
    }

    /**
     * A provider that asks the user to sign in (its login page, as for {@code prompt=login}): submits
     * its form with this subject and these claims; returns the relay callback URL it redirects to.
     */
    public URI signInOnProviderPage(URI providerUrl, String subject, String claimsJson) throws Exception {
        HttpResponse<String> page = get(providerUrl);
        if (page.statusCode() != 200 || !page.body().contains("<form")) {
            throw new AssertionError("expected the provider's login page, got " + page.statusCode());
        }
        String form = "username=" + URLEncoder.encode(subject, StandardCharsets.UTF_8)
                + "&claims=" + URLEncoder.encode(claimsJson, StandardCharsets.UTF_8);
        return location(http.send(HttpRequest.newBuilder(providerUrl)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** The whole console sign-in; returns the relay's last answer (a redirect to / when it worked). */
    public HttpResponse<String> signIn(String relayBase) throws Exception {
        return get(authorize(start(relayBase)));
    }

    public String cookie(URI url, String name) {
        return jar(url).get(name);
    }

    public void setCookies(URI url, Map<String, String> values) {
        jar(url).clear();
        jar(url).putAll(values);
    }

    public Map<String, String> cookies(URI url) {
        return Map.copyOf(jar(url));
    }

    private Map<String, String> jar(URI url) {
        return cookies.computeIfAbsent(url.getHost() + ":" + url.getPort(), k -> new HashMap<>());
    }

    /** One query parameter of a URL, as it is written there. */
    public static String param(URI url, String name) {
        return List.of(url.getRawQuery().split("&")).stream().filter(p -> p.startsWith(name + "="))
                .map(p -> p.substring(name.length() + 1)).findFirst().orElseThrow();
    }

    /** Replaces one query parameter of a URL (a test playing the attacker). */
    public static URI withParam(URI url, String name, String value) {
        String query = List.of(url.getRawQuery().split("&")).stream()
                .map(p -> p.startsWith(name + "=") ? name + "=" + value : p)
                .collect(Collectors.joining("&"));
        return URI.create(url.toString().replace(url.getRawQuery(), query));
    }
}
