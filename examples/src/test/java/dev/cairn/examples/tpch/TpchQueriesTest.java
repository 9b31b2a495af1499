package dev.cairn.examples.tpch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.RuntimeMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled TPC-H queries, run in batch mode on a batch master and workers in this JVM over
 * tables of scale factor 0.01, give exactly the rows DuckDB gives for the specification's SQL on
 * the same files (formatted alike: '|'-joined, decimals rounded half up to 2 places). Ties in the
 * ORDER BY of Q3 and Q18 are broken by order key on both sides.
 */
class TpchQueriesTest {
    @TempDir
    static Path tables;

    private static TpchReference duckdb;

    @BeforeAll
    static void generate() throws IOException, SQLException {
        TpchTableWriter.write(0.01, tables);
        duckdb = new TpchReference(tables, 2);
    }

    @AfterAll
    static void close() throws SQLException {
        if (duckdb != null) duckdb.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"q1", "q3", "q5", "q6", "q9", "q12", "q18"})
    void theQueryGivesDuckDbsRows(String query) throws Exception {
        List<String> expected = duckdb.rows(query);
        assertThat(expected).as("the reference has rows").isNotEmpty();

        Path out = tables.resolveSibling(tables.getFileName() + "-" + query);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        job(query).define(flow, new String[] {tables.toString(), out.toString()});
        flow.execute(RuntimeMode.BATCH);

        assertThat(parts(out)).containsExactlyElementsOf(expected);
    }

    @Test
    void aMalformedRowFailsTheQueryNamingTheFileTheLineAndTheField() throws Exception {
        Path bad = tables.resolveSibling(tables.getFileName() + "-bad");
        Files.createDirectories(bad);
        List<String> rows = new ArrayList<>(Files.readAllLines(tables.resolve("lineitem.tbl")));
        long offset = 0;
        for (int i = 0; i < 500; i++) offset += rows.get(i).length() + 1;
        rows.set(500, rows.get(500).replaceFirst("^(([^|]*\\|){4})[^|]*", "$1x7"));
        Files.write(bad.resolve("lineitem.tbl"), rows);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        new TpchQueries.Q6()
                .define(flow, new String[] {bad.toString(), bad.resolve("out").toString()});

        assertThatThrownBy(() -> flow.execute(RuntimeMode.BATCH))
                .hasMessageContaining("malformed lineitem row: field 5 (l_quantity) is not a decimal of 2 places: 'x7'")
                .hasMessageContaining("on the line at byte offset " + offset + " of " + bad.resolve("lineitem.tbl"));
    }

    @Test
    void aMissingTableIsNamedBeforeAnythingRuns() {
        Dataflow flow = Dataflow.create();
        assertThatThrownBy(() -> new TpchQueries.Q3()
                        .define(flow, new String[] {tables.resolve("nowhere").toString(), "/tmp/out"}))
                .hasMessageContaining("table customer not found");
    }

    private static TpchQuery job(String query) {
        return switch (query) {
            case "q1" -> new TpchQueries.Q1();
            case "q3" -> new TpchQueries.Q3();
            case "q5" -> new TpchQueries.Q5();
            case "q6" -> new TpchQueries.Q6();
            case "q9" -> new TpchQueries.Q9();
            case "q12" -> new TpchQueries.Q12();
            case "q18" -> new TpchQueries.Q18();
            default -> throw new IllegalArgumentException(query);
        };
    }

    private static List<String> parts(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(p));
        }
        return lines;
    }
}
