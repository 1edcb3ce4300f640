package devicetunnel.relay.store;

import devicetunnel.protocol.DeviceFeatures;
import java.util.Optional;
import javax.sql.DataSource;

/** The admin's per-device switches (SFTP, exec, forwarding, web apps), kept beside the device row. */
public final class DeviceFeatureStore {
    private final Jdbc jdbc;

    public DeviceFeatureStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /** The device's switches; empty for an unknown device. */
    public Optional<DeviceFeatures> find(String deviceId) {
        return jdbc.query("SELECT allow_sftp, allow_exec, allow_forwarding, allow_web_apps FROM devices WHERE id = ?",
                rs -> new DeviceFeatures(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4)), deviceId)
                .stream().findFirst();
    }

    /** Stores the switches; false for an unknown device. */
    public boolean set(String deviceId, DeviceFeatures features) {
        return jdbc.update("UPDATE devices SET allow_sftp = ?, allow_exec = ?, allow_forwarding = ?, allow_web_apps = ? WHERE id = ?",
                features.sftp(), features.exec(), features.forwarding(), features.webApps(), deviceId) == 1;
    }
}
