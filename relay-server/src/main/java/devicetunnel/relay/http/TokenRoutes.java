package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.ApiTokens;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.Scope;
import devicetunnel.relay.policy.AccessChanges;
import devicetunnel.relay.store.ApiTokenStore;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.LogSafe;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/tokens}: API tokens for automation. Each user manages their own, admins everyone's.
 * Creating one needs an interactive login (a leaked token cannot mint itself a longer-lived
 * successor); listing and revoking also take a token with the {@code admin} scope. A revoked token is
 * refused at once, and the access sweep (told through {@link AccessChanges}, so every relay of a
 * cluster acts at once) ends the sessions opened with it.
 */
public final class TokenRoutes {
    private static final Set<String> FIELDS = Set.of("name", "scopes", "expiresInSeconds");
    private static final long DEFAULT_LIFETIME_SECONDS = Duration.ofDays(90).toSeconds();

    private final ApiTokens tokens;
    private final UserStore users;
    private final AuditLog audit;
    private final AccessChanges changes;

    public TokenRoutes(ApiTokens tokens, UserStore users, AuditLog audit, AccessChanges changes) {
        this.tokens = tokens;
        this.users = users;
        this.audit = audit;
        this.changes = changes;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/tokens", this::create);
        routes.get("/api/v1/tokens", this::list);
        routes.delete("/api/v1/tokens/{id}", this::revoke);
    }

    private void create(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        if (op.viaApiToken()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "API tokens cannot create tokens; log in to create one.");
        }
        JsonNode body = Json.readObject(ctx.body(), 4096);
        JsonFields fields = new JsonFields(body, FIELDS);
        String name = fields.text("name", 128);
        Set<Scope> scopes = Scope.parseAll(scopeList(body.get("scopes")));
        long seconds = fields.integer("expiresInSeconds", DEFAULT_LIFETIME_SECONDS, ApiTokens.MIN_LIFETIME.toSeconds(),
                ApiTokens.MAX_LIFETIME.toSeconds());
        User owner = users.account(op.username());
        ApiTokens.Created created = tokens.create(owner, name, scopes, Duration.ofSeconds(seconds));
        audit.record("token.created", op.username(), null, null, ctx.ip(), "id=" + created.id() + " name="
                + LogSafe.text(name) + " scopes=" + String.join(",", scopes.stream().map(Scope::wire).toList())
                + " expiresAt=" + created.expiresAt());
        ctx.status(201).json(Map.of("id", created.id(), "token", created.token(), "expiresAt", created.expiresAt()));
    }

    /** Own tokens; an admin gets everyone's ({@code ?all=false} for their own only). */
    private void list(Context ctx) {
        Operator op = requireManager(ctx);
        boolean all = op.isAdmin() && !"false".equals(ctx.queryParam("all"));
        ctx.json(tokens.list(all ? null : op.username()).stream().map(TokenRoutes::view).toList());
    }

    private void revoke(Context ctx) {
        Operator op = requireManager(ctx);
        String id = ctx.pathParam("id");
        ApiTokenStore.Row row = tokens.find(id).filter(r -> op.isAdmin() || r.username().equals(op.username()))
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such token."));
        if (tokens.revoke(row.id())) {
            audit.record("token.revoked", op.username(), null, null, ctx.ip(), "id=" + row.id() + " owner=" + row.username());
            changes.operatorChanged(row.username()); // other relays cut its sessions now, not at their next sweep
        }
        ctx.status(204);
    }

    private static Operator requireManager(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        if (op.viaApiToken() && !op.scopes().contains(Scope.ADMIN)) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Managing tokens needs a login or a token with the admin scope.");
        }
        return op;
    }

    private static List<String> scopeList(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty() || node.size() > Scope.values().length) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'scopes' must be a list such as [\"devices:read\"].");
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> {
            if (!n.isTextual()) {
                throw new TunnelException(ErrorCode.BAD_REQUEST, "'scopes' must be a list of strings.");
            }
            out.add(n.asText());
        });
        return out;
    }

    private static Map<String, Object> view(ApiTokenStore.Row row) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", row.id());
        v.put("name", row.name());
        v.put("owner", row.username());
        v.put("scopes", row.scopes());
        v.put("createdAt", row.createdAt());
        v.put("expiresAt", row.expiresAt());
        v.put("lastUsedAt", row.lastUsedAt());
        return v;
    }
}
