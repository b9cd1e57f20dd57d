package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.state.ContendedChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's users and their API tokens, in {@code users.json} (mode 0600). Every change is written atomically
 * before the call returns, as the rest of the manager's state is.
 */
public final class UserStore {
    private static final Logger LOG = LoggerFactory.getLogger(UserStore.class);
    public static final int MIN_PASSWORD_LENGTH = 12;
    private static final int MAX_PASSWORD_LENGTH = 1024;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");
    private static final String TOKEN_PREFIX = "mipfed-api-";
    /** A token's last use is written at most this often, so that scripts do not rewrite users.json on every call. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    /** What users.json holds. */
    public record Content(List<User> users, List<ApiToken> tokens) {
        public Content {
            users = users == null ? List.of() : List.copyOf(users);
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }
    }

    /** A token just created: the only moment its secret is known. */
    public record CreatedToken(ApiToken token, String secret) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The tokens whose last use a request is recording now. */
    private final java.util.Set<String> recordingUse = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** After a last use that could not be recorded, how long no request of that token tries again. */
    static final Duration HINT_HOLD_OFF = Duration.ofSeconds(5);
    /** Until when each token's last use is not tried again (its last attempt was refused). */
    private final Map<String, Instant> holdOff = new java.util.concurrent.ConcurrentHashMap<>();
    /** The changes running or waiting for their turn now. */
    private final java.util.concurrent.atomic.AtomicInteger changing = new java.util.concurrent.atomic.AtomicInteger();

    private final Path file;
    private final PasswordHasher hasher = new PasswordHasher();
    /** A hash verified when a user name is unknown, so that a wrong name takes as long as a wrong password. */
    private final String decoyHash;

    private Content content;
    /** The managers' replicated log of a running manager; null when the CLI works on a stopped one's files. */
    private final UserLog log;
    /** The users in {@link #log}, as the changes made in turn see them; null without a log. */
    private final ContendedChange.Versioned<Content> replicatedUsers;
    /** This manager's changes of the users, one at a time, in turn with the other managers'. */
    private final ContendedChange contention = new ContendedChange("the users");

    /**
     * How long a change may take, in all, before it answers: waiting for this manager to catch up with the managers'
     * leader (a manager that restarted applies the log behind it for a while; then 503) and computing it again when
     * other managers' changes of the users raced it (then 409).
     */
    static final long CHANGE_MILLIS = ContendedChange.BUDGET_MILLIS;
    /** The same for a token's last use: a hint, skipped rather than waited for. */
    static final long HINT_MILLIS = 250;

    private UserStore(Path file, Content content) {
        this.file = requireNonNull(file, "file is null");
        this.content = requireNonNull(content, "content is null");
        this.log = null;
        this.decoyHash = hasher.decoy();
        this.replicatedUsers = null;
    }

    private UserStore(UserLog log) {
        this.file = null;
        this.content = null;
        this.log = requireNonNull(log, "log is null");
        this.decoyHash = hasher.decoy();
        this.replicatedUsers = ContendedChange.Versioned.of(
                log::awaitCurrent,
                () -> {
                    UserLog.Versioned read = log.readUsers();
                    return new ContendedChange.Read<>(read.version(), read.content());
                },
                log::changeUsers);
    }

    /**
     * The users of a running manager, replicated by {@code log}, which must hold users already (imported from
     * {@code users.json}, or received from the other managers). {@code users.json} stays their readable copy.
     */
    public static UserStore replicated(UserLog log) {
        if (log.readUsers().content() == null) {
            throw new IllegalStateException("the managers' replicated state holds no users yet");
        }
        return new UserStore(log);
    }

    /** What the users are now: the applied replicated state, or the file's. */
    private Content content() {
        if (log != null) {
            return log.readUsers().content();
        }
        synchronized (this) {
            return content;
        }
    }

    /**
     * Computes the users' next content from the current one and keeps it: replicated, commits it to the managers'
     * log (computed again if another manager changed the users meanwhile); else writes the file.
     *
     * @throws Problem 503 when the managers have no majority to commit it
     */
    private Content change(java.util.function.UnaryOperator<Content> change) {
        return change(change, CHANGE_MILLIS);
    }

