package devicetunnel.relay.recording;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.util.function.Function;

/**
 * What a device's recording policy means for native SSH, which the relay cannot record: it only
 * passes the SSH client's end-to-end encrypted bytes on. Under {@code on} the session goes ahead and
 * its audit entry says it is not recorded; under {@code required} it is refused (the browser
 * terminal, which the relay can record, stays open to the operator).
 */
public final class NativeSshRecording {
    public static final String NOT_RECORDED = "not recorded (native SSH is end-to-end encrypted)";

    private final Function<String, RecordingPolicy> policies;

    public NativeSshRecording(Function<String, RecordingPolicy> policies) {
        this.policies = policies;
    }

    /**
     * The audit detail for a native SSH session to this device: null when its sessions are not to be recorded.
     *
     * @throws TunnelException {@link ErrorCode#FORBIDDEN} when the device requires its sessions to be recorded
     */
    public String auditNote(String deviceId) {
        RecordingPolicy policy = policies.apply(deviceId);
        if (policy == RecordingPolicy.REQUIRED) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "This device requires session recording, and native SSH "
                    + "cannot be recorded (it is end-to-end encrypted; the relay sees only ciphertext). "
                    + "Use the browser terminal.");
        }
        return policy == RecordingPolicy.ON ? NOT_RECORDED : null;
    }
}
