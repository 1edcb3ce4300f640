package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.auth.SecretTokens;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store's behaviour, run against every database the relay supports (see the subclasses). */
abstract class StoreContract {
    Database db;
    UserStore users;
    DeviceStore devices;
    EnrollmentStore enrollments;
    AuditLog audit;

    /** A freshly migrated, empty database. */
    abstract Database open() throws Exception;

    void dispose() throws Exception {}

    @BeforeEach
    void setUp() throws Exception {
        db = open();
        users = new UserStore(db.dataSource());
        devices = new DeviceStore(db.dataSource());
        enrollments = new EnrollmentStore(db.dataSource());
        audit = new AuditLog(db.dataSource());
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        dispose();
    }

    @Test
    void theCheckPassesASoundStoreAndNamesAMissingTable() throws Exception {
        assertThat(StoreCheck.problems(db)).isEmpty();
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("DROP TABLE enrollment_tokens");
        }
        assertThat(StoreCheck.problems(db)).singleElement().asString().contains("table enrollment_tokens is missing");
    }

    @Test
    void usersRoundTripWithRolesAndLabels() {
        assertThat(users.add(new User("alice", "$argon2id$x", User.Role.OPERATOR, Map.of("env", "lab")))).isTrue();
        assertThat(users.add(new User("alice", "other", User.Role.ADMIN, Map.of()))).isFalse();
        assertThat(users.find("alice")).contains(new User("alice", "$argon2id$x", User.Role.OPERATOR, Map.of("env", "lab")));
        assertThat(users.setPasswordHash("alice", "$argon2id$y")).isTrue();
        assertThat(users.find("alice").orElseThrow().passwordHash()).isEqualTo("$argon2id$y");
        assertThat(users.remove("alice")).isTrue();
        assertThat(users.find("alice")).isEmpty();
        assertThat(users.setPasswordHash("nobody", "x")).isFalse();
    }

    @Test
    void factsAreKeptPerDeviceAndCountedPerAgentVersion() {
        for (String id : List.of("a", "b", "c", "gone")) {
            devices.add(new Device(id, id, Map.of(), "ssh-ed25519 AAAA", Device.Status.ACCEPTED, null), "enr-1");
        }
        devices.setStatus("gone", Device.Status.REVOKED);
        DeviceFactsStore facts = new DeviceFactsStore(db.dataSource());
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String json = "{\"os\":\"Debian\",\"agentVersion\":\"0.2.0\",\"pad\":\"" + "x".repeat(4000) + "\"}";
        assertThat(facts.set("a", json, "0.2.0", at)).isTrue();
        assertThat(facts.set("b", "{}", "0.1.0", at)).isTrue();
        assertThat(facts.set("gone", "{}", "0.1.0", at)).isTrue();
        assertThat(facts.set("nope", "{}", "0.1.0", at)).isFalse();
        assertThat(facts.find("a")).contains(new DeviceFactsStore.Stored(json, at));
        assertThat(facts.find("c")).isEmpty();
        assertThat(facts.all()).containsOnlyKeys("a", "b", "gone");
        assertThat(facts.agentVersions()).containsExactlyInAnyOrder(new DeviceFactsStore.VersionCount("0.2.0", 1),
                new DeviceFactsStore.VersionCount("0.1.0", 1), new DeviceFactsStore.VersionCount(null, 1));
    }

    @Test
    void devicesKeepStatusLabelsAndHostKey() {
        Device pending = new Device("dev-1", "Device 1", Map.of("env", "lab"), "ssh-ed25519 AAAA", Device.Status.PENDING, null);
        assertThat(devices.add(pending, "enr-1")).isTrue();
        assertThat(devices.add(pending, "enr-1")).isFalse();
        assertThat(devices.find("dev-1")).contains(pending);
        assertThat(devices.list(Device.Status.PENDING)).containsExactly(pending);
        assertThat(devices.list(Device.Status.ACCEPTED)).isEmpty();
        assertThat(devices.setStatus("dev-1", Device.Status.ACCEPTED)).isTrue();
        assertThat(devices.setStatus("nope", Device.Status.ACCEPTED)).isFalse();
        Instant seen = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        devices.touchAll(Map.of("dev-1", seen, "not-enrolled", seen));
        assertThat(devices.find("dev-1").orElseThrow().lastSeen()).isEqualTo(seen);
        assertThat(devices.remove("dev-1")).isTrue();
        assertThat(devices.list()).isEmpty();
    }

    @Test
    void oneTimeEnrollmentTokensAreUsedExactlyOnceEvenUnderRaces() throws Exception {
        EnrollmentToken token = token(false, Duration.ofHours(1));
        String hash = SecretTokens.hash("secret-1");
        enrollments.add(token, hash);
        assertThat(enrollments.findByHash(hash)).hasValueSatisfying(t -> assertThat(t.usableAt(Instant.now())).isTrue());

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = pool.invokeAll(java.util.Collections.nCopies(8,
                    (Callable<Boolean>) () -> enrollments.consume(token.id(), Instant.now())));
            long winners = 0;
            for (Future<Boolean> r : results) {
                winners += r.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        EnrollmentToken used = enrollments.find(token.id()).orElseThrow();
        assertThat(used.uses()).isEqualTo(1);
        assertThat(used.usableAt(Instant.now())).isFalse();
    }

    @Test
    void reusableTokensExpireAndCanBeRevoked() {
        EnrollmentToken reusable = token(true, Duration.ofHours(1));
        enrollments.add(reusable, SecretTokens.hash("secret-2"));
        assertThat(enrollments.consume(reusable.id(), Instant.now())).isTrue();
        assertThat(enrollments.consume(reusable.id(), Instant.now())).isTrue();
        assertThat(enrollments.consume(reusable.id(), Instant.now().plus(Duration.ofHours(2)))).isFalse();
        assertThat(enrollments.revoke(reusable.id())).isTrue();
        assertThat(enrollments.consume(reusable.id(), Instant.now())).isFalse();
        assertThat(enrollments.list()).extracting(EnrollmentToken::revoked).containsExactly(true);
        assertThat(enrollments.findByHash(SecretTokens.hash("unknown"))).isEmpty();
    }

    @Test
    void auditEventsAreNewestFirstAndFilterable() {
        audit.record("login.ok", "alice", null, null, "10.0.0.1", null);
        audit.record("session.open", "alice", "dev-1", "s-1", "10.0.0.1", "80x24");
        audit.record("session.close", "alice", "dev-1", "s-1", null, "bytesOut=10");
        assertThat(audit.recent(10)).extracting(AuditLog.Event::event)
                .containsExactly("session.close", "session.open", "login.ok");
        assertThat(audit.recent(10, "session.open", null)).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("80x24"));
        assertThat(audit.recent(10, null, "dev-1")).hasSize(2);
        assertThat(audit.recent(1)).hasSize(1);
    }

    private static EnrollmentToken token(boolean reusable, Duration validFor) {
        Instant now = Instant.now();
        return new EnrollmentToken(UUID.randomUUID().toString(), reusable, true, Map.of("env", "lab"),
                now.plus(validFor), "admin", now, 0, false);
    }

    @Test
    void passkeysBelongToTheirAccountAndTheCounterMovesOnlyFromWhatWasSeen() {
        users.add(new User("olga", "$argon2id$x", User.Role.OPERATOR, Map.of()));
        PasskeyStore keys = new PasskeyStore(db.dataSource());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String longId = "c".repeat(1366); // a 1023-byte credential id, base64url
        keys.add(new PasskeyStore.Passkey("k1", longId, "olga", "h", "YubiKey", "AAAA", 3, now, null));
        assertThat(keys.findByCredentialId(longId)).get().extracting(PasskeyStore.Passkey::name).isEqualTo("YubiKey");
        assertThat(keys.credentialIdTaken(longId)).isTrue();
        assertThat(keys.advance("k1", 2, 9, now)).as("moved meanwhile").isFalse();
        assertThat(keys.advance("k1", 3, 4, now)).isTrue();
        assertThat(keys.list("olga")).singleElement().satisfies(k -> {
            assertThat(k.signCount()).isEqualTo(4);
            assertThat(k.lastUsedAt()).isEqualTo(now);
        });
        assertThat(keys.remove("someone-else", "k1")).isFalse();
        // An account re-created under the name does not inherit the old account's keys.
        users.remove("olga");
        users.add(new User("olga", "$argon2id$x", User.Role.OPERATOR, Map.of()));
        assertThat(keys.list("olga")).isEmpty();
        assertThat(keys.findByCredentialId(longId)).isEmpty();
        assertThat(keys.removeAll("olga")).isEqualTo(1);
    }

    @Test
    void deviceFiltersAreEachUsersOwnReplacedByNameAndCapped() {
        users.add(new User("olga", "$argon2id$x", User.Role.OPERATOR, Map.of()));
        users.add(new User("piet", "$argon2id$x", User.Role.VIEWER, Map.of()));
        DeviceFilterStore filters = new DeviceFilterStore(db.dataSource());
        Instant now = Instant.now();
        DeviceFilterStore.Saved prod = filters.save("olga", "prod", "env=prod offline", 3, now);
        assertThat(prod.outcome()).isEqualTo(DeviceFilterStore.Outcome.CREATED);
        assertThat(filters.save("olga", "berlin", "site=berlin", 3, now).outcome()).isEqualTo(DeviceFilterStore.Outcome.CREATED);
        assertThat(filters.save("piet", "prod", "env=prod", 3, now).outcome()).isEqualTo(DeviceFilterStore.Outcome.CREATED);

        DeviceFilterStore.Saved replaced = filters.save("olga", "prod", "env=prod", 3, now);
        assertThat(replaced.outcome()).isEqualTo(DeviceFilterStore.Outcome.REPLACED);
        assertThat(replaced.filter().id()).isEqualTo(prod.filter().id());
        assertThat(filters.list("olga")).extracting(DeviceFilterStore.DeviceFilter::name, DeviceFilterStore.DeviceFilter::filter)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("berlin", "site=berlin"),
                        org.assertj.core.groups.Tuple.tuple("prod", "env=prod"));

        assertThat(filters.save("olga", "arm", "aarch64", 3, now).outcome()).isEqualTo(DeviceFilterStore.Outcome.CREATED);
        DeviceFilterStore.Saved full = filters.save("olga", "x86", "x86_64", 3, now);
        assertThat(full.outcome()).isEqualTo(DeviceFilterStore.Outcome.FULL);
        assertThat(full.filter()).isNull();
        assertThat(filters.save("olga", "arm", "aarch64 online", 3, now).outcome()).as("replacing needs no room")
                .isEqualTo(DeviceFilterStore.Outcome.REPLACED);

        assertThat(filters.remove("piet", prod.filter().id())).as("not piet's").isFalse();
        assertThat(filters.remove("olga", prod.filter().id())).isTrue();
        assertThat(filters.list("olga")).extracting(DeviceFilterStore.DeviceFilter::name).containsExactly("arm", "berlin");
        assertThat(filters.list("piet")).singleElement().extracting(DeviceFilterStore.DeviceFilter::filter).isEqualTo("env=prod");

        // An account re-created under the name starts with none, and the old rows do not count against it.
        org.awaitility.Awaitility.await().until(() -> Instant.now().toEpochMilli() > now.toEpochMilli()); // a later account
        users.remove("olga");
        users.add(new User("olga", "$argon2id$x", User.Role.OPERATOR, Map.of()));
        assertThat(filters.list("olga")).isEmpty();
        Instant later = Instant.now().plusSeconds(1);
        for (String name : List.of("a", "b", "c")) {
            assertThat(filters.save("olga", name, name, 3, later).outcome()).isEqualTo(DeviceFilterStore.Outcome.CREATED);
        }
        assertThat(filters.list("olga")).hasSize(3);
    }

    @Test
    void aChallengeIsTakenOnceAndNotAfterItExpired() {
        ChallengeStore challenges = new ChallengeStore(db.dataSource());
        Instant now = Instant.now();
        challenges.put(new ChallengeStore.Challenge("c1", "LOGIN", null, "abc", now.plusSeconds(60)), now);
        challenges.put(new ChallengeStore.Challenge("c2", "STEP_UP", "olga", "def", now.plusSeconds(1)), now);
        assertThat(challenges.take("c1", now)).get().extracting(ChallengeStore.Challenge::challenge).isEqualTo("abc");
        assertThat(challenges.take("c1", now)).as("used").isEmpty();
        assertThat(challenges.take("c2", now.plusSeconds(2))).as("expired").isEmpty();
        assertThat(challenges.take("c2", now)).as("an expired one is gone for good").isEmpty();
        // Expired rows are swept when the next ceremony begins.
        challenges.put(new ChallengeStore.Challenge("c3", "LOGIN", null, "x", now.plusSeconds(1)), now);
        challenges.put(new ChallengeStore.Challenge("c4", "LOGIN", null, "y", now.plusSeconds(60)), now.plusSeconds(5));
        assertThat(challenges.take("c3", now)).isEmpty();
    }
}
