package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Authenticates a request that came without a client certificate by the bearer token it carries
 * ({@code authorization: Bearer cairn_<id>.<secret>}, an HTTP header or gRPC metadata), against the
 * cluster's {@link Book} of tokens. A token is accepted when its id is in the book, its secret's
 * SHA-256 equals the stored one (compared in constant time), it is not revoked and not expired by
 * the injected clock; it then authenticates the user the token was issued to, as a {@link
 * CairnPrincipal} of kind {@link CairnPrincipal.Kind#USER}.
 *
 * <p>The secret is checked before anything else about the token, so someone without it learns
 * nothing about a token id (whether it is revoked or expired). A refusal is answered with one of a
 * few fixed reasons and logged in one line naming the port, the peer and the token id, never the
 * secret; a flood of refusals is logged at most {@link RefusalLog#PER_SECOND} lines a second, with the count of lines left out.
 */
public final class BearerTokens {
    private static final String BEARER = "bearer ";

    /** The reason given to a client that sent neither a certificate nor a token. */
    public static final String NO_CREDENTIALS = "no client certificate and no token";

    public static final String UNKNOWN = "unknown token";
    public static final String REVOKED = "token revoked";
    public static final String EXPIRED = "token expired";

    /** Where the cluster's tokens are looked up: coord, through a node's watch-backed cache. */
    @FunctionalInterface
    public interface Book {
        /**
         * The record of token {@code id}, or empty when there is none.
         *
         * @throws IllegalStateException when the book cannot be trusted now (say, coord is out of
         *     reach and a revocation might have been missed), with a message saying so
         */
        Optional<TokenRecord> find(String id);
    }

    /** What a request's credentials came to. */
    public sealed interface Outcome {
        /** A valid token of {@code principal}'s user. */
        record Accepted(CairnPrincipal principal, String tokenId) implements Outcome {}

        /** Refused, for the one-line {@code reason} told to the client. */
        record Refused(String reason) implements Outcome {}
    }

    private final Book book;
    private final Clock clock;
    private final RefusalLog refusals;

    public BearerTokens(Book book, Clock clock) {
        this.book = book;
        this.clock = clock;
        this.refusals = new RefusalLog(clock, BearerTokens.class);
    }

    /**
     * Checks the credentials of a request that came without a client certificate, and logs a
     * refusal.
     *
     * @param authorization the request's {@code authorization} header or metadata value, or null
     * @param port what the port is, for the log line: "RPC port 7070"
     * @param remote the peer's address, for the log line
     */
    public Outcome authenticate(String authorization, String port, Object remote) {
        Outcome outcome;
        String id = null;
        if (authorization == null || authorization.isBlank()) {
            outcome = new Outcome.Refused(NO_CREDENTIALS);
        } else {
            Optional<AccessToken> token = bearer(authorization);
            id = token.map(AccessToken::id).orElse(null);
            outcome = token.map(this::verify).orElse(new Outcome.Refused(UNKNOWN));
        }
        if (outcome instanceof Outcome.Refused r)
            refusals.refused("refused a request from " + remote + " on the " + port + ": " + r.reason()
                    + (id == null ? "" : " (token " + id + ")"));
        return outcome;
    }

    /** The token of an {@code authorization: Bearer ...} value, or empty when it holds none. */
    static Optional<AccessToken> bearer(String authorization) {
        String v = authorization.strip();
        if (!v.toLowerCase(Locale.ROOT).startsWith(BEARER)) return Optional.empty();
        return AccessToken.parse(v.substring(BEARER.length()));
    }

    /** Whether {@code token} is valid now, and for whom. */
    public Outcome verify(AccessToken token) {
        Optional<TokenRecord> found;
        try {
            found = book.find(token.id());
        } catch (IllegalStateException e) {
            return new Outcome.Refused(e.getMessage());
        }
        if (found.isEmpty() || !token.matches(found.get().hash())) return new Outcome.Refused(UNKNOWN);
        TokenRecord r = found.get();
        if (r.revoked().isPresent()) return new Outcome.Refused(REVOKED);
        if (!Instant.ofEpochMilli(clock.millis()).isBefore(r.expires())) return new Outcome.Refused(EXPIRED);
        return new Outcome.Accepted(new CairnPrincipal(r.user(), CairnPrincipal.Kind.USER), r.id());
    }
}
