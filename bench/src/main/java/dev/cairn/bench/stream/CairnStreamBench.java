package dev.cairn.bench.stream;

import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.nexmark.NexmarkQueries;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cairn's side of bench/stream.sh: one of the Nexmark programs of dataflow's tests
 * ({@link NexmarkQueries}) on the in-JVM executor (operators on threads of this JVM, at the given
 * parallelism), its collected lines written to a file.
 *
 * <pre>
 *   CairnStreamBench QUERY EVENTS_FILE EVENT_COUNT OUT_FILE PARALLELISM
 * </pre>
 *
 * Prints {@code stream engine=cairn query=... events=... seconds=... events_per_s=...}: the time from
 * {@code execute()} (the graph built, nothing read yet) to the output file closed.
 */
public final class CairnStreamBench {
    private CairnStreamBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: CairnStreamBench q5|q7|q8 EVENTS_FILE EVENT_COUNT OUT_FILE PARALLELISM");
            System.exit(2);
        }
        String query = args[0];
        Path events = Path.of(args[1]);
        long count = Long.parseLong(args[2]);
        Path out = Path.of(args[3]);
        int parallelism = Integer.parseInt(args[4]);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        CollectedResult<String> result = (switch (query) {
                    case "q5" -> NexmarkQueries.q5(flow, events);
                    case "q7" -> NexmarkQueries.q7(flow, events);
                    case "q8" -> NexmarkQueries.q8(flow, events);
                    default -> throw new IllegalArgumentException("unknown query " + query);
                })
                .collect();
        long start = System.nanoTime();
        flow.execute();
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.US_ASCII), 1 << 16)) {
            for (String line : result.get()) {
                w.write(line);
                w.write('\n');
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "stream engine=cairn query=%s parallelism=%d events=%d seconds=%.3f events_per_s=%.0f%n",
                query, parallelism, count, seconds, count / seconds);
    }
}
