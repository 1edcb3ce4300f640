package devicetunnel.agent.link;

import devicetunnel.protocol.Protocol;
import java.net.http.WebSocket;

/** What the agent presents on the control link: its device id and its device token. */
public record DeviceCredential(String deviceId, String token) {

    public DeviceCredential {
        if (!Protocol.isValidDeviceId(deviceId)) {
            throw new IllegalArgumentException("invalid device id: letters, digits, '.', '_' and '-', at most 63");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("device token is empty");
        }
    }

    void addTo(WebSocket.Builder builder) {
        builder.header(Protocol.DEVICE_ID_HEADER, deviceId).header("Authorization", "Bearer " + token);
    }

    @Override
    public String toString() {
        return "DeviceCredential[" + deviceId + "]"; // never print the token
    }
}
