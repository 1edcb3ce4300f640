package devicetunnel.agent.link;

import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.TrustRotation;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay keys and user CA keys this agent trusts, pinned at enrollment, and the rule for every
 * welcome: a welcome may name the pinned keys or fewer of them (narrowing trust is harmless), but
 * a key that is not pinned is accepted only with a {@link TrustRotation} signed by a pinned relay
 * key; the new keys are then pinned durably before anything uses them. Anything else is an
 * impostor or a relay whose keys changed without a rotation: the link is refused and an admin must
 * re-enroll the device if the change was real.
 */
public final class TrustPins {
    private static final Logger log = LoggerFactory.getLogger(TrustPins.class);

    private final Enrollment enrollment;
    private Enrollment.Record pinned;

    /** What a welcome earned: the keys the SSH server may trust now, or the reason it was refused. */
    public record Verdict(boolean trusted, List<String> relayKeys, List<String> userCaKeys, String refusal) {
        static Verdict refused(String reason) {
            return new Verdict(false, List.of(), List.of(), reason);
        }
    }

    public TrustPins(Enrollment enrollment, Enrollment.Record pinned) {
        this.enrollment = enrollment;
        this.pinned = pinned;
    }

    public synchronized Enrollment.Record pinned() {
        return pinned;
    }

    /** Called after (re-)enrollment: a fresh enrollment record is the new pin. */
    public synchronized void enrolled(Enrollment.Record record) {
        pinned = record;
    }

    public synchronized Verdict check(ControlMessage.Welcome welcome) {
        if (pinned == null) {
            return Verdict.refused("the device holds no enrollment record to check the relay against");
        }
        TreeSet<String> offeredRelay = TrustRotation.normalized(welcome.authorizedKeys());
        TreeSet<String> offeredCa = TrustRotation.normalized(welcome.userCaKeys());
        TreeSet<String> pinnedRelay = TrustRotation.normalized(pinned.relayKeys());
        TreeSet<String> pinnedCa = TrustRotation.normalized(pinned.userCaKeys());
        if (pinnedRelay.containsAll(offeredRelay) && pinnedCa.containsAll(offeredCa)) {
            return new Verdict(true, List.copyOf(offeredRelay), List.copyOf(offeredCa), null);
        }
        String unpinned = describe(offeredRelay, pinnedRelay, "relay key") + describe(offeredCa, pinnedCa, "user CA key");
        TrustRotation rotation = welcome.rotation();
        if (rotation == null || rotation.signature() == null) {
            return Verdict.refused("the welcome names" + unpinned + " not pinned at enrollment, without a rotation signed by the pinned relay key");
        }
        if (!offeredRelay.equals(TrustRotation.normalized(rotation.relayKeys()))
                || !offeredCa.equals(TrustRotation.normalized(rotation.userCaKeys()))) {
            return Verdict.refused("the welcome's rotation statement names other keys than the welcome itself");
        }
        if (pinnedRelay.stream().noneMatch(rotation::signedBy)) {
            return Verdict.refused("the welcome names" + unpinned + " not pinned at enrollment, and its rotation is not signed by a pinned relay key");
        }
        Enrollment.Record next = pinned.withKeys(List.copyOf(offeredRelay), List.copyOf(offeredCa));
        try {
            enrollment.repin(next); // on disk first: never trust in memory what a restart would forget
        } catch (IOException e) {
            return Verdict.refused("a signed rotation could not be saved (" + e.getMessage() + ")");
        }
        pinned = next;
        log.warn("relay keys rotated by a statement signed with the pinned relay key; now pinned:{}{}",
                fingerprints(offeredRelay, "relay key"), fingerprints(offeredCa, "user CA key"));
        return new Verdict(true, List.copyOf(offeredRelay), List.copyOf(offeredCa), null);
    }

    private static String describe(Set<String> offered, Set<String> pinned, String what) {
        TreeSet<String> extra = new TreeSet<>(offered);
        extra.removeAll(pinned);
        return fingerprints(extra, what);
    }

    /** Public-key fingerprints (never anything secret) so an operator can compare with the relay's. */
    private static String fingerprints(Set<String> keys, String what) {
        StringBuilder text = new StringBuilder();
        for (String key : keys) {
            text.append(' ').append(what).append(' ').append(fingerprint(key));
        }
        return text.toString();
    }

    /** SHA256 fingerprint of an OpenSSH public key line, as ssh-keygen -l prints it. */
    public static String fingerprint(String keyLine) {
        try {
            return org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(devicetunnel.protocol.JdkKeys.parseOpenSsh(keyLine));
        } catch (IllegalArgumentException e) {
            return "(unparsable key)";
        }
    }
}
