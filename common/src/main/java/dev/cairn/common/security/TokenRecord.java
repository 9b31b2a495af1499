package dev.cairn.common.security;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster keeps of a token: never the secret, only its SHA-256, with the user it
 * authenticates, when it was made, when it expires and when (if ever) it was revoked. Revoked
 * tokens stay listed, so a client using one is told "token revoked" rather than "unknown token".
 *
 * @param secretSha256 hex SHA-256 of the token's secret
 */
public record TokenRecord(
        String id, String user, Instant created, Instant expires, Optional<Instant> revoked, String secretSha256) {
    public TokenRecord {
        if (!CertificateAuthority.NAME.matcher(user).matches())
            throw new IllegalArgumentException("'" + user + "' is not a valid user name");
        if (!expires.isAfter(created)) throw new IllegalArgumentException("a token must expire after it is made");
    }

    /** The record of a new token. */
    public static TokenRecord of(AccessToken token, String user, Instant created, Instant expires) {
        return new TokenRecord(
                token.id(),
                user,
                created,
                expires,
                Optional.empty(),
                HexFormat.of().formatHex(token.secretHash()));
    }

    /** This record, revoked at {@code at} (an already revoked one keeps its first revocation). */
    public TokenRecord revokedAt(Instant at) {
        return revoked.isPresent() ? this : new TokenRecord(id, user, created, expires, Optional.of(at), secretSha256);
    }

    /** One {@code key=value} per line, as stored in coord. */
    public byte[] encode() {
        StringBuilder b = new StringBuilder()
                .append("user=")
                .append(user)
                .append('\n')
                .append("created=")
                .append(created.toEpochMilli())
                .append('\n')
                .append("expires=")
                .append(expires.toEpochMilli())
                .append('\n');
        revoked.ifPresent(r -> b.append("revoked=").append(r.toEpochMilli()).append('\n'));
        b.append("sha256=").append(secretSha256).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a stored record.
     *
     * @throws IllegalArgumentException naming the token id and what is missing or malformed
     */
    public static TokenRecord decode(String id, byte[] data) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq > 0) f.put(line.substring(0, eq), line.substring(eq + 1));
        }
        try {
            return new TokenRecord(
                    id,
                    required(f, "user"),
                    Instant.ofEpochMilli(Long.parseLong(required(f, "created"))),
                    Instant.ofEpochMilli(Long.parseLong(required(f, "expires"))),
                    Optional.ofNullable(f.get("revoked")).map(r -> Instant.ofEpochMilli(Long.parseLong(r))),
                    HexFormat.of().formatHex(HexFormat.of().parseHex(required(f, "sha256"))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("token " + id + ": malformed record: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) throw new IllegalArgumentException("malformed token record: no " + key);
        return v;
    }

    /** The stored hash as bytes. */
    byte[] hash() {
        return HexFormat.of().parseHex(secretSha256);
    }
}
