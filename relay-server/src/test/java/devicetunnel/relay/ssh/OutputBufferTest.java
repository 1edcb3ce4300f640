package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OutputBufferTest {

    private static CompletableFuture<Boolean> awaitRoomAsync(OutputBuffer buffer) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return buffer.awaitRoom();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void producerWaitsAtTheHighWatermarkUntilAcked() throws Exception {
        OutputBuffer buffer = new OutputBuffer(64, 16, 1024);
        buffer.append(new byte[16], 0, 16);
        CompletableFuture<Boolean> room = awaitRoomAsync(buffer);
        assertThatThrownBy(() -> room.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        buffer.ack(1);
        assertThat(room.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void producerWaitsWhileTheSendQueueIsFullEvenWhenEverythingIsAcked() throws Exception {
        OutputBuffer buffer = new OutputBuffer(64, 16, 8);
        int token = buffer.newTransport();
        buffer.append(new byte[8], 0, 8);
        buffer.queued(token, 8);
        buffer.ack(Long.MAX_VALUE);
        CompletableFuture<Boolean> room = awaitRoomAsync(buffer);
        assertThatThrownBy(() -> room.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        buffer.written(token, 8);
        assertThat(room.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void writesReportedForAnOldViewerDoNotCount() {
        OutputBuffer buffer = new OutputBuffer(64, 16, 8);
        int old = buffer.newTransport();
        buffer.queued(old, 8);
        int current = buffer.newTransport();
        assertThat(buffer.sendQueued()).isZero();
        buffer.queued(current, 4);
        buffer.written(old, 8);
        assertThat(buffer.sendQueued()).isEqualTo(4);
    }

    @Test
    void ackCannotOpenTheWindowPastWhatWasProduced() {
        OutputBuffer buffer = new OutputBuffer(64, 16, 8);
        buffer.append(new byte[10], 0, 10);
        buffer.ack(1_000_000);
        assertThat(buffer.unacknowledged()).isZero();
        buffer.append(new byte[5], 0, 5);
        assertThat(buffer.unacknowledged()).isEqualTo(5);
    }

    @Test
    void replayReturnsWhatTheClientMissedAndReportsTheGapOnceTheRingWrapped() {
        OutputBuffer buffer = new OutputBuffer(8, 4, 8);
        byte[] data = "abcdefghijkl".getBytes();
        buffer.append(data, 0, 6);
        OutputBuffer.Replay replay = buffer.replayFrom(2);
        assertThat(replay.gap()).isZero();
        assertThat(new String(replay.bytes())).isEqualTo("cdef");

        buffer.append(data, 6, 6); // 12 produced, ring keeps the last 8: "efghijkl"
        OutputBuffer.Replay wrapped = buffer.replayFrom(1);
        assertThat(wrapped.gap()).isEqualTo(3);
        assertThat(new String(wrapped.bytes())).isEqualTo("efghijkl");
        assertThatThrownBy(() -> buffer.replayFrom(13)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeReleasesAWaitingProducer() throws Exception {
        OutputBuffer buffer = new OutputBuffer(64, 16, 8);
        buffer.append(new byte[16], 0, 16);
        CompletableFuture<Boolean> room = awaitRoomAsync(buffer);
        buffer.close();
        assertThat(room.get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void theRingGrowsWithTheOutputAndStillReplaysEveryByteAfterWrapping() {
        OutputBuffer buffer = new OutputBuffer(256 * 1024, 16, 1024);
        assertThat(buffer.ringBytes()).isLessThanOrEqualTo(16 * 1024);
        byte[] all = new byte[300 * 1024];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 31 + i / 251);
        }
        buffer.append(all, 0, 10);
        assertThat(buffer.ringBytes()).isLessThanOrEqualTo(16 * 1024);
        for (int from = 10; from < all.length; from += 7 * 1024) {
            buffer.append(all, from, Math.min(7 * 1024, all.length - from));
        }
        assertThat(buffer.ringBytes()).isEqualTo(256 * 1024);
        OutputBuffer.Replay replay = buffer.replayFrom(0);
        assertThat(replay.gap()).isEqualTo(all.length - 256 * 1024);
        assertThat(replay.bytes()).isEqualTo(java.util.Arrays.copyOfRange(all, all.length - 256 * 1024, all.length));
    }

    @Test
    void aBufferResumedThroughTheDeviceCountsFromWhereTheDevicesReplayBegan() {
        OutputBuffer buffer = new OutputBuffer(64, 16, 8, 1000); // the device replays from offset 1000
        buffer.append("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 3);
        assertThat(buffer.produced()).isEqualTo(1003);
        OutputBuffer.Replay fromBefore = buffer.replayFrom(990); // the browser saw 990: 10 bytes are gone for good
        assertThat(fromBefore.gap()).isEqualTo(10);
        assertThat(new String(fromBefore.bytes(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("abc");
        OutputBuffer.Replay fromInside = buffer.replayFrom(1001);
        assertThat(fromInside.gap()).isZero();
        assertThat(new String(fromInside.bytes(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("bc");
        assertThatThrownBy(() -> buffer.replayFrom(1004)).isInstanceOf(IllegalArgumentException.class);
    }
}
