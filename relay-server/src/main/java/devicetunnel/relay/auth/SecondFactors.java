package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.policy.RateLimited;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.TotpStore;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * TOTP factors: enrolment (secret sealed at rest, confirmed by a first code, recovery codes shown
 * once), verification (rate-limited per account, each code accepted once) and removal. Every factor
 * event is audited here, so no route can forget one.
 */
public final class SecondFactors {
    public static final String ISSUER = "device-tunnel";

    /** What an authenticator app needs; the secret is shown during enrolment only. */
    public record Enrolment(String secret, String uri) {}

    public record Status(boolean enrolled, int recoveryCodesLeft) {}

    private final TotpStore store;
    private final Totp totp;
    private final SecretBox box;
    private final KeyedHash codeHash;
    private final RecoveryCodes recovery = new RecoveryCodes();
    private final Throttle attempts;
    private final AuditLog audit;
    private final Clock clock;

    /** {@code attempts}: verification attempts per account (shared by the relays of a cluster). */
    public SecondFactors(TotpStore store, TotpKey key, Throttle attempts, AuditLog audit, Clock clock) {
        this.store = store;
        this.totp = new Totp(clock);
        this.box = key.secrets();
        this.codeHash = key.recoveryCodes();
        this.attempts = attempts;
        this.audit = audit;
        this.clock = clock;
    }

    public boolean enrolled(String username) {
        return store.find(username).map(TotpStore.Factor::confirmed).orElse(false);
    }

    public Status status(String username) {
        boolean enrolled = enrolled(username);
        return new Status(enrolled, enrolled ? store.unusedRecoveryCodes(username) : 0);
    }

    /** Starts an enrolment (a new secret each time until confirmed); 409 when a factor is already set up. */
    public Enrolment begin(String username, String ip) {
        if (enrolled(username)) {
            throw new TunnelException(ErrorCode.CONFLICT, "You already have an authenticator; remove it first.");
        }
        byte[] secret = totp.newSecret();
        store.begin(username, box.seal(secret, username), clock.instant());
        audit.record("mfa.totp.enrolment_started", username, null, null, ip, null);
        return new Enrolment(Base32.encode(secret), Totp.uri(ISSUER, username, secret));
    }

    /** Confirms the pending enrolment with a first code; returns the recovery codes (shown once). */
    public List<String> confirm(String username, String code, String ip) {
        acquire(username, ip);
        TotpStore.Factor pending = store.find(username).filter(f -> !f.confirmed())
                .orElseThrow(() -> new TunnelException(ErrorCode.CONFLICT, "No enrolment in progress; start one first."));
        OptionalLong step = totp.matchingStep(box.open(pending.encryptedSecret(), username), code);
        if (step.isEmpty()) {
            audit.record("mfa.totp.enrolment_failed", username, null, null, ip, "wrong code");
            throw new TunnelException(ErrorCode.BAD_REQUEST, "That code is not right; check the authenticator's clock and try the next one.");
        }
        List<String> codes = recovery.generate();
        if (!store.confirm(username, step.getAsLong(), codes.stream().map(c -> codeHash.hex(RecoveryCodes.normalise(c))).toList(),
                clock.instant())) {
            throw new TunnelException(ErrorCode.CONFLICT, "The enrolment changed meanwhile; start again.");
        }
        audit.record("mfa.totp.enrolled", username, null, null, ip, RecoveryCodes.COUNT + " recovery codes issued");
        return codes;
    }

    /**
     * Checks a second factor: a TOTP code (each accepted once) or a recovery code (single use).
     * Throws 429 past the per-account rate, 401 for a wrong, replayed or used code.
     */
    public void verify(String username, String code, String ip) {
        acquire(username, ip);
        TotpStore.Factor factor = store.find(username).filter(TotpStore.Factor::confirmed).orElse(null);
        if (factor == null) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "No second factor is set up for this account.");
        }
        String typed = code == null ? "" : code.strip();
        if (RecoveryCodes.looksLike(typed)) {
            if (store.useRecoveryCode(username, codeHash.hex(RecoveryCodes.normalise(typed)), clock.instant())) {
                audit.record("mfa.recovery_code_used", username, null, null, ip,
                        store.unusedRecoveryCodes(username) + " left");
                return;
            }
            audit.record("mfa.failed", username, null, null, ip, "unknown or used recovery code");
            throw wrong();
        }
        OptionalLong step = totp.matchingStep(box.open(factor.encryptedSecret(), username), typed);
        if (step.isEmpty()) {
            audit.record("mfa.failed", username, null, null, ip, "wrong code");
            throw wrong();
        }
        if (!store.acceptStep(username, step.getAsLong())) {
            audit.record("mfa.failed", username, null, null, ip, "code already used");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "That code was used already; wait for the next one.");
        }
        audit.record("mfa.ok", username, null, null, ip, "totp");
    }

    /** Removes the factor and its recovery codes; {@code by} is who did it (the user, or an admin). */
    public boolean remove(String username, String by, String ip) {
        boolean removed = store.remove(username);
        if (removed) {
            audit.record("mfa.totp.removed", by, null, null, ip, "account=" + username);
        }
        return removed;
    }

    private void acquire(String username, String ip) {
        try {
            attempts.acquire(username.toLowerCase(Locale.ROOT),
                    () -> audit.record("mfa.rate_limited", username, null, null, ip, "per account"));
        } catch (RateLimited e) {
            throw new RateLimited(e.retryAfterSeconds(), "Too many second-factor attempts; retry in "
                    + e.retryAfterSeconds() + " s.");
        }
    }

    private static TunnelException wrong() {
        return new TunnelException(ErrorCode.UNAUTHORIZED, "Wrong code.");
    }
}
