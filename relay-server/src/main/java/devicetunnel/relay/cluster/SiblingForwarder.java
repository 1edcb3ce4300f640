package devicetunnel.relay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.DaemonThreads;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes operators' requests over HTTP to the sibling relay that holds what they are about, with the
 * operator's own credentials (every relay verifies them alike) and the client's address in a signed
 * {@link ForwardedClient} header. The first relay has already checked Host, Origin and the
 * credentials; the sibling checks the credentials again and decides what the operator may see.
 * Answers are streamed as they come, so server-sent events pass through unbuffered.
 */
public final class SiblingForwarder implements SiblingRequests {
    private static final Logger log = LoggerFactory.getLogger(SiblingForwarder.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** Until the sibling's answer starts; a stream of events then runs as long as it runs. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> REQUEST_HEADERS = List.of("Authorization", "Cookie", "Accept", "Last-Event-ID");
    private static final List<String> ANSWER_HEADERS = List.of("Content-Type", "Content-Disposition", "Cache-Control",
            "X-Accel-Buffering");

    private final RelayDirectory directory;
    private final ForwardedClient signer;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(Executors.newCachedThreadPool(DaemonThreads.named("relay-sibling-http")))
            .build();

    public SiblingForwarder(RelayDirectory directory, ForwardedClient signer) {
        this.directory = directory;
        this.signer = signer;
    }

    @Override
    public boolean forwardToOwner(Context ctx, String id) throws IOException {
        if (fromSibling(ctx)) {
            return false;
        }
        Optional<String> owner = directory.ownerUrl(id);
        if (owner.isEmpty()) {
            return false;
        }
        HttpResponse<InputStream> answer;
        try {
            answer = http.send(request(ctx, owner.get(), ANSWER_TIMEOUT), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            log.warn("relay {} holds {} but did not answer: {}", owner.get(), id, e.toString());
            return false; // answered as this relay's own: not found
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
        List<CompletableFuture<HttpResponse<String>>> asked = new ArrayList<>();
        List<ClusterStore.LiveRelay> siblings = directory.siblings();
        for (ClusterStore.LiveRelay sibling : siblings) {
            asked.add(http.sendAsync(request(ctx, sibling.advertiseUrl(), LIST_TIMEOUT), HttpResponse.BodyHandlers.ofString()));
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

    private boolean fromSibling(Context ctx) {
        return ctx.header(ForwardedClient.HEADER) != null; // a forged one was already ignored as an address
    }

    private HttpRequest request(Context ctx, String siblingUrl, Duration timeout) {
        String query = ctx.queryString();
        URI uri = URI.create(siblingUrl.replaceAll("/+$", "") + ctx.req().getRequestURI()
                + (query == null ? "" : "?" + query));
        String method = ctx.method().name();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header(ForwardedClient.HEADER, signer.sign(ctx.ip(), method, ctx.req().getRequestURI()));
        for (String name : REQUEST_HEADERS) {
            String value = ctx.header(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        return request.build();
    }
}
