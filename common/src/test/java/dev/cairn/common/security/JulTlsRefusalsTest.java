package dev.cairn.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class JulTlsRefusalsTest {
    private static LogRecord record(Throwable thrown) {
        LogRecord r = new LogRecord(Level.FINER, "ServerImpl.Exchange");
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aRecordOfATlsFailureAnywhereInItsCausesIsARefusal() {
        assertThat(JulTlsRefusals.tlsFailure(record(new SSLHandshakeException("plaintext connection?"))))
                .isTrue();
        assertThat(JulTlsRefusals.tlsFailure(
                        record(new IOException("wrapped", new SSLHandshakeException("bad_certificate")))))
                .isTrue();
    }

    @Test
    void otherRecordsAreNot() {
        assertThat(JulTlsRefusals.tlsFailure(record(new IOException("connection reset"))))
                .isFalse();
        assertThat(JulTlsRefusals.tlsFailure(record(null))).isFalse();
    }

    @Test
    void installingTwiceKeepsOneHandler() {
        String name = "dev.cairn.test.refusals";
        JulTlsRefusals.install(name, Level.FINER, "test port", JulTlsRefusals::tlsFailure);
        JulTlsRefusals.install(name, Level.FINER, "test port", JulTlsRefusals::tlsFailure);
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        assertThat(logger.getHandlers()).hasSize(1);
        assertThat(logger.getLevel()).isEqualTo(Level.FINER);
    }
}
