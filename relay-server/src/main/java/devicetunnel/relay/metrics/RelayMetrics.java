package devicetunnel.relay.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * The relay's Prometheus registry and the meters its components feed. Gauges and function counters
 * read state the components keep anyway (at scrape time, without locks of theirs); the few events
 * with no such state (auth failures, session setup times) are recorded here. Names follow
 * Prometheus conventions once exported: {@code devtunnel_..._total}, {@code _seconds}, {@code _bytes}.
 */
public final class RelayMetrics implements AutoCloseable {
    /** Session kinds, the {@code kind} label of the session meters. */
    public static final String TERMINAL = "terminal";
    public static final String NATIVE = "native";
    public static final String FILE = "file";

    /** Why an operator or a device was turned away: the {@code reason} label of {@code devtunnel_auth_failures_total}. */
    public enum AuthFailure {
        NO_CREDENTIALS, BAD_TOKEN, UNKNOWN_USER, REVOKED_TOKEN, BAD_PASSWORD, UNKNOWN_DEVICE, BAD_DEVICE_PROOF, MFA_REQUIRED,
        BAD_SECOND_FACTOR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<AuthFailure, Counter> authFailures = new EnumMap<>(AuthFailure.class);
    private final Counter connectsShed = Counter.builder("devtunnel.device.connects.shed")
            .description("Device connects refused (503) because the relay had its bound of handshakes in flight")
            .register(registry);
    private final Map<String, Timer> setupTimes = Map.of(TERMINAL, setupTimer(TERMINAL), NATIVE, setupTimer(NATIVE));

    public RelayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (AuthFailure reason : AuthFailure.values()) { // every series exists from the start: alerts see 0, not "no data"
            authFailures.put(reason, Counter.builder("devtunnel.auth.failures")
                    .description("Operators and devices turned away, by reason").tag("reason", reason.label())
                    .register(registry));
        }
    }

    private Timer setupTimer(String kind) {
        return Timer.builder("devtunnel.session.setup")
                .description("From the operator's request to a session ready on the device")
                .tag("kind", kind)
                .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
                        Duration.ofSeconds(10), Duration.ofSeconds(30))
                .register(registry);
    }

    public void deviceConnectShed() {
        connectsShed.increment();
    }

    public void authFailure(AuthFailure reason) {
        authFailures.get(reason).increment();
    }

    /** A session of {@code kind} (terminal or native) became ready {@code nanos} after it was asked for. */
    public void sessionReady(String kind, long nanos) {
        setupTimes.get(kind).record(Duration.ofNanos(nanos));
    }

    /** A value read at scrape time; {@code tags} are name, value pairs. */
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    /**
     * A running total read from {@code state} at scrape time (it must only grow); {@code unit} may be null.
     * The registry holds {@code state} weakly: it must be an object the relay keeps anyway, not a lambda.
     */
    public <T> void total(String name, String description, String unit, T state, ToDoubleFunction<T> value,
                          String... tags) {
        FunctionCounter.builder(name, state, value).description(description).baseUnit(unit).tags(tags).register(registry);
    }

    /** Jetty's request thread pool: busy, idle, queued jobs, limits. */
    public void bindJetty(ThreadPool pool) {
        new JettyServerThreadPoolMetrics(pool, Tags.empty()).bindTo(registry);
    }

    /** The Prometheus text exposition format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
