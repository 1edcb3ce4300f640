package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.HashingGate;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.PasswordHasher;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Labels;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Operator accounts over the API: admins list, add, change (role, label scope), reset the password
 * of and remove users ({@code /api/v1/users}); everyone changes their own password
 * ({@code PUT /api/v1/account/password}). A change that takes rights away (removal, demotion,
 * narrower labels, new password) is handed to {@code rightsChanged}, which cuts the sessions the
 * user may no longer hold at once, here and on the other relays.
 */
public final class UserRoutes {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 1024;
    private static final Set<String> ADD_FIELDS = Set.of("username", "role", "labels", "password");
    private static final Set<String> CHANGE_FIELDS = Set.of("role", "labels");
    private static final Set<String> RESET_FIELDS = Set.of("password");
    private static final Set<String> OWN_FIELDS = Set.of("currentPassword", "newPassword");

    private final UserStore users;
    private final PasswordHasher hasher;
    private final HashingGate hashing;
    private final AuditLog audit;
    private final Consumer<String> rightsChanged;

    /** The public shape of an account (never its password hash). */
    public record UserView(String username, String role, Map<String, String> labels) {
        static UserView of(User u) {
            return new UserView(u.username(), u.role().name().toLowerCase(Locale.ROOT), u.allowedLabels());
        }
    }

    public UserRoutes(UserStore users, PasswordHasher hasher, HashingGate hashing, AuditLog audit,
                      Consumer<String> rightsChanged) {
        this.users = users;
        this.hasher = hasher;
        this.hashing = hashing;
        this.audit = audit;
        this.rightsChanged = rightsChanged;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/users", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            ctx.json(users.list().stream().map(UserView::of).toList());
        });
        routes.post("/api/v1/users", this::add);
        routes.patch("/api/v1/users/{username}", this::change);
        routes.delete("/api/v1/users/{username}", this::remove);
        routes.put("/api/v1/users/{username}/password", this::resetPassword);
        routes.put("/api/v1/account/password", this::changeOwnPassword);
    }

    private void add(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 8192), ADD_FIELDS);
        String username = body.text("username", 64);
        if (!USERNAME.matcher(username).matches()) {
            throw JsonFields.bad("'username': letters, digits, '.', '_', '@' or '-', starting with a letter or digit.");
        }
        User.Role role = role(body.text("role", 16));
        Map<String, String> labels = body.labels("labels");
        String hash = hash(password(body, "password"));
        if (!users.add(new User(username, hash, role, labels))) {
            throw new TunnelException(ErrorCode.CONFLICT, "A user named " + username + " exists.");
        }
        audit.record("user.added", actor(ctx), null, null, ctx.ip(), "user=" + username + " role="
                + role.name().toLowerCase(Locale.ROOT) + " labels=" + Labels.format(labels));
        ctx.status(201).json(UserView.of(users.find(username).orElseThrow()));
    }

    private void change(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        User user = existing(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 8192), CHANGE_FIELDS);
        User.Role role = body.has("role") ? role(body.text("role", 16)) : user.role();
        Map<String, String> labels = body.has("labels") ? body.labels("labels") : user.allowedLabels();
        if (user.role() == User.Role.ADMIN && role != User.Role.ADMIN) {
            requireAnotherAdmin(user.username());
        }
        users.setRoleAndLabels(user.username(), role, labels);
        audit.record("user.changed", actor(ctx), null, null, ctx.ip(), "user=" + user.username() + " role="
                + role.name().toLowerCase(Locale.ROOT) + " labels=" + Labels.format(labels));
        rightsChanged.accept(user.username());
        ctx.json(UserView.of(users.find(user.username()).orElseThrow()));
    }

    private void remove(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        User user = existing(ctx);
        if (user.username().equals(actor(ctx))) {
            throw new TunnelException(ErrorCode.CONFLICT, "You cannot remove your own account.");
        }
        if (user.role() == User.Role.ADMIN) {
            requireAnotherAdmin(user.username());
        }
        if (!users.remove(user.username())) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such user.");
        }
        audit.record("user.removed", actor(ctx), null, null, ctx.ip(), "user=" + user.username());
        rightsChanged.accept(user.username());
        ctx.status(204);
    }

    /** Ends every login of the user (the token version moves on with the new hash). */
    private void resetPassword(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        User user = existing(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), RESET_FIELDS);
        users.setPasswordHash(user.username(), hash(password(body, "password")));
        audit.record("user.password_reset", actor(ctx), null, null, ctx.ip(), "user=" + user.username());
        rightsChanged.accept(user.username());
        ctx.status(204);
    }

    /** The caller's own password; every login of the account ends, this one too (log in again). */
    private void changeOwnPassword(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), OWN_FIELDS);
        String current = body.text("currentPassword", MAX_PASSWORD);
        String next = password(body, "newPassword");
        User user = users.find(me.username()).orElseThrow(() -> new TunnelException(ErrorCode.UNAUTHORIZED, "Log in first."));
        if (!hashing.run(() -> hasher.verify(current.toCharArray(), user.passwordHash()))) {
            audit.record("password.change_refused", me.username(), null, null, ctx.ip(), "wrong current password");
            throw new TunnelException(ErrorCode.FORBIDDEN, "The current password is wrong.");
        }
        users.setPasswordHash(me.username(), hash(next));
        audit.record("password.changed", me.username(), null, null, ctx.ip(), null);
        rightsChanged.accept(me.username());
        ctx.status(204);
    }

    private User existing(Context ctx) {
        String username = ctx.pathParam("username");
        return Optional.of(username).filter(u -> USERNAME.matcher(u).matches()).flatMap(users::find)
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such user."));
    }

    /** An account store without an admin could only be repaired on the relay host. */
    private void requireAnotherAdmin(String username) {
        boolean another = users.list().stream()
                .anyMatch(u -> u.role() == User.Role.ADMIN && !u.username().equals(username));
        if (!another) {
            throw new TunnelException(ErrorCode.CONFLICT, username + " is the last admin.");
        }
    }

    private String hash(String password) {
        String[] hash = new String[1];
        hashing.run(() -> {
            hash[0] = hasher.hash(password.toCharArray());
            return true;
        });
        return hash[0];
    }

    private static String password(JsonFields body, String field) {
        String password = body.text(field, MAX_PASSWORD);
        if (password.length() < MIN_PASSWORD) {
            throw JsonFields.bad("'" + field + "' must have at least " + MIN_PASSWORD + " characters.");
        }
        return password;
    }

    private static User.Role role(String value) {
        for (User.Role r : User.Role.values()) {
            if (r.name().toLowerCase(Locale.ROOT).equals(value)) {
                return r;
            }
        }
        throw JsonFields.bad("'role' must be admin, operator or viewer.");
    }

    private static String actor(Context ctx) {
        return OperatorAuth.current(ctx).username();
    }
}
