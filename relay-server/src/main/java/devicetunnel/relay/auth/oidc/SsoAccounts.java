package devicetunnel.relay.auth.oidc;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.LogSafe;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Turns a verified identity into a relay account: created at the first sign-in, role and label scope
 * set from the mapping at every sign-in. An account made by SSO is bound to the provider's subject
 * (its password column holds {@code oidc:<hash of issuer and subject>}, which no password matches), so
 * neither a local account nor another subject that later carries the same username can be taken over.
 * When the mapping no longer grants anything, the sign-in is refused and the account removed: its
 * tokens die and {@code accessLost} ends its open sessions (the access sweep, on every relay).
 */
public final class SsoAccounts {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    public static final String MARKER = "oidc:";

    private final OidcSettings settings;
    private final UserStore users;
    private final AuditLog audit;
    private final Consumer<String> accessLost;

    public SsoAccounts(OidcSettings settings, UserStore users, AuditLog audit, Consumer<String> accessLost) {
        this.settings = settings;
        this.users = users;
        this.audit = audit;
        this.accessLost = accessLost;
    }

    /** The account to log in as; a 403 (audited) when the identity may not use the relay. */
    public User signIn(OidcProvider.Identity identity, String ip) {
        Object claimed = identity.claims().get(settings.usernameClaim());
        if (!(claimed instanceof String username) || !USERNAME.matcher(username).matches()) {
            audit.record("login.sso_refused", null, null, null, ip,
                    "claim '" + settings.usernameClaim() + "' is missing or not a valid username (subject "
                            + LogSafe.text(identity.subject()) + ")");
            throw new TunnelException(ErrorCode.FORBIDDEN, "Your identity provider gave no usable username ('"
                    + settings.usernameClaim() + "').");
        }
        String binding = binding(identity);
        Optional<User> existing = users.find(username);
        if (existing.isPresent() && !binding.equals(existing.get().passwordHash())) {
            audit.record("login.sso_refused", username, null, null, ip, "the name belongs to another account");
            throw new TunnelException(ErrorCode.FORBIDDEN, "The username '" + username
                    + "' belongs to another relay account; ask an admin.");
        }
        Optional<RoleMapping.Grant> grant = settings.mapping().grant(identity.claims());
        if (grant.isEmpty()) {
            audit.record("login.sso_refused", username, null, null, ip, "no mapping rule grants access");
            if (existing.isPresent() && users.remove(username)) {
                audit.record("user.sso_removed", username, null, null, ip, "the identity provider no longer grants access");
                accessLost.accept(username);
            }
            throw new TunnelException(ErrorCode.FORBIDDEN, "Your identity provider account grants no access to this relay.");
        }
        RoleMapping.Grant g = grant.get();
        String detail = "role " + g.role().name().toLowerCase(java.util.Locale.ROOT) + ", labels " + g.labels()
                + " by rule " + g.rule().claim() + "=" + g.rule().value();
        if (existing.isEmpty()) {
            if (!users.add(new User(username, binding, g.role(), g.labels()))) {
                throw new TunnelException(ErrorCode.CONFLICT, "The account was created meanwhile; sign in again.");
            }
            audit.record("user.sso_created", username, null, null, ip, detail);
        } else if (existing.get().role() != g.role() || !existing.get().allowedLabels().equals(g.labels())) {
            users.setRoleAndLabels(username, g.role(), g.labels());
            audit.record("user.sso_updated", username, null, null, ip, detail);
            accessLost.accept(username); // a narrower grant ends the sessions it no longer covers
        }
        audit.record("login.sso_ok", username, null, null, ip, detail);
        return users.find(username).orElseThrow(() -> new TunnelException(ErrorCode.CONFLICT,
                "The account was removed meanwhile; sign in again."));
    }

    /** Whether the account was made by single sign-on (it has no password). */
    public static boolean bySso(User user) {
        return user.passwordHash() != null && user.passwordHash().startsWith(MARKER);
    }

    /** What an SSO account's password column holds: no password hash, and bound to one provider subject. */
    static String binding(OidcProvider.Identity identity) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((identity.issuer() + "\n" + identity.subject()).getBytes(StandardCharsets.UTF_8));
            return MARKER + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
