package dev.cairn.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A bearer token, for clients that cannot hold a certificate: {@code cairn_<id>.<secret>}, where
 * the id (16 hex digits) names the token in listings, logs and error messages, and the secret (256
 * random bits, base64url) proves possession. The cluster keeps only the secret's SHA-256 ({@link
 * TokenRecord}); a 256-bit random secret needs no slow hash, nothing can guess it.
 *
 * <p>{@link #toString()} names the id only: a token that reaches a log line by accident leaks
 * nothing. Only {@link #text()} gives the whole token, to send it.
 */
public final class AccessToken {
    private static final String PREFIX = "cairn_";
    private static final Pattern FORMAT = Pattern.compile("cairn_([0-9a-f]{16})\\.([A-Za-z0-9_-]{43})");

    private final String id;
    private final String secret;

    private AccessToken(String id, String secret) {
        this.id = id;
        this.secret = secret;
    }

    /** A new token with a random id and secret. */
    public static AccessToken generate(SecureRandom random) {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        return new AccessToken(
                HexFormat.of().formatHex(id),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The token {@code text} holds, or empty when it is not one (the text itself never goes into a message). */
    public static Optional<AccessToken> parse(String text) {
        if (text == null) return Optional.empty();
        var m = FORMAT.matcher(text.strip());
        return m.matches() ? Optional.of(new AccessToken(m.group(1), m.group(2))) : Optional.empty();
    }

    /** The public name of the token. */
    public String id() {
        return id;
    }

    /** The whole token, secret included: for sending it, never for logging it. */
    public String text() {
        return PREFIX + id + "." + secret;
    }

    /** SHA-256 of the secret, what the cluster stores. */
    public byte[] secretHash() {
        return sha256(secret);
    }

    /** Whether this token's secret hashes to {@code hash}, compared in constant time. */
    public boolean matches(byte[] hash) {
        return MessageDigest.isEqual(secretHash(), hash);
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessToken t && t.id.equals(id) && MessageDigest.isEqual(t.secretHash(), secretHash());
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** {@code token <id>}, never the secret. */
    @Override
    public String toString() {
        return "token " + id;
    }
}
