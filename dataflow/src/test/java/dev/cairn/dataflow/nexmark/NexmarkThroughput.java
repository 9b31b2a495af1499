package dev.cairn.dataflow.nexmark;

import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.ExecutionResult;
import java.nio.file.Path;

/**
 * A rough events/s figure of the in-JVM executor on one query, not a benchmark:
 * {@code NexmarkThroughput EVENTS_FILE EVENT_COUNT QUERY PARALLELISM [RUNS]}; prints each run.
 */
public final class NexmarkThroughput {
    private NexmarkThroughput() {}

    public static void main(String[] args) {
        Path events = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        String query = args[2];
        int parallelism = Integer.parseInt(args[3]);
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        for (int run = 0; run < runs; run++) {
            Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
            (switch (query) {
                        case "q5" -> NexmarkQueries.q5(flow, events);
                        case "q7" -> NexmarkQueries.q7(flow, events);
                        case "q8" -> NexmarkQueries.q8(flow, events);
                        default -> throw new IllegalArgumentException(query);
                    })
                    .collect();
            ExecutionResult result = flow.execute();
            double seconds = result.elapsedNanos() / 1e9;
            System.out.printf(
                    "%s parallelism %d run %d: %.2f s, %.0f events/s%n",
                    query, parallelism, run, seconds, count / seconds);
        }
    }
}
