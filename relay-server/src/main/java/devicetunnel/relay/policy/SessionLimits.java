package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps concurrent sessions per device and per operator on one relay. A slot is taken before the session
 * is opened and given back when it ends (or fails to open), so concurrent opens cannot overshoot.
 */
public final class SessionLimits implements SessionSlots {
    private final int perDevice;
    private final int perOperator;
    private final Map<String, Integer> byDevice = new ConcurrentHashMap<>();
    private final Map<String, Integer> byOperator = new ConcurrentHashMap<>();

    public SessionLimits(int perDevice, int perOperator) {
        if (perDevice < 1 || perOperator < 1) {
            throw new IllegalArgumentException("session caps must be at least 1");
        }
        this.perDevice = perDevice;
        this.perOperator = perOperator;
    }

    @Override
    public synchronized void acquire(String operator, String deviceId) {
        if (byDevice.getOrDefault(deviceId, 0) >= perDevice) {
            throw new TunnelException(ErrorCode.CONFLICT, SessionSlots.deviceFull(perDevice));
        }
        if (byOperator.getOrDefault(operator, 0) >= perOperator) {
            throw new TunnelException(ErrorCode.CONFLICT, SessionSlots.operatorFull(perOperator));
        }
        byDevice.merge(deviceId, 1, Integer::sum);
        byOperator.merge(operator, 1, Integer::sum);
    }

    @Override
    public int heldOnDevice(String deviceId) {
        return byDevice.getOrDefault(deviceId, 0);
    }

    @Override
    public synchronized void release(String operator, String deviceId) {
        byDevice.computeIfPresent(deviceId, (k, n) -> n <= 1 ? null : n - 1);
        byOperator.computeIfPresent(operator, (k, n) -> n <= 1 ? null : n - 1);
    }
}
