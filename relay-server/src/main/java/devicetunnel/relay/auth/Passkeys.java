package devicetunnel.relay.auth;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.exception.DataConversionException;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.VerificationException;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Ceremonies.Purpose;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.PasskeyStore;
import devicetunnel.relay.store.PasskeyStore.Passkey;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WebAuthn ceremonies with webauthn4j: registering a passkey, and checking an assertion for a
 * passwordless login, a login's second step or a step-up. The library checks the signature,
 * challenge, origin, RP ID hash, flags and the sign counter; this class keeps the ceremony state
 * ({@link Ceremonies}), binds credentials to their owner and audits every event.
 */
public final class Passkeys {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_IN = Base64.getUrlDecoder();
    /** ES256 first (every authenticator), then Ed25519 and RS256 (Windows Hello). */
    private static final List<COSEAlgorithmIdentifier> ALGORITHMS =
            List.of(COSEAlgorithmIdentifier.ES256, COSEAlgorithmIdentifier.EdDSA, COSEAlgorithmIdentifier.RS256);
    private static final int MAX_PER_USER = 20;

    /** Who answered, with which key. */
    public record Verified(String username, Passkey passkey) {}

    private final PasskeyStore store;
    private final Ceremonies ceremonies;
    private final AuditLog audit;
    private final Clock clock;
    private final WebAuthnManager webAuthn;
    private final AttestedCredentialDataConverter credentialData;
    private final SecureRandom random = new SecureRandom();

    public Passkeys(PasskeyStore store, Ceremonies ceremonies, AuditLog audit, Clock clock) {
        ObjectConverter converter = new ObjectConverter();
        this.store = store;
        this.ceremonies = ceremonies;
        this.audit = audit;
        this.clock = clock;
        // "none" attestation is what passkeys send; we trust the key the user registered, not its maker.
        this.webAuthn = WebAuthnManager.createNonStrictWebAuthnManager(converter);
        this.credentialData = new AttestedCredentialDataConverter(converter);
    }

    public boolean registered(String username) {
        return !store.list(username).isEmpty();
    }

    public List<Passkey> list(String username) {
        return store.list(username);
    }

    /** {@code PublicKeyCredentialCreationOptions} (JSON form) for a new passkey of {@code username}. */
    public Map<String, Object> creationOptions(String username, RelyingParty.Request rp) {
        List<Passkey> existing = store.list(username);
        if (existing.size() >= MAX_PER_USER) {
            throw new TunnelException(ErrorCode.CONFLICT, "You have " + MAX_PER_USER + " passkeys; remove one first.");
        }
        Ceremonies.Begun begun = ceremonies.begin(Purpose.REGISTER, username);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("rp", Map.of("id", rp.rpId(), "name", RelyingParty.NAME));
        options.put("user", Map.of("id", existing.isEmpty() ? firstHandle(begun.challenge()) : existing.get(0).userHandle(),
                "name", username, "displayName", username));
        options.put("challenge", begun.challengeText());
        options.put("pubKeyCredParams", ALGORITHMS.stream().map(a -> Map.of("type", "public-key", "alg", a.getValue())).toList());
        options.put("timeout", Ceremonies.LIFETIME.toMillis());
        options.put("attestation", "none");
        options.put("excludeCredentials", descriptors(existing));
        // Discoverable, so the same key also signs in without a password; verification where the key can.
        options.put("authenticatorSelection", Map.of("residentKey", "preferred", "userVerification", "preferred"));
        return Map.of("ceremonyId", begun.id(), "publicKey", options);
    }

    /** Verifies a registration answer and stores the credential under {@code name}; returns it. */
    public Passkey register(String username, String ceremonyId, String name, String responseJson,
                            RelyingParty.Request rp, String ip) {
        byte[] challenge = ceremonies.finish(ceremonyId, Purpose.REGISTER, username);
        RegistrationData data;
        try {
            data = webAuthn.parseRegistrationResponseJSON(responseJson);
            webAuthn.verify(data, new RegistrationParameters(server(rp, challenge), parameters(), false, true));
        } catch (DataConversionException | VerificationException | IllegalArgumentException e) {
            audit.record("mfa.passkey.registration_failed", username, null, null, ip, e.getClass().getSimpleName());
            throw new TunnelException(ErrorCode.BAD_REQUEST, "The passkey could not be registered: " + reason(e));
        }
        AttestedCredentialData attested = data.getAttestationObject().getAuthenticatorData().getAttestedCredentialData();
        String credentialId = B64URL.encodeToString(attested.getCredentialId());
        if (store.credentialIdTaken(credentialId)) {
            throw new TunnelException(ErrorCode.CONFLICT, "This passkey is registered already.");
        }
        List<Passkey> existing = store.list(username);
        String handle = existing.isEmpty() ? firstHandle(challenge) : existing.get(0).userHandle();
        Passkey key = new Passkey(newId(), credentialId, username, handle, name,
                Base64.getEncoder().encodeToString(credentialData.convert(attested)),
                data.getAttestationObject().getAuthenticatorData().getSignCount(), clock.instant(), null);
        store.add(key);
        audit.record("mfa.passkey.registered", username, null, null, ip, "id=" + key.id() + " name=" + name);
        return key;
    }

