package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Ceremonies.Purpose;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.Passkeys;
import devicetunnel.relay.auth.RelyingParty;
import devicetunnel.relay.auth.SecondFactors;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;

/**
 * Step-up: a logged-in operator confirms a second factor again ({@code {"code"}} from the
 * authenticator app or a recovery code, or a passkey answer) and gets a new token and cookie whose
 * factor time is now. Asked for by {@code step_up_required} refusals.
 */
public final class StepUpRoutes {
    public static final String PATH = "/api/v1/auth/step-up";

    private final SecondFactors totp;
    private final Passkeys passkeys;
    private final RelyingParty rp;
    private final UserStore users;
    private final SessionIssuer issuer;
    private final AuditLog audit;

    public StepUpRoutes(SecondFactors totp, Passkeys passkeys, RelyingParty rp, UserStore users, SessionIssuer issuer,
                        AuditLog audit) {
        this.totp = totp;
        this.passkeys = passkeys;
        this.rp = rp;
        this.users = users;
        this.issuer = issuer;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.post(PATH + "/options", this::options);
        routes.post(PATH, this::stepUp);
    }

    private void options(Context ctx) {
        Operator op = interactive(ctx);
        ctx.json(passkeys.requestOptions(Purpose.STEP_UP, op.username(), PasskeyRoutes.relyingParty(rp, ctx)));
    }

    private void stepUp(Context ctx) {
        Operator op = interactive(ctx);
        JsonNode body = Json.readObject(ctx.body(), 64 * 1024);
        JsonFields fields = new JsonFields(body, Set.of("code", "ceremonyId", "credential"));
        String how;
        if (fields.has("code")) {
            totp.verify(op.username(), fields.text("code", 64), ctx.ip()); // rate-limited per account there
            how = "code";
        } else {
            passkeys.verify(Purpose.STEP_UP, fields.text("ceremonyId", 64), PasskeyRoutes.credential(body), op.username(),
                    PasskeyRoutes.relyingParty(rp, ctx), ctx.ip());
            how = "passkey";
        }
        User user = users.account(op.username());
        audit.record("login.step_up", user.username(), null, null, ctx.ip(), how);
        issuer.loggedIn(ctx, user, true);
    }

    private static Operator interactive(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        if (op.viaApiToken()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "API tokens cannot confirm a second factor; use an interactive login.");
        }
        return op;
    }
}
