package devicetunnel.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.helpers.AbstractFactoryManager;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * MINA SSHD settings both ends share. The JDK's AES-GCM is as fast as OpenSSL while its ChaCha20
 * is an order of magnitude slower, and curve25519 key exchange is far cheaper than the post-quantum
 * hybrids, so those go first; Nagle is off because keystrokes are tiny packets.
 */
public final class SshTuning {
    private static final List<String> CIPHER_PREFERENCE =
            List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr");
    private static final List<String> KEX_PREFERENCE =
            List.of("curve25519-sha256", "curve25519-sha256@libssh.org");

    /**
     * Largest channel data packet this end accepts. Each packet is one websocket frame on a device
     * stream, and every frame costs a send, a mask and an unmask: 4x MINA's 32 KiB default means a
     * quarter of them. Well under both the stream's frame limit and SSH's 256 KiB packet limit.
     */
    static final long MAX_PACKET_BYTES = 128 * 1024;

    private SshTuning() {}

    public static void apply(AbstractFactoryManager manager) {
        CoreModuleProperties.TCP_NODELAY.set(manager, true);
        CoreModuleProperties.NIO2_READ_BUFFER_SIZE.set(manager, Protocol.COPY_BUFFER_BYTES);
        CoreModuleProperties.MAX_PACKET_SIZE.set(manager, MAX_PACKET_BYTES);
        manager.setCipherFactories(preferFirst(manager.getCipherFactories(), CIPHER_PREFERENCE));
        manager.setKeyExchangeFactories(preferFirst(manager.getKeyExchangeFactories(), KEX_PREFERENCE));
    }

    static <T extends NamedResource> List<T> preferFirst(List<T> factories, List<String> preferred) {
        List<T> sorted = new ArrayList<>(factories);
        sorted.sort(Comparator.comparingInt(f -> {
            int index = preferred.indexOf(f.getName());
            return index < 0 ? preferred.size() : index;
        }));
        return sorted;
    }
}
