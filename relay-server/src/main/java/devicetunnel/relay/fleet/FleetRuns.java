package devicetunnel.relay.fleet;

import devicetunnel.protocol.DaemonThreads;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.ssh.DeviceSshConnector;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The runs on this relay: chooses each run's devices within the operator's rights, starts it, and
 * keeps finished runs for a while (at most {@link #KEEP_FINISHED}, none longer than {@link #KEEP_FOR})
 * so results can be read and downloaded. Runs live in this relay's memory: a restart forgets them
 * (the audit log keeps every result).
 */
public final class FleetRuns implements AutoCloseable {
    public static final int MAX_CONCURRENCY = 64;
    public static final int MAX_TARGETS = 10_000;
    static final int MAX_RUNNING = 16;
    static final int KEEP_FINISHED = 50;
    static final Duration KEEP_FOR = Duration.ofHours(1);
    /** Per device and stream: the first this many bytes are kept, plus the last {@link OutputCapture#TAIL_BYTES}. */
    static final int HEAD_BYTES = 32 * 1024;

    /** A request as the API took it: {@code selector} or {@code devices} (not both). */
    public record Request(String selector, List<String> devices, String command, int concurrency, long timeoutSeconds,
                          int stopAfterFailures, boolean dryRun) {}

    /** One device a dry run would (or would not) reach. */
    public record Planned(String device, String status, String message) {}

    private record Target(String deviceId, Device device, DeviceStatus status, String message) {}

    private final DeviceStore devices;
    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final Presence presence;
    private final AuditLog audit;
    private final ExecutorService workers = Executors.newCachedThreadPool(DaemonThreads.named("relay-run"));
    private final FleetRunner runner;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, FleetRun> runs = new LinkedHashMap<>(); // guarded by this
    private final UnaryOperator<String> mintId;

    /**
     * {@code mintId}: makes a run's random id this relay's; in a cluster it prefixes the relay id,
     * so a sibling asked about the run knows where it lives.
     */
    public FleetRuns(DeviceStore devices, DeviceAccess access, DeviceFeatureStore features, Presence presence,
                     DeviceSshConnector connector, Duration openTimeout, AuditLog audit, UnaryOperator<String> mintId) {
        this.mintId = mintId;
        this.devices = devices;
        this.access = access;
        this.features = features;
        this.presence = presence;
        this.audit = audit;
        this.runner = new FleetRunner(new DeviceExec(connector, openTimeout), audit, workers);
    }

    /** Which devices a request reaches and how each would fare now; audited as a dry run. */
    public List<Planned> dryRun(Operator operator, Request request, String ip) {
        List<Planned> planned = plan(operator, request).stream()
                .map(t -> new Planned(t.deviceId(), t.status() == DeviceStatus.PENDING ? "would_run" : t.status().wire(),
                        t.message()))
                .toList();
        RunAudit.dryRun(audit, operator.username(), request.selector(), request.command(),
                (int) planned.stream().filter(p -> p.status().equals("would_run")).count(), ip);
        return planned;
    }

    public FleetRun start(Operator operator, Request request, String ip) {
        List<Target> targets = plan(operator, request);
        String id = mintId.apply(HexFormat.of().formatHex(bytes(8)));
        FleetRun run = new FleetRun(id, operator.username(), new FleetRun.Settings(request.command(), request.selector(),
                request.concurrency(), request.timeoutSeconds(), request.stopAfterFailures()),
                targets.stream().map(t -> new DeviceRun(t.deviceId(), t.status(), t.message(), HEAD_BYTES)).toList());
        synchronized (this) {
            prune(Instant.now());
            if (runs.values().stream().filter(r -> !r.isDone()).count() >= MAX_RUNNING) {
                throw new TunnelException(ErrorCode.TOO_MANY_REQUESTS,
                        "Too many runs in progress on this relay (" + MAX_RUNNING + "); wait for one to finish.");
            }
            runs.put(id, run);
        }
        RunAudit.start(audit, run, targets.size(), ip);
        Map<String, Device> runnable = new LinkedHashMap<>();
        for (Target t : targets) {
            if (t.status() == DeviceStatus.PENDING) {
                runnable.put(t.deviceId(), t.device());
            } else {
                RunAudit.device(audit, run, run.device(t.deviceId()).view());
            }
        }
        runner.start(run, runnable);
        return run;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** The run if this operator may see it (its own, or any for an admin); 404 alike for unknown and foreign runs. */
    public FleetRun find(Operator operator, String id) {
        FleetRun run;
        synchronized (this) {
            run = runs.get(id);
        }
        return Optional.ofNullable(run).filter(r -> operator.isAdmin() || r.operator().equals(operator.username()))
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such run."));
    }

    /** Whether this relay holds the run (whoever may see it). */
    public synchronized boolean holds(String id) {
        return runs.containsKey(id);
    }

    /** Runs this operator may see, newest first. */
    public List<FleetRun> list(Operator operator) {
        List<FleetRun> all;
        synchronized (this) {
            prune(Instant.now());
            all = new ArrayList<>(runs.values());
        }
        java.util.Collections.reverse(all);
        return all.stream().filter(r -> operator.isAdmin() || r.operator().equals(operator.username())).toList();
    }

    public void cancel(FleetRun run, String actor, String ip) {
        List<AutoCloseable> running = run.cancel();
        RunAudit.cancel(audit, actor, run, ip);
        for (AutoCloseable connection : running) {
            try {
                connection.close();
            } catch (Exception e) {
                // ending it is all we wanted
            }
        }
    }

    private List<Target> plan(Operator operator, Request request) {
        if (!operator.role().mayOpenSessions()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Your role (viewer) may list devices but not run commands.");
        }
        List<Target> targets = new ArrayList<>();
        if (request.selector() != null) {
            LabelSelector selector = LabelSelector.parse(request.selector());
            Predicate<Device> inScope = access.viewable(operator);
            devices.list(Device.Status.ACCEPTED).stream()
                    .filter(inScope)
                    .filter(d -> selector.matches(d.labels()))
                    .sorted(Comparator.comparing(Device::id))
                    .forEach(d -> {
                        access.checkStepUp(operator, d); // the whole run waits for the step-up
                        targets.add(target(d));
                    });
        } else {
            for (String id : new LinkedHashSet<>(request.devices())) {
                try {
                    targets.add(target(access.forNewSession(operator, id)));
                } catch (TunnelException e) {
                    if (e.code() == ErrorCode.STEP_UP_REQUIRED) {
                        throw e; // the whole run waits for the step-up, so the console can ask and retry
                    }
                    targets.add(new Target(id, null,
                            e.code() == ErrorCode.NOT_FOUND ? DeviceStatus.NOT_FOUND : DeviceStatus.REFUSED, e.getMessage()));
                }
            }
        }
        if (targets.size() > MAX_TARGETS) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "A run reaches at most " + MAX_TARGETS
                    + " devices; this one would reach " + targets.size() + ". Narrow the selector.");
        }
        return targets;
    }

    private Target target(Device device) {
        if (!features.find(device.id()).orElse(DeviceFeatures.DEFAULTS).exec()) {
            return new Target(device.id(), device, DeviceStatus.REFUSED, "commands (exec) are switched off for this device");
        }
        if (!presence.isOnline(device.id())) {
            return new Target(device.id(), device, DeviceStatus.OFFLINE, "offline when the run started");
        }
        return new Target(device.id(), device, DeviceStatus.PENDING, null);
    }

    /** Forgets finished runs past {@link #KEEP_FOR}, then the oldest finished beyond {@link #KEEP_FINISHED}. */
    private void prune(Instant now) {
        runs.values().removeIf(r -> r.isDone() && r.summary().finishedAt().plus(KEEP_FOR).isBefore(now));
        long finished = runs.values().stream().filter(FleetRun::isDone).count();
        var it = runs.values().iterator();
        while (finished > KEEP_FINISHED && it.hasNext()) {
            if (it.next().isDone()) {
                it.remove();
                finished--;
            }
        }
    }

    /** Cancels what is running (their devices' commands end with their connections). */
    @Override
    public void close() {
        List<FleetRun> all;
        synchronized (this) {
            all = new ArrayList<>(runs.values());
        }
        all.stream().filter(r -> !r.isDone()).forEach(r -> cancel(r, "relay", null));
        workers.shutdownNow();
    }
}
