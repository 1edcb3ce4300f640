package devicetunnel.relay.cluster;

import devicetunnel.protocol.DaemonThreads;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.ProofIds;
import devicetunnel.relay.store.ProofIdStore;
import devicetunnel.relay.store.ProofIdStore.ProofId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proof ids shared by every relay of the cluster (PostgreSQL): a proof seen by one relay is a
 * replay on all. Proofs keep the cluster-wide audience, so a device reconnects to any relay behind
 * the balancer with the same kind of proof. A store failure refuses the proof (the device retries).
 *
 * <p>Group commit: when a relay dies, its devices all reconnect to the survivors within the
 * agents' backoff cap, and one commit per proof would pace them. Connecting threads queue their
 * ids; one writer inserts whatever is queued in one statement and tells each thread its answer,
 * so a proof still waits for exactly one round trip but a thousand of them share one commit.
 */
final class SharedProofIds implements ProofIds, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedProofIds.class);
    /** Bounds one statement's size (3 parameters per id, far below PostgreSQL's 65,535). */
    static final int MAX_BATCH = 1_000;
    /** A connect waits this long for the store before it is refused (the device retries). */
    private static final long ANSWER_TIMEOUT_SECONDS = 10;

    private record Waiting(ProofId id, CompletableFuture<Boolean> answer) {}

    private final ProofIdStore store;
    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    SharedProofIds(ProofIdStore store) {
        this.store = store;
        this.writer = DaemonThreads.named("cluster-proof-ids").newThread(this::writeLoop);
        writer.start();
    }

    @Override
    public boolean firstUse(String deviceId, String jti, Instant keepUntil) {
        if (closed) {
            throw unavailable("relay stopping: device proofs are not checked");
        }
        Waiting waiting = new Waiting(new ProofId(deviceId, jti, keepUntil.toEpochMilli()), new CompletableFuture<>());
        queue.add(waiting);
        try {
            return waiting.answer().get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : unavailable(e.getCause().toString());
        } catch (TimeoutException e) {
            throw unavailable("the shared store did not record the proof id within " + ANSWER_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while recording a proof id");
        }
    }

    private void writeLoop() {
        List<Waiting> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            write(batch);
            batch.clear();
        }
        TunnelException stopping = unavailable("relay stopping: device proofs are not checked");
        queue.forEach(w -> w.answer().completeExceptionally(stopping));
    }

    /** One statement for the batch; the same id twice in one batch: only its first use passes. */
    private void write(List<Waiting> batch) {
        List<ProofId> distinct = new ArrayList<>();
        Set<List<String>> seen = new HashSet<>();
        for (Waiting w : batch) {
            if (seen.add(key(w.id()))) {
                distinct.add(w.id());
            }
        }
        Set<ProofId> first;
        try {
            first = store.firstUses(distinct);
        } catch (RuntimeException e) {
            log.warn("recording {} device proof id(s) failed: {}", distinct.size(), e.toString());
            batch.forEach(w -> w.answer().completeExceptionally(e));
            return;
        }
        Set<List<String>> answered = new HashSet<>();
        for (Waiting w : batch) {
            w.answer().complete(first.contains(w.id()) && answered.add(key(w.id())));
        }
    }

    private static List<String> key(ProofId id) {
        return List.of(id.deviceId(), id.jti());
    }

    private static TunnelException unavailable(String message) {
        return new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, message);
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
