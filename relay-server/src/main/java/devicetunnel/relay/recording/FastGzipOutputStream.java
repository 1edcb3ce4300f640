package devicetunnel.relay.recording;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Gzip at the fastest level, sync-flushable: a recording is compressed on the session's output path,
 * where CPU per byte is throughput lost; terminal text still shrinks several times at this level.
 */
final class FastGzipOutputStream extends GZIPOutputStream {
    FastGzipOutputStream(OutputStream out, int size) throws IOException {
        super(out, size, true);
        def.setLevel(Deflater.BEST_SPEED);
    }
}
