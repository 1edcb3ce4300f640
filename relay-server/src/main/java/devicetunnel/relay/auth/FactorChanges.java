package devicetunnel.relay.auth;

/**
 * Changes to how an account signs in (adding or removing a passkey, enrolling an authenticator app)
 * once it has a second factor need that factor checked recently ({@link StepUp#requireRecent}), so a
 * stolen session cookie cannot add its thief's own key or app. The first factor of an account needs
 * nothing more than the login: there is nothing to confirm yet.
 */
public final class FactorChanges {
    private final SecondFactors totp;
    private final Passkeys passkeys;
    private final StepUp stepUp;

    public FactorChanges(SecondFactors totp, Passkeys passkeys, StepUp stepUp) {
        this.totp = totp;
        this.passkeys = passkeys;
        this.stepUp = stepUp;
    }

    public boolean hasFactor(String username) {
        return totp.enrolled(username) || passkeys.registered(username);
    }

    /** Throws {@code step_up_required} when the account has a factor and this login's is older than step-up allows. */
    public void requireRecentIfEnrolled(Operator operator) {
        if (hasFactor(operator.username())) {
            stepUp.requireRecent(operator);
        }
    }
}
