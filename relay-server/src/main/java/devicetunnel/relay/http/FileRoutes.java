package devicetunnel.relay.http;

import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.ssh.DeviceSshConnector;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File transfer for the web UI, streamed through SFTP on the relay's own SSH connection to the
 * device: {@code GET /api/v1/devices/{id}/files?path=/abs/path} downloads, {@code PUT} with the
 * file as the request body uploads. The relay holds one copy buffer per transfer, never the file.
 * Uploads go to a temporary name and replace the target only when complete ({@link AtomicUpload}):
 * one that does not arrive whole (the browser cancelled) leaves the device as it was.
 */
public final class FileRoutes {
    private static final Logger log = LoggerFactory.getLogger(FileRoutes.class);
    private static final String PATH = "/api/v1/devices/{id}/files";
    private static final int MAX_PATH_CHARS = 4096;

    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final DeviceSshConnector connector;
    private final AuditLog audit;
    private final Duration openTimeout;
    private final SessionGate gate;
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

    public FileRoutes(DeviceAccess access, DeviceFeatureStore features, DeviceSshConnector connector, AuditLog audit,
                      Duration openTimeout, SessionGate gate) {
        this.gate = gate;
        this.access = access;
        this.features = features;
        this.connector = connector;
        this.audit = audit;
        this.openTimeout = openTimeout;
    }

    public void install(RoutesConfig routes) {
        routes.get(PATH, ctx -> withSessionSlot(ctx, this::download));
        routes.put(PATH, ctx -> withSessionSlot(ctx, this::upload));
    }

    /** File transfers running on this relay. */
    public int runningCount() {
        return running.get();
    }

    private interface Transfer {
        void run(Context ctx, Operator operator, Device device) throws IOException;
    }

    /** A transfer holds an SSH connection to the device: it counts against the session caps like a shell. */
    private void withSessionSlot(Context ctx, Transfer transfer) throws IOException {
        Operator operator = OperatorAuth.current(ctx);
        Device device = allowedDevice(operator, ctx.pathParam("id"));
        gate.acquire(operator.username(), device.id());
        running.incrementAndGet();
        try {
            transfer.run(ctx, operator, device);
        } finally {
            running.decrementAndGet();
            gate.release(operator.username(), device.id());
        }
    }

    private Device allowedDevice(Operator operator, String deviceId) {
        Device device = access.forNewSession(operator, deviceId);
        if (!features.find(device.id()).orElse(DeviceFeatures.DEFAULTS).sftp()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "File transfer (SFTP) is switched off for this device.");
        }
        return device;
    }

    private void download(Context ctx, Operator operator, Device device) throws IOException {
        String path = remotePath(ctx.queryParam("path"));
        try (DeviceSshConnector.DeviceConnection connection = connector.connect(operator.username(), device, openTimeout);
             SftpClient sftp = openSftp(connection)) {
            SftpClient.Attributes attributes = sftpCall(() -> sftp.stat(path));
            if (attributes.isDirectory()) {
                throw new TunnelException(ErrorCode.BAD_REQUEST, "That path is a directory.");
            }
            if (!attributes.isRegularFile()) { // a FIFO or a device would never end and has no real size
                throw new TunnelException(ErrorCode.BAD_REQUEST, "Only regular files can be downloaded.");
            }
            long copied;
            try (InputStream in = sftpCall(() -> sftp.read(path))) {
                ctx.status(200);
                ctx.header("Content-Type", "application/octet-stream");
                ctx.header("Content-Disposition", contentDisposition(path));
                ctx.header("Content-Length", Long.toString(attributes.getSize()));
                ctx.header("Cache-Control", "no-store");
                copied = copy(in, ctx.res().getOutputStream());
            }
            audit.record("file.download", operator.username(), device.id(), null, ctx.ip(), "path=" + path + " bytes=" + copied);
        }
    }

    private void upload(Context ctx, Operator operator, Device device) throws IOException {
        String path = remotePath(ctx.queryParam("path"));
        try (DeviceSshConnector.DeviceConnection connection = connector.connect(operator.username(), device, openTimeout);
             SftpClient sftp = openSftp(connection)) {
            AtomicUpload upload = new AtomicUpload(sftp, path);
            long copied;
            try {
                try (OutputStream out = sftpCall(() -> sftp.write(upload.temporaryPath()))) {
                    copied = copyUpload(ctx.req().getInputStream(), out, ctx.req().getContentLengthLong());
                }
                sftpCall(() -> {
                    upload.commit();
                    return null;
                });
            } catch (UploadAborted e) {
                upload.abandon();
                audit.record("file.upload.aborted", operator.username(), device.id(), null, ctx.ip(), "path=" + path);
                throw new TunnelException(ErrorCode.BAD_REQUEST, "The upload did not arrive completely; nothing was changed.");
            } catch (IOException | RuntimeException e) {
                upload.abandon();
                throw e;
            }
            audit.record("file.upload", operator.username(), device.id(), null, ctx.ip(), "path=" + path + " bytes=" + copied);
            ctx.status(201).json(Map.of("path", path, "bytes", copied));
        }
    }

    private static SftpClient openSftp(DeviceSshConnector.DeviceConnection connection) {
        try {
            return SftpClientFactory.instance().createSftpClient(connection.session());
        } catch (IOException e) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "The device refused file transfer (SFTP).");
        }
    }

    private static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        out.flush();
        return total;
    }

    /** Reads the request body into the device file; a body cut short is an {@link UploadAborted}. */
    private static long copyUpload(InputStream body, OutputStream out, long declaredLength) throws IOException {
        byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
        long total = 0;
        while (true) {
            int n;
            try {
                n = body.read(buffer);
            } catch (IOException e) {
                throw new UploadAborted();
            }
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            total += n;
        }
        if (declaredLength >= 0 && total != declaredLength) {
            throw new UploadAborted();
        }
        return total;
    }

    private static String remotePath(String path) {
        if (path == null || !path.startsWith("/") || path.length() > MAX_PATH_CHARS || path.indexOf('\0') >= 0) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'path' must be an absolute path on the device.");
        }
        return path;
    }

    private static String contentDisposition(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            name = "download";
        }
        String ascii = name.replaceAll("[^A-Za-z0-9._ -]", "_");
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    private interface SftpCall<T> {
        T call() throws IOException;
    }

    /** Runs an SFTP request, turning the device's answer into the right status for the browser. */
    private static <T> T sftpCall(SftpCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (SftpException e) {
            switch (e.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE:
                case SftpConstants.SSH_FX_NO_SUCH_PATH:
                    throw new TunnelException(ErrorCode.NOT_FOUND, "No such file on the device.");
                case SftpConstants.SSH_FX_PERMISSION_DENIED:
                    throw new TunnelException(ErrorCode.FORBIDDEN, "The device refused access to that path.");
                default:
                    throw new TunnelException(ErrorCode.BAD_REQUEST, "The device refused: " + e.getMessage());
            }
        }
    }

    private static final class UploadAborted extends IOException {
        UploadAborted() {
            super("upload cut short");
        }
    }
}
