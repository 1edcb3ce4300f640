package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.JdkKeys;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.EnrollmentStore;
import devicetunnel.relay.store.EnrollmentToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Device enrollment: an admin creates a token; a device presents it once with its SSH host public
 * key, which is pinned from then on. The device is pending until an admin accepts it, unless the
 * token says auto-accept. After that the token is never needed again: the device proves possession
 * of its host key instead (see {@link DeviceProofs}).
 */
public final class Enrollments {
    public static final Duration MAX_VALIDITY = Duration.ofDays(365);

    private final EnrollmentStore tokens;
    private final DeviceStore devices;
    private final AuditLog audit;
    private final Clock clock;

    /** A new token: the secret is shown once and only its hash is stored. */
    public record Created(EnrollmentToken token, String secret) {}

    /** What an admin asks for. */
    public record Request(boolean reusable, boolean autoAccept, Duration validFor, Map<String, String> labels) {}

    public Enrollments(EnrollmentStore tokens, DeviceStore devices, AuditLog audit, Clock clock) {
        this.tokens = tokens;
        this.devices = devices;
        this.audit = audit;
        this.clock = clock;
    }

    public Created create(String createdBy, Request request) {
        return create(createdBy, request, SecretTokens.generate());
    }

    /** Creates a token with a given secret (the CLI reuses the one already in its token file). */
    public Created create(String createdBy, Request request, String secret) {
        if (request.validFor().isNegative() || request.validFor().isZero() || request.validFor().compareTo(MAX_VALIDITY) > 0) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "An enrollment token must be valid for 1 s to 365 days.");
        }
        Instant now = clock.instant();
        EnrollmentToken token = new EnrollmentToken(UUID.randomUUID().toString(), request.reusable(),
                request.autoAccept(), Map.copyOf(request.labels()), now.plus(request.validFor()), createdBy, now, 0, false);
        tokens.add(token, SecretTokens.hash(secret));
        audit.record("enrollment.created", createdBy, null, null, null, "id=" + token.id()
                + (token.reusable() ? " reusable" : " one-time") + (token.autoAccept() ? " auto-accept" : "")
                + " expires=" + token.expiresAt());
        return new Created(token, secret);
    }

    /** Revokes a token so no device enrolls with it any more; false when there is no such token. */
    public boolean revokeToken(String id, String actor) {
        boolean revoked = tokens.revoke(id);
        if (revoked) {
            audit.record("enrollment.revoked", actor, null, null, null, "id=" + id);
        }
        return revoked;
    }

    public Optional<EnrollmentToken> findBySecret(String secret) {
        return tokens.findByHash(SecretTokens.hash(secret));
    }

    /**
     * Enrolls a device. Presenting the same id and host key again is harmless (an agent retrying after
     * a lost answer) and does not use the token up; the same id with another key is refused.
     */
    public Device enroll(String secret, String deviceId, String hostKey, String remoteIp) {
        if (!Protocol.isValidDeviceId(deviceId)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST,
                    "'deviceId' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
        if (hostKey == null || !hostKey.startsWith("ssh-ed25519 ") || hostKey.length() > 1024 || !isKey(hostKey)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'hostKey' must be an OpenSSH ssh-ed25519 public key line.");
        }
        Instant now = clock.instant();
        EnrollmentToken token = secret == null ? null : findBySecret(secret).filter(t -> t.usableAt(now)).orElse(null);
        if (token == null) {
            audit.record("device.enroll.refused", null, deviceId, null, remoteIp, "invalid, expired or used-up enrollment token");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The enrollment token is invalid, expired or used up.");
        }
        Optional<Device> existing = devices.find(deviceId);
        if (existing.isPresent()) {
            return sameDeviceAgain(existing.get(), hostKey, remoteIp);
        }
        if (!tokens.consume(token.id(), now)) {
            audit.record("device.enroll.refused", null, deviceId, null, remoteIp, "enrollment token used up");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The enrollment token is invalid, expired or used up.");
        }
        Device device = new Device(deviceId, deviceId, token.labels(), hostKey.strip(),
                token.autoAccept() ? Device.Status.ACCEPTED : Device.Status.PENDING, null);
        if (!devices.add(device, token.id())) {
            return sameDeviceAgain(devices.find(deviceId).orElseThrow(), hostKey, remoteIp);
        }
        audit.record("device.enrolled", null, deviceId, null, remoteIp,
                "status=" + status(device) + " enrollment=" + token.id());
        return device;
    }

    private Device sameDeviceAgain(Device existing, String hostKey, String remoteIp) {
        if (JdkKeys.sameOpenSshKey(existing.hostKey(), hostKey)) {
            return existing;
        }
        audit.record("device.hostkey.changed", null, existing.id(), null, remoteIp,
                "enrollment attempt for an enrolled device id with a different host key");
        throw new TunnelException(ErrorCode.CONFLICT,
                "This device id is enrolled with a different host key; an admin must remove it first.");
    }

    public Device accept(String deviceId, String actor) {
        return changeStatus(deviceId, Device.Status.ACCEPTED, actor, "device.accepted");
    }

    public Device revoke(String deviceId, String actor) {
        return changeStatus(deviceId, Device.Status.REVOKED, actor, "device.revoked");
    }

    public boolean remove(String deviceId, String actor) {
        boolean removed = Protocol.isValidDeviceId(deviceId) && devices.remove(deviceId);
        if (removed) {
            audit.record("device.removed", actor, deviceId, null, null, null);
        }
        return removed;
    }

    private Device changeStatus(String deviceId, Device.Status status, String actor, String event) {
        if (!Protocol.isValidDeviceId(deviceId) || !devices.setStatus(deviceId, status)) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such device.");
        }
        audit.record(event, actor, deviceId, null, null, null);
        return devices.find(deviceId).orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such device."));
    }

    public static String status(Device device) {
        return device.status().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean isKey(String line) {
        try {
            JdkKeys.ed25519(JdkKeys.parseOpenSsh(line));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
