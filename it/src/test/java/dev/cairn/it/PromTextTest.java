package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict text-format parser the metrics IT reads scrapes with. */
class PromTextTest {
    private static final String GOOD = """
            # HELP req_total Requests, by "type" \\\\ with a\\nsecond line
            # TYPE req_total counter
            req_total{type="get"} 3.0
            req_total{type="a \\"quoted\\" \\\\ value\\n"} 1
            # a comment
            # TYPE lat_seconds histogram
            lat_seconds_bucket{le="0.1"} 1
            lat_seconds_bucket{le="+Inf"} 2
            lat_seconds_count 2
            lat_seconds_sum 0.35

            # TYPE up gauge
            up NaN 1700000000000
            # TYPE edge gauge
            edge{side="top"} +Inf
            edge{side="bottom"} -Inf
            # TYPE q summary
            q_count 4
            q_sum -1.5e3
            """;

    @Test
    void parsesFamiliesSamplesLabelsEscapesAndSpecialValues() {
        Map<String, PromText.Family> f = PromText.parse(GOOD);
        assertThat(f.keySet()).containsExactly("req_total", "lat_seconds", "up", "edge", "q");
        assertThat(f.get("req_total").help()).isEqualTo("Requests, by \"type\" \\ with a\nsecond line");
        assertThat(f.get("req_total").type()).isEqualTo("counter");
        assertThat(f.get("req_total").samples())
                .extracting(PromText.Sample::labels)
                .containsExactly(Map.of("type", "get"), Map.of("type", "a \"quoted\" \\ value\n"));
        assertThat(f.get("lat_seconds").samples()).hasSize(4);
        assertThat(f.get("lat_seconds").samples().get(1).labels()).containsEntry("le", "+Inf");
        assertThat(f.get("edge").samples())
                .extracting(PromText.Sample::value)
                .containsExactly(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertThat(f.get("lat_seconds").help()).isNull();
        assertThat(f.get("up").samples().get(0).value()).isNaN();
        assertThat(f.get("q").samples().get(1).value()).isEqualTo(-1500);
        assertThat(PromText.sum(List.of(f, f), "req_total", "type=get")).isEqualTo(6);
        assertThat(PromText.sum(List.of(f), "req_total")).isEqualTo(4);
    }

    @Test
    void rejectsWhatTheFormatDoesNotAllowNamingTheLine() {
        assertBad("x 1\n", "line 1: sample x of no family typed before it");
        assertBad("# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n", "line 3: second sample");
        assertBad("# TYPE x gauge\n# TYPE x gauge\n", "line 2: second TYPE for x");
        assertBad("# TYPE x gauge\nx{a=1} 1\n", "line 2: label value not quoted");
        assertBad("# TYPE x gauge\nx{a=\"1} 1\n", "line 2: unterminated label value");
        assertBad("# TYPE x gauge\nx{1a=\"1\"} 1\n", "line 2: bad label name '1a'");
        assertBad("# TYPE x gauge\nx{a=\"\\t\"} 1\n", "line 2: bad escape \\t");
        assertBad("# TYPE x gauge\nx one\n", "line 2: bad value 'one'");
        assertBad("# TYPE x gauge\nx\n", "line 2: no value");
        assertBad("# TYPE x gauge\nx 1 2 3\n", "line 2: trailing text after the value");
        assertBad("# TYPE x-y gauge\n", "line 1: bad metric name 'x-y'");
        assertBad("# TYPE x widget\n", "line 1: bad type");
        assertBad("# TYPE h histogram\nh_bucket 1\n", "line 2: histogram bucket without le");
        assertBad("# TYPE h histogram\nh 1\n", "line 2: sample h of no family");
        assertBad("# TYPE s summary\ns_bucket{le=\"1\"} 1\n", "line 2: sample s_bucket of no family");
        assertBad("# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n", "line 2: label a twice");
    }

    private static void assertBad(String text, String message) {
        assertThatThrownBy(() -> PromText.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
