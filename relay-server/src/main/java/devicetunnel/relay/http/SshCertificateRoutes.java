package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.ssh.UserCertificateAuthority;
import devicetunnel.relay.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * {@code POST /api/v1/ssh/certificates} with {@code {"publicKey": "ssh-ed25519 AAAA...", "portForwarding": false}}:
 * a short-lived OpenSSH user certificate for the logged-in operator, for the native SSH path through
 * the relay. Port forwarding is permitted only when asked for (and the device allows it).
 */
public final class SshCertificateRoutes {
    private final UserCertificateAuthority ca;
    private final AuditLog audit;

    public SshCertificateRoutes(UserCertificateAuthority ca, AuditLog audit) {
        this.ca = ca;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/ssh/certificates", this::issue);
    }

    private void issue(Context ctx) {
        Operator operator = OperatorAuth.current(ctx);
        if (!operator.role().mayOpenSessions()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Your role (viewer) may not open SSH sessions.");
        }
        JsonNode body = Json.readObject(ctx.body(), 16 * 1024);
        JsonNode key = body.get("publicKey");
        if (key == null || !key.isTextual()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'publicKey' must be one OpenSSH public key line.");
        }
        JsonNode forwarding = body.get("portForwarding");
        if (forwarding != null && !forwarding.isBoolean()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'portForwarding' must be true or false.");
        }
        boolean portForwarding = forwarding != null && forwarding.asBoolean();
        UserCertificateAuthority.Issued issued = ca.sign(operator.username(), key.asText(), portForwarding);
        audit.record("ssh.certificate.issued", operator.username(), null, null, ctx.ip(),
                "serial=" + issued.serial() + " validBefore=" + issued.validBefore() + " portForwarding=" + portForwarding);
        ctx.json(Map.of("certificate", issued.certificate(), "validBefore", issued.validBefore()));
    }
}