    private Content change(java.util.function.UnaryOperator<Content> change, long budgetMillis) {
        changing.incrementAndGet();
        try {
            return changeInTurn(change, budgetMillis);
        } finally {
            changing.decrementAndGet();
        }
    }

    /** Whether a token's last use is held off now (its last attempt was refused moments ago). */
    private boolean heldOff(String tokenId, Instant now) {
        Instant until = holdOff.get(tokenId);
        if (until == null) {
            return false;
        }
        if (until.isBefore(now)) {
            holdOff.remove(tokenId, until);
            return false;
        }
        return true;
    }

    private Content changeInTurn(java.util.function.UnaryOperator<Content> change, long budgetMillis) {
        if (log == null) {
            synchronized (this) {
                Content next = change.apply(content);
                write(next);
                return next;
            }
        }
        // computed on the users as current as the leader's (not on the stale users of a manager that restarted),
        // and again, after a random pause, when another manager's change of the users committed first
        return contention.commit(budgetMillis, replicatedUsers, change).after();
    }

    /** What {@code users.json} holds (its users and API tokens), read as a manager takes them into its log. */
    public static Content readContent(Path file) {
        return load(file).content;
    }

    /** Reads {@code users.json}. */
    public static UserStore load(Path file) {
        try {
            return new UserStore(file, Json.mapper().readValue(file.toFile(), Content.class));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the users " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code users.json} with one user {@code admin} (role admin) whose generated password is written to
     * {@code passwordFile} (mode 0600); returns that password.
     */
    public static String createWithAdmin(Path file, Path passwordFile) {
        if (Files.exists(file)) {
            throw new Problem(ProblemType.CONFLICT, file + " already exists; mipfed does not overwrite it.");
        }
        String password = randomSecret(18);
        User admin = new User("admin", Roles.ADMIN, new PasswordHasher().hash(password), Instant.now(), false, null);
        UserStore store = new UserStore(file, new Content(List.of(admin), List.of()));
        Pem.writeAtomically(passwordFile, (password + "\n").getBytes(StandardCharsets.UTF_8), true);
        store.write(store.content);
        return password;
    }

    /** Opens the users of a data directory, creating them (admin and its password file) when a manager from before users had none. */
    public static UserStore openOrCreate(Path file, Path passwordFile) {
        if (!Files.exists(file)) {
            createWithAdmin(file, passwordFile);
        }
        return load(file);
    }

    /** The password hasher, whose bounded concurrency and counts the API and the metrics show. */
    public PasswordHasher hasher() {
        return hasher;
    }

    public List<User> users() {
        return content().users();
    }

    public Optional<User> user(String username) {
        return user(content(), username);
    }

    private static Optional<User> user(Content content, String username) {
        return content.users().stream()
                .filter(u -> u.username().equals(username))
                .findFirst();
    }

    /** The user with this name and password, if they may sign in (known, not disabled, password right). */
    public Optional<User> authenticate(String username, String password) {
        Optional<User> user = username == null ? Optional.empty() : user(username);
        String hash = user.map(User::passwordHash).orElse(null);
        // the hash is checked even for an unknown name, so timing does not tell which names exist
        boolean ok = hasher.verify(password == null ? "" : password, hash != null ? hash : decoyHash) && hash != null;
        return ok && !user.get().disabled() ? user : Optional.empty();
    }

    public User create(String username, String password, String role) {
        checkUsername(username);
        checkPassword(password);
        Roles.check(role);
        String hash = hasher.hash(password);
        User user = new User(username, role, hash, Instant.now(), false, null);
        change(content -> {
            if (user(content, username).isPresent()) {
                throw new Problem(
                        ProblemType.CONFLICT,
                        "There is already a user '" + username + "'; choose another name, or PATCH /admin/users/"
                                + username + " to change it.");
            }
            List<User> users = new ArrayList<>(content.users());
            users.add(user);
            return new Content(users, content.tokens());
        });
        return user;
    }

    /** The user an OpenID Connect issuer vouches for, created as a researcher on their first sign-in. */
    public User oidcUser(String subject, String preferredName) {
        requireNonNull(subject, "subject is null");
        for (User u : content().users()) {
            if (subject.equals(u.oidcSubject())) {
                return u;
            }
        }
        User[] made = new User[1];
        change(content -> {
            for (User u : content.users()) {
                if (subject.equals(u.oidcSubject())) {
                    made[0] = u;
                    return content;
                }
            }
            made[0] = newOidcUser(content, subject, preferredName);
            List<User> users = new ArrayList<>(content.users());
            users.add(made[0]);
            return new Content(users, content.tokens());
        });
        return made[0];
    }

    private static User newOidcUser(Content content, String subject, String preferredName) {
        String base = preferredName == null ? "" : preferredName.replaceAll("[^A-Za-z0-9._@+-]", "");
        if (base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0))) {
            base = "user";
        }
        base = base.length() > 56 ? base.substring(0, 56) : base;
        String name = base;
        for (int i = 2; user(content, name).isPresent(); i++) {
            name = base + "-" + i;
        }
        return new User(name, Roles.RESEARCHER, null, Instant.now(), false, subject);
    }

