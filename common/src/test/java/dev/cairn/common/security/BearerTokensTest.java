package dev.cairn.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.time.ManualClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Token verification against a book of records, with time driven by hand. */
class BearerTokensTest {
    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private final Map<String, TokenRecord> book = new HashMap<>();
    private final BearerTokens tokens = new BearerTokens(id -> Optional.ofNullable(book.get(id)), clock);
    private final SecureRandom random = new SecureRandom();

    private AccessToken issue(String user, Duration ttl) {
        AccessToken t = AccessToken.generate(random);
        Instant now = Instant.ofEpochMilli(clock.millis());
        book.put(t.id(), TokenRecord.of(t, user, now, now.plus(ttl)));
        return t;
    }

    private BearerTokens.Outcome present(String authorization) {
        return tokens.authenticate(authorization, "test port", "127.0.0.1:1");
    }

    private static BearerTokens.Outcome refused(String reason) {
        return new BearerTokens.Outcome.Refused(reason);
    }

    @Test
    void aValidTokenAuthenticatesItsUser() {
        AccessToken t = issue("carol", Duration.ofDays(7));
        assertThat(present("Bearer " + t.text()))
                .isEqualTo(new BearerTokens.Outcome.Accepted(
                        new CairnPrincipal("carol", CairnPrincipal.Kind.USER), t.id()));
        assertThat(present("bearer   " + t.text() + " ")).isInstanceOf(BearerTokens.Outcome.Accepted.class);
    }

    @Test
    void noCredentialsAreRefused() {
        assertThat(present(null)).isEqualTo(refused(BearerTokens.NO_CREDENTIALS));
        assertThat(present(" ")).isEqualTo(refused(BearerTokens.NO_CREDENTIALS));
    }

    @Test
    void aTokenExpiresAtItsExpiryByTheClock() {
        AccessToken t = issue("carol", Duration.ofHours(1));
        clock.advance(59, TimeUnit.MINUTES);
        assertThat(present("Bearer " + t.text())).isInstanceOf(BearerTokens.Outcome.Accepted.class);
        clock.advance(1, TimeUnit.MINUTES);
        assertThat(present("Bearer " + t.text())).isEqualTo(refused(BearerTokens.EXPIRED));
    }

    @Test
    void aRevokedTokenIsRefusedAsRevoked() {
        AccessToken t = issue("carol", Duration.ofDays(1));
        book.computeIfPresent(t.id(), (id, r) -> r.revokedAt(Instant.ofEpochMilli(clock.millis())));
        assertThat(present("Bearer " + t.text())).isEqualTo(refused(BearerTokens.REVOKED));
    }

    @Test
    void unknownMalformedAndTamperedTokensAreUnknown() {
        AccessToken t = issue("carol", Duration.ofDays(1));
        String text = t.text();
        assertThat(present("Bearer " + AccessToken.generate(random).text())).isEqualTo(refused(BearerTokens.UNKNOWN));
        assertThat(present("Bearer nonsense")).isEqualTo(refused(BearerTokens.UNKNOWN));
        assertThat(present("Basic " + text)).isEqualTo(refused(BearerTokens.UNKNOWN));
        // One character of the secret changed, at its start and at its end: the stored hash no longer matches.
        int dot = text.indexOf('.');
        assertThat(present("Bearer " + flip(text, dot + 1))).isEqualTo(refused(BearerTokens.UNKNOWN));
        assertThat(present("Bearer " + flip(text, text.length() - 1))).isEqualTo(refused(BearerTokens.UNKNOWN));
    }

    @Test
    void aTamperedRevokedOrExpiredTokenRevealsNothingButUnknown() {
        AccessToken t = issue("carol", Duration.ofHours(1));
        book.computeIfPresent(t.id(), (id, r) -> r.revokedAt(Instant.ofEpochMilli(clock.millis())));
        clock.advance(2, TimeUnit.HOURS);
        assertThat(present("Bearer " + flip(t.text(), t.text().length() - 1))).isEqualTo(refused(BearerTokens.UNKNOWN));
    }

    @Test
    void aBookThatCannotBeTrustedRefusesWithItsReason() {
        BearerTokens cut = new BearerTokens(
                id -> {
                    throw new IllegalStateException("cannot check tokens: no coord connection");
                },
                clock);
        assertThat(cut.verify(AccessToken.generate(random)))
                .isEqualTo(refused("cannot check tokens: no coord connection"));
    }

    @Test
    void theSecretIsComparedInConstantTimeAndNeverPrinted() {
        AccessToken t = AccessToken.generate(random);
        // matches() compares SHA-256 digests with MessageDigest.isEqual, which takes the same time
        // wherever the first differing byte is; equal digests match, one differing bit does not.
        byte[] hash = t.secretHash();
        assertThat(t.matches(hash.clone())).isTrue();
        hash[hash.length - 1] ^= 1;
        assertThat(t.matches(hash)).isFalse();
        assertThat(t.toString())
                .isEqualTo("token " + t.id())
                .doesNotContain(t.text().substring(23));
        String secret = t.text().substring(t.text().indexOf('.') + 1);
        TokenRecord r = TokenRecord.of(t, "carol", Instant.EPOCH, Instant.EPOCH.plusSeconds(1));
        assertThat(new String(r.encode(), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain(secret);
        assertThat(r.toString()).doesNotContain(secret);
        assertThat(new TransportSecurity.TokenTls(null, null, t).toString()).doesNotContain(secret);
    }

    @Test
    void aRecordSurvivesItsEncoding() {
        AccessToken t = AccessToken.generate(random);
        TokenRecord r = TokenRecord.of(t, "carol", Instant.ofEpochMilli(5), Instant.ofEpochMilli(9));
        assertThat(TokenRecord.decode(t.id(), r.encode())).isEqualTo(r);
        TokenRecord revoked = r.revokedAt(Instant.ofEpochMilli(7));
        assertThat(TokenRecord.decode(t.id(), revoked.encode())).isEqualTo(revoked);
        assertThat(revoked.revokedAt(Instant.ofEpochMilli(8))).isEqualTo(revoked);
        assertThat(AccessToken.parse(t.text())).contains(t);
    }

    private static String flip(String s, int i) {
        char c = s.charAt(i);
        return s.substring(0, i) + (c == 'A' ? 'B' : 'A') + s.substring(i + 1);
    }
}