    /**
     * {@code PublicKeyCredentialRequestOptions} (JSON form). {@code username} null: a passwordless
     * login (any discoverable passkey of this relay; the key must verify its user).
     */
    public Map<String, Object> requestOptions(Purpose purpose, String username, RelyingParty.Request rp) {
        List<Passkey> keys = username == null ? List.of() : store.list(username);
        if (username != null && keys.isEmpty()) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No passkey is registered for this account.");
        }
        Ceremonies.Begun begun = ceremonies.begin(purpose, username);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("challenge", begun.challengeText());
        options.put("rpId", rp.rpId());
        options.put("timeout", Ceremonies.LIFETIME.toMillis());
        options.put("userVerification", username == null ? "required" : "preferred");
        options.put("allowCredentials", descriptors(keys));
        return Map.of("ceremonyId", begun.id(), "publicKey", options);
    }

    /**
     * Checks an assertion for the ceremony; {@code username}: whose it must be (null for a
     * passwordless login, where the key's user handle names the account). 401 for anything wrong.
     */
    public Verified verify(Purpose purpose, String ceremonyId, String responseJson, String username,
                           RelyingParty.Request rp, String ip) {
        byte[] challenge = ceremonies.finish(ceremonyId, purpose, username);
        AuthenticationData data;
        try {
            data = webAuthn.parseAuthenticationResponseJSON(responseJson);
        } catch (DataConversionException | IllegalArgumentException e) {
            throw refuse(username, ip, "unreadable assertion");
        }
        Passkey key = data.getCredentialId() == null ? null
                : store.findByCredentialId(B64URL.encodeToString(data.getCredentialId())).orElse(null);
        if (key == null || (username != null && !key.username().equals(username))) {
            throw refuse(username, ip, "unknown passkey");
        }
        byte[] handle = data.getUserHandle();
        if ((username == null && handle == null)
                || (handle != null && !B64URL.encodeToString(handle).equals(key.userHandle()))) {
            throw refuse(key.username(), ip, "user handle does not match");
        }
        AttestedCredentialData attested = credentialData.convert(Base64.getDecoder().decode(key.credential()));
        CredentialRecordImpl record = new CredentialRecordImpl(null, null, null, null, key.signCount(), attested,
                null, null, null, null);
        try {
            webAuthn.verify(data, new AuthenticationParameters(server(rp, challenge), record,
                    List.of(data.getCredentialId()), username == null, true));
        } catch (MaliciousCounterValueException e) {
            throw refuse(key.username(), ip, "sign counter went back (cloned key?) on passkey " + key.id());
        } catch (VerificationException e) {
            throw refuse(key.username(), ip, "assertion refused: " + e.getClass().getSimpleName());
        }
        long counter = data.getAuthenticatorData().getSignCount();
        if (!store.advance(key.id(), key.signCount(), Math.max(counter, key.signCount()), clock.instant())) {
            throw refuse(key.username(), ip, "passkey used concurrently");
        }
        audit.record("mfa.ok", key.username(), null, null, ip, "passkey id=" + key.id() + " for " + purpose.name().toLowerCase());
        return new Verified(key.username(), key);
    }

    /** Removes one of the owner's passkeys; false when there is no such key of theirs. */
    public boolean remove(String username, String id, String ip) {
        boolean removed = store.remove(username, id);
        if (removed) {
            audit.record("mfa.passkey.removed", username, null, null, ip, "id=" + id);
        }
        return removed;
    }

    private TunnelException refuse(String username, String ip, String why) {
        audit.record("mfa.failed", username, null, null, ip, "passkey: " + why);
        return new TunnelException(ErrorCode.UNAUTHORIZED, "The passkey was not accepted.");
    }

    private static ServerProperty server(RelyingParty.Request rp, byte[] challenge) {
        return ServerProperty.builder().origins(rp.origins()).rpId(rp.rpId()).challenge(new DefaultChallenge(challenge)).build();
    }

    private static List<PublicKeyCredentialParameters> parameters() {
        return ALGORITHMS.stream().map(a -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, a)).toList();
    }

    private static List<Map<String, Object>> descriptors(List<Passkey> keys) {
        List<Map<String, Object>> out = new ArrayList<>();
        keys.forEach(k -> out.add(Map.of("type", "public-key", "id", k.credentialId())));
        return out;
    }

    /**
     * The user handle of an account's first passkey: random (derived from the ceremony's random
     * challenge, so the finish step knows it without storing more), never the username (the spec
     * keeps personal data out of it). Later passkeys of the account reuse it.
     */
    static String firstHandle(byte[] challenge) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update("devtunnel webauthn user handle v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return B64URL.encodeToString(sha.digest(challenge));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String newId() {
        byte[] id = new byte[8];
        random.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.length() > 200 ? e.getClass().getSimpleName() : m;
    }
}
