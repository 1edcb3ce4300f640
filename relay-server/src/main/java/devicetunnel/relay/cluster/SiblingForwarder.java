package devicetunnel.relay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.DaemonThreads;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.http.ForwardedClient;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.SiblingRequests;
import devicetunnel.relay.store.ClusterStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes operators' requests over HTTP to the sibling relay that holds what they are about, with the
 * operator's own credentials (every relay verifies them alike) and the client's address in a signed
 * {@link ForwardedClient} header. The first relay has already checked Host, Origin and the
 * credentials; the sibling checks the credentials again and decides what the operator may see or do.
 * Answers are streamed as they come, so server-sent events pass through unbuffered.
 */
public final class SiblingForwarder implements SiblingRequests {
    private static final Logger log = LoggerFactory.getLogger(SiblingForwarder.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** Until the sibling's answer starts; a stream of events then runs as long as it runs. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> REQUEST_HEADERS = List.of("Content-Type", "Accept", "Last-Event-ID");
    private static final List<String> ANSWER_HEADERS = List.of("Content-Type", "Content-Disposition", "Cache-Control",
            "X-Accel-Buffering");

    private final RelayDirectory directory;
    private final Function<String, Optional<String>> sessionHolders;
    private final ForwardedClient signer;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(Executors.newCachedThreadPool(DaemonThreads.named("relay-sibling-http")))
            .build();

    /** {@code sessionHolders}: the advertised URL of the sibling holding a live terminal session. */
    public SiblingForwarder(RelayDirectory directory, Function<String, Optional<String>> sessionHolders,
                            ForwardedClient signer) {
        this.directory = directory;
        this.sessionHolders = sessionHolders;
        this.signer = signer;
    }

    @Override
    public boolean forwardToOwner(Context ctx, String id) throws IOException {
        return !fromSibling(ctx) && forward(ctx, directory.ownerUrl(id));
    }

    @Override
    public boolean forwardToSessionHolder(Context ctx, String sessionId) throws IOException {
        return !fromSibling(ctx) && forward(ctx, sessionHolders.apply(sessionId));
    }

    @Override
    public Optional<Passage> towardsSessionHolder(Context ctx, String sessionId) {
        return fromSibling(ctx) ? Optional.empty() : sessionHolders.apply(sessionId).map(url -> passage(ctx, url));
    }

    private boolean forward(Context ctx, Optional<String> sibling) throws IOException {
        if (sibling.isEmpty()) {
            return false;
        }
        Passage passage = passage(ctx, sibling.get());
        HttpRequest.Builder request = HttpRequest.newBuilder(passage.uri()).timeout(ANSWER_TIMEOUT)
                .method(ctx.method().name(), HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
        passage.headers().forEach(request::header);
        HttpResponse<InputStream> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            log.warn("relay at {} did not answer {}: {}", sibling.get(), ctx.path(), e.toString());
            return false; // answered as if nobody held it: not found
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking a sibling relay", e);
        }
        ctx.status(answer.statusCode());
        for (String name : ANSWER_HEADERS) {
            answer.headers().firstValue(name).ifPresent(value -> ctx.header(name, value));
        }
        try (InputStream in = answer.body()) {
            OutputStream out = ctx.res().getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush(); // events go on at once, as the sibling wrote them
            }
        }
        return true;
    }

    @Override
    public List<JsonNode> gatherLists(Context ctx) {
        if (fromSibling(ctx)) {
            return List.of();
        }
        List<ClusterStore.LiveRelay> siblings = directory.siblings();
        List<CompletableFuture<HttpResponse<String>>> asked = new ArrayList<>();
        for (ClusterStore.LiveRelay sibling : siblings) {
            Passage passage = passage(ctx, sibling.advertiseUrl());
            HttpRequest.Builder request = HttpRequest.newBuilder(passage.uri()).timeout(LIST_TIMEOUT).GET();
            passage.headers().forEach(request::header);
            asked.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<JsonNode> lists = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            String relay = siblings.get(i).relayId();
            try {
                HttpResponse<String> answer = asked.get(i).join();
                JsonNode list = answer.statusCode() == 200 ? Json.MAPPER.readTree(answer.body()) : null;
                if (list != null && list.isArray()) {
                    lists.add(list);
                } else {
                    log.warn("relay {} answered {} with status {}: its items are left out", relay, ctx.path(),
                            answer.statusCode());
                }
            } catch (RuntimeException | IOException e) {
                log.warn("relay {} did not answer {}: its items are left out ({})", relay, ctx.path(), e.toString());
            }
        }
        return lists;
    }

    private static boolean fromSibling(Context ctx) {
        return ctx.header(ForwardedClient.HEADER) != null; // a forged one was already ignored as an address
    }

    /** This request's path and query at {@code siblingUrl}; the caller's token goes as a bearer token. */
    private Passage passage(Context ctx, String siblingUrl) {
        String path = ctx.req().getRequestURI();
        String query = ctx.queryString();
        URI uri = URI.create(siblingUrl.replaceAll("/+$", "") + path + (query == null ? "" : "?" + query));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ForwardedClient.HEADER, signer.sign(ctx.ip(), ctx.method().name(), path));
        String token = Credentials.find(ctx);
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        for (String name : REQUEST_HEADERS) {
            String value = ctx.header(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return new Passage(uri, headers);
    }
}
