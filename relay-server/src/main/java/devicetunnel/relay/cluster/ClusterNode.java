package devicetunnel.relay.cluster;

import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.link.LinkListener;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.link.RemoteStreams;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.ClusterStore;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.auth.ProofIds;
import devicetunnel.relay.policy.AccessChanges;
import devicetunnel.relay.policy.SessionSlots;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.store.ProofIdStore;
import devicetunnel.relay.store.RateHitStore;
import devicetunnel.relay.store.SessionSlotStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * This relay's membership in a cluster: the shared-presence writer, the lease, the NATS bus, and
 * the state every relay must share (proof ids, session slots, login limits, access changes). Built
 * before the relay listens (so a missing part stops the start), joined once it listens (the lease
 * carries the advertised URL), left before the database closes.
 */
public final class ClusterNode implements AutoCloseable {
    private final ClusterConfig config;
    private final ClusterStore store;
    private final PresenceWriter writer;
    private final LeaseKeeper lease;
    private final ClusterBus bus;
    private final LongSupplier clock = System::currentTimeMillis;
    private final ProofIdStore proofIdStore;
    private final SharedProofIds proofIds;
    private final SessionSlotStore slots;
    private final RateHitStore rateHits;
    private final AccessBroadcast access;
    private final List<SharedSessionSlots> slotCounters = new CopyOnWriteArrayList<>();
    private final RelayDirectory directory;
    private final SessionHolders sessionHolders;

    private ClusterNode(ClusterConfig config, Database database, ClusterStore store, RelayDirectory directory,
                        ClusterBus bus, String secretsId) {
        this.config = config;
        this.directory = directory;
        this.store = store;
        this.bus = bus;
        this.proofIdStore = new ProofIdStore(database.dataSource());
        this.proofIds = new SharedProofIds(proofIdStore);
        this.slots = new SessionSlotStore(database.dataSource());
        this.rateHits = new RateHitStore(database.dataSource());
        this.access = new AccessBroadcast(bus.connection(), config.accessSubject(), config.relayId());
        this.sessionHolders = new SessionHolders(bus.connection(), config.sessionHolderSubject());
        this.writer = new PresenceWriter(store, config.relayId());
        this.lease = new LeaseKeeper(store, config.relayId(), secretsId, config.leasePeriod(), clock);
    }

    /**
     * Checks the store is PostgreSQL, adds the cluster tables, checks this relay shares its siblings'
     * secrets, connects to NATS; throws with a clear message when any of it fails.
     *
     * @param secretsId {@link SharedSecrets#id} of this relay's SSH key, user CA and token secret
     */
    public static ClusterNode open(ClusterConfig config, Database database, String secretsId) {
        if (!database.isPostgres()) {
            ClusterConfig.checkDatabase(null);
        }
        database.migrateCluster();
        ClusterStore store = new ClusterStore(database.dataSource());
        List<String> others = store.relaysWithOtherSecrets(config.relayId(), secretsId, System.currentTimeMillis());
        if (!others.isEmpty()) {
            throw new IllegalStateException("live relay(s) " + others + " use another relay SSH key, user CA or token "
                    + "secret: every relay of a cluster needs the same relay_ed25519, user_ca_ed25519 and jwt.secret "
                    + "(copy them from one relay's state dir), or devices would refuse its sessions");
        }
        RelayDirectory directory = new RelayDirectory(store, config.relayId(), System::currentTimeMillis);
        return new ClusterNode(config, database, store, directory,
                ClusterBus.connect(config, store, System::currentTimeMillis, directory), secretsId);
    }

    public String relayId() {
        return config.relayId();
    }

    /** Which live relay minted an id, and who the live siblings are. */
    public RelayDirectory directory() {
        return directory;
    }

    /** Where the registry reports link ups and downs. */
    public LinkListener links() {
        return writer;
    }

    public Presence presence(DeviceRegistry registry) {
        return new ClusterPresence(registry, store, clock);
    }

    public RemoteStreams siblings() {
        return bus;
    }

    /** Device proof ids every relay of the cluster shares: a replay is refused by all. */
    public ProofIds proofIds() {
        return proofIds;
    }

    /** Session caps counted across the cluster. */
    public SessionSlots sessionSlots(int perDevice, int perOperator) {
        SharedSessionSlots counter = new SharedSessionSlots(slots, config.relayId(), perDevice, perOperator, clock);
        slotCounters.add(counter);
        return counter;
    }

    /** A per-key limit counted across the cluster; {@code name} is the limit's name in the admin API. */
    public Throttle throttle(String name, int perMinute) {
        return new SharedThrottle(rateHits, name, perMinute, clock);
    }

    /** Where this relay announces revocations and logouts to its siblings. */
    public AccessChanges accessChanges() {
        return access;
    }

    /** Runs the siblings' announced changes on {@code executor}: re-check a device, or an operator. */
    public void onAccessChange(Consumer<String> device, Consumer<String> operator, Executor executor) {
        access.listen(device, operator, executor);
    }

    /**
     * Every ping interval, on the relay's store sweeper: forgets expired proof ids and rate windows,
     * slots of dead relays, and retries slot releases that failed.
     */
    public void sweepShared() {
        long now = clock.getAsLong();
        slotCounters.forEach(SharedSessionSlots::retryReleases);
        proofIdStore.purge(now);
        rateHits.purge(now);
        slots.purgeDead(now);
    }

    /**
     * Once listening: take the lease under the advertised URL and answer siblings' requests (opens
     * for devices linked here, and whether a terminal session is here: {@code holdsSession}).
     */
    public void join(DeviceRegistry registry, StreamBroker broker, Predicate<String> holdsSession, String listenerUrl,
                     ScheduledExecutorService scheduler) {
        String url = config.advertised(listenerUrl);
        lease.start(url, scheduler);
        bus.serve(registry, broker, url, scheduler);
        sessionHolders.serve(holdsSession, url);
    }

    /** The advertised URL of the sibling holding live terminal session {@code sessionId}, if one does. */
    public Optional<String> sessionHolderUrl(String sessionId) {
        return sessionHolders.urlOf(sessionId);
    }

    /**
     * Why this relay serves only part of the fleet, or null: {@code "nats"} while it cannot reach
     * the cluster's messaging (its own devices still work, devices on siblings do not). /readyz
     * reports it as "degraded" and stays 200: NATS is shared, so taking every relay that lost it out
     * of the balancer would turn a NATS outage into a total one (docs/SCALING.md, failure table).
     */
    public String degradedReason() {
        return bus.connected() ? null : "nats";
    }

    /**
     * For /readyz: a relay that lost NATS or its lease still serves its own devices (so /readyz stays
     * 200) but says so: siblings cannot reach its devices, or no longer see them online.
     */
    public java.util.Map<String, Object> status() {
        return java.util.Map.of("relayId", config.relayId(), "nats", bus.natsStatus(),
                "lease", lease.held() ? "held" : "lost");
    }

    /** After the relay's links are gone: pending presence writes land, then lease and rows are given up. */
    @Override
    public void close() {
        bus.close();
        writer.close();
        proofIds.close();
        lease.close();
    }
}
