package devicetunnel.relay.recording;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads a gzip file that may still be written (or was cut by a crash): the abrupt end of its
 * compressed data is the end of the stream, not an error, so readers get everything flushed so far.
 */
final class UnfinishedGzipInputStream extends GZIPInputStream {
    UnfinishedGzipInputStream(InputStream in, int size) throws IOException {
        super(in, size);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return super.read(buffer, offset, length);
        } catch (EOFException unfinished) {
            return -1;
        }
    }
}
