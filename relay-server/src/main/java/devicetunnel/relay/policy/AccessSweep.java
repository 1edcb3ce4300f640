package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.ssh.Watcher;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Re-checks open sessions against the operators' current rights, every ping interval: a removed
 * operator, one demoted to viewer or whose labels no longer cover the device, or one who logged out
 * or changed the password since the session opened (token version moved on) loses the sessions
 * already open, terminal and native alike, not only the next ones. So does a session opened with an
 * API token that was revoked or expired since. In a cluster, a logout or a token revocation on
 * another relay triggers {@link #sweepOperator} here at once.
 *
 * <p>Watchers of shared sessions are held to the same account checks (removed, logged out, token
 * revoked). Label scope binds a watcher who came through a share by name (it was granted for their
 * scope) and a joiner allowed to type (typing is opening a shell); a read-only link admits anyone
 * logged in who holds it, whatever their scope.
 */
public final class AccessSweep {
    /** Ends one watcher whose rights are gone, telling them why. */
    @FunctionalInterface
    public interface WatcherEnd {
        void end(TerminalSession session, Watcher watcher, String reason);
    }

    private final UserStore users;
    private final DeviceStore devices;
    private final TerminalSessions sessions;
    private final NativeStreams natives;
    private final Predicate<String> apiTokenValid;
    private final WatcherEnd endWatcher;

    /** {@code apiTokenValid}: whether the API token with this id still exists and has not expired. */
    public AccessSweep(UserStore users, DeviceStore devices, TerminalSessions sessions, NativeStreams natives,
                       Predicate<String> apiTokenValid, WatcherEnd endWatcher) {
        this.apiTokenValid = apiTokenValid;
        this.endWatcher = endWatcher;
        this.users = users;
        this.devices = devices;
        this.sessions = sessions;
        this.natives = natives;
    }

    public void sweep() {
        sweep(operator -> true);
    }

    /** Re-checks the sessions of one operator only (another relay said their rights changed). */
    public void sweepOperator(String username) {
        sweep(username::equals);
    }

    private void sweep(Predicate<String> operators) {
        Map<String, Optional<User>> userCache = new HashMap<>();
        Map<String, Optional<Device>> deviceCache = new HashMap<>();
        Map<String, Boolean> tokenCache = new HashMap<>();
        for (TerminalSession s : sessions.all()) {
            if (operators.test(s.operator())) {
                String refusal = tokenRefusal(s.apiTokenId(), tokenCache);
                if (refusal == null) {
                    refusal = refusal(s.operator(), s.deviceId(), s.tokenVersion(), userCache, deviceCache);
                }
                if (refusal != null) {
                    s.terminate(ErrorCode.FORBIDDEN, refusal); // its watchers end with it
                    continue;
                }
            }
            for (Watcher w : s.watchers()) {
                if (operators.test(w.username())) {
                    String refusal = watcherRefusal(w, s.deviceId(), userCache, deviceCache, tokenCache);
                    if (refusal != null) {
                        endWatcher.end(s, w, refusal);
                    }
                }
            }
        }
        natives.closeMatching(h -> operators.test(h.operator()) && (tokenRefusal(h.apiTokenId(), tokenCache) != null
                        || refusal(h.operator(), h.deviceId(), h.tokenVersion(), userCache, deviceCache) != null),
                ErrorCode.FORBIDDEN, "Your access to this device was withdrawn.");
    }

    /** Why a session opened with this API token (null: a login) must end, or null when it may go on. */
    private String tokenRefusal(String apiTokenId, Map<String, Boolean> tokenCache) {
        if (apiTokenId == null || tokenCache.computeIfAbsent(apiTokenId, apiTokenValid::test)) {
            return null;
        }
        return "The API token this session was opened with was revoked or expired.";
    }

    /** Why a watcher may no longer watch a session on this device, or null when they still may. */
    private String watcherRefusal(Watcher w, String deviceId, Map<String, Optional<User>> userCache,
                                  Map<String, Optional<Device>> deviceCache, Map<String, Boolean> tokenCache) {
        String refusal = tokenRefusal(w.operator().apiTokenId(), tokenCache);
        if (refusal != null) {
            return "The API token you watch with was revoked or expired.";
        }
        if (w.typingAllowed()) { // a joiner who types holds a shell: the owner's own rules
            return refusal(w.username(), deviceId, w.operator().tokenVersion(), userCache, deviceCache);
        }
        Optional<User> user = userCache.computeIfAbsent(w.username(), users::find);
        if (user.isEmpty()) {
            return "Your account was removed.";
        }
        if (w.operator().tokenVersion() != TokenService.UNVERSIONED && w.operator().tokenVersion() != user.get().tokenVersion()) {
            return "You logged out or changed your password.";
        }
        Optional<Device> device = deviceCache.computeIfAbsent(deviceId, devices::find);
        if (w.named() && device.isPresent() && !user.get().mayAccess(device.get().labels())) {
            return "You may no longer see this device, so this session is no longer shared with you.";
        }
        return null;
    }

    /** Why the operator may no longer use the device, or null when they still may. */
    private String refusal(String operator, String deviceId, long tokenVersion, Map<String, Optional<User>> userCache,
                           Map<String, Optional<Device>> deviceCache) {
        Optional<User> user = userCache.computeIfAbsent(operator, users::find);
        if (user.isEmpty()) {
            return "Your account was removed.";
        }
        if (tokenVersion != TokenService.UNVERSIONED && tokenVersion != user.get().tokenVersion()) {
            return "You logged out or changed your password.";
        }
        if (!user.get().role().mayOpenSessions()) {
            return "Your role no longer allows sessions.";
        }
        Optional<Device> device = deviceCache.computeIfAbsent(deviceId, devices::find);
        if (device.isPresent() && !user.get().mayAccess(device.get().labels())) {
            return "You are no longer allowed to reach this device.";
        }
        return null; // devices that were revoked or removed are DeviceLifecycle's job
    }
}