    /** Changes a user's role, password or disabled flag (null: unchanged). The last active admin stays an active admin. */
    public User update(String username, String role, String password, Boolean disabled) {
        if (role != null) {
            Roles.check(role);
        }
        String hash = null;
        if (password != null) {
            checkPassword(password);
            hash = hasher.hash(password);
        }
        String newHash = hash;
        User[] changed = new User[1];
        change(content -> {
            User user = existing(content, username);
            User next = user;
            if (role != null) {
                next = next.withRole(role);
            }
            if (newHash != null) {
                next = next.withPasswordHash(newHash);
            }
            if (disabled != null) {
                next = next.withDisabled(disabled);
            }
            if (user.admin() && !user.disabled() && (!next.admin() || next.disabled())) {
                checkNotLastAdmin(
                        content, username, role != null && !Roles.ADMIN.equals(role) ? "demoted" : "disabled");
            }
            changed[0] = next;
            return replace(content, next);
        });
        return changed[0];
    }

    /** Changes one's own password, given the current one. */
    public void changePassword(String username, String current, String next) {
        User user = existing(content(), username);
        if (user.passwordHash() == null) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "User " + username
                            + " signs in through the organisation's identity provider and has no password here.");
        }
        if (!hasher.verify(current == null ? "" : current, user.passwordHash())) {
            throw new Problem(
                    ProblemType.WRONG_PASSWORD, "The current password is wrong; the password was not changed.");
        }
        update(username, null, next, null);
    }

    public void delete(String username) {
        change(content -> {
            User user = existing(content, username);
            if (user.admin() && !user.disabled()) {
                checkNotLastAdmin(content, username, "removed");
            }
            List<User> users = new ArrayList<>(content.users());
            users.removeIf(u -> u.username().equals(username));
            List<ApiToken> tokens = new ArrayList<>(content.tokens());
            tokens.removeIf(t -> t.username().equals(username));
            return new Content(users, tokens);
        });
    }

    public CreatedToken createToken(String username, String name) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw Problem.badRequest(
                    "Give the token a name of 1 to 100 characters that says what uses it: {\"name\": \"nightly report\"}");
        }
        String secret = TOKEN_PREFIX + randomSecret(32);
        ApiToken token = new ApiToken(
                HexFormat.of().formatHex(randomBytes(8)), username, name.strip(), sha256(secret), Instant.now(), null);
        change(content -> {
            existing(content, username);
            List<ApiToken> tokens = new ArrayList<>(content.tokens());
            tokens.add(token);
            return new Content(content.users(), tokens);
        });
        return new CreatedToken(token, secret);
    }

    /** The tokens of one user, or everyone's when {@code username} is null. */
    public List<ApiToken> tokens(String username) {
        return content().tokens().stream()
                .filter(t -> username == null || t.username().equals(username))
                .toList();
    }

    /** Revokes a token; {@code owner} null lets an admin revoke anyone's. Returns false when there is no such token (of that owner). */
    public boolean deleteToken(String id, String owner) {
        java.util.function.Predicate<ApiToken> match =
                t -> t.id().equals(id) && (owner == null || t.username().equals(owner));
        if (content().tokens().stream().noneMatch(match)) {
            return false;
        }
        boolean[] removed = new boolean[1];
        change(content -> {
            List<ApiToken> tokens = new ArrayList<>(content.tokens());
            removed[0] = tokens.removeIf(match);
            return removed[0] ? new Content(content.users(), tokens) : content;
        });
        return removed[0];
    }

    /** The user a presented API token acts as, if the token exists and its user may sign in; records its use. */
    public Optional<User> userForToken(String secret) {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX)) {
            return Optional.empty();
        }
        String digest = sha256(secret);
        Content now = content();
        for (ApiToken token : now.tokens()) {
            if (MessageDigest.isEqual(
                    token.sha256().getBytes(StandardCharsets.US_ASCII), digest.getBytes(StandardCharsets.US_ASCII))) {
                Optional<User> user = user(now, token.username()).filter(u -> !u.disabled());
                Instant when = Instant.now();
                if (user.isPresent()
                        && (token.lastUsed() == null
                                || token.lastUsed().plus(LAST_USED_RESOLUTION).isBefore(when))
                        // a hint never holds up a change nor queues behind one: while the managers elect a leader
                        // each write may wait out the write timeout, so one request records it, none while another
                        // change runs, and none for a while after a refused one
                        && changing.get() == 0
                        && !heldOff(token.id(), when)
                        && recordingUse.add(token.id())) {
                    try {
                        change(
                                content -> {
                                    List<ApiToken> tokens = new ArrayList<>(content.tokens());
                                    tokens.replaceAll(t -> t.id().equals(token.id()) ? t.used(when) : t);
                                    return new Content(content.users(), tokens);
                                },
                                HINT_MILLIS);
                    } catch (Problem | IllegalStateException e) {
                        // the last use is a hint: a token still works while the managers cannot take writes
                        LOG.debug("the last use of token {} was not recorded: {}", token.id(), e.getMessage());
                        holdOff.put(token.id(), when.plus(HINT_HOLD_OFF));
                    } finally {
                        recordingUse.remove(token.id());
                    }
                }
                return user;
            }
        }
        return Optional.empty();
    }

    private static User existing(Content content, String username) {
        return user(content, username)
                .orElseThrow(() -> Problem.notFound("No user '" + username + "'; GET /admin/users lists them"));
    }

    private static void checkNotLastAdmin(Content content, String username, String what) {
        long others = content.users().stream()
                .filter(u -> u.admin() && !u.disabled() && !u.username().equals(username))
                .count();
        if (others == 0) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "User " + username + " is the last active admin and cannot be " + what
                            + ": make another user an admin first (PATCH /admin/users/<name> {\"role\": \"admin\"}).");
        }
    }

    private static Content replace(Content content, User user) {
        List<User> users = new ArrayList<>(content.users());
        users.replaceAll(u -> u.username().equals(user.username()) ? user : u);
        return new Content(users, content.tokens());
    }

    private synchronized void write(Content next) {
        try {
            Pem.writeAtomically(file, Json.pretty().writeValueAsBytes(next), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the users " + file + ": " + e.getMessage(), e);
        }
        content = next;
    }

    static void checkUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw Problem.badRequest(
                    "A user name is 1 to 64 letters, digits or . _ @ + -, starting with a letter or digit; not '"
                            + username + "'");
        }
    }

    public static void checkPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw Problem.badRequest("A password needs at least " + MIN_PASSWORD_LENGTH + " characters.");
        }
        if (password.length() > MAX_PASSWORD_LENGTH) {
            throw Problem.badRequest("A password has at most " + MAX_PASSWORD_LENGTH + " characters.");
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** URL-safe random text carrying {@code bytes} random bytes. */
    static String randomSecret(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }
}
