package dev.cairn.bench.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Word count on Apache Spark's RDD API in local mode, for {@code bench/wordcount.sh}.
 *
 * <p>{@code CORPUS OUT_DIR}: splits every line on characters {@code <= ' '} (as the other word counts of the
 * benchmark do), counts with {@code reduceByKey} (a map-side combine, then one shuffle into {@code
 * cairn.spark.partitions} partitions) and writes {@code word<TAB>count} lines to {@code OUT_DIR/part-*}. Prints
 * {@code start <millis>} (the session's start) and {@code count <millis>} (the job, from the first read to the last
 * file written).
 */
public final class SparkWordCount {
    private SparkWordCount() {}

    public static void main(String[] args) {
        long start = System.nanoTime();
        SparkSession spark = SparkBench.session("cairn-bench-wordcount");
        System.out.printf("start %d%n", (System.nanoTime() - start) / 1_000_000);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            long t0 = System.nanoTime();
            sc.textFile(args[0])
                    .flatMap(line -> words(line).iterator())
                    .mapToPair(w -> new Tuple2<>(w, 1L))
                    .reduceByKey(Long::sum)
                    .map(e -> e._1() + "\t" + e._2())
                    .saveAsTextFile(args[1]);
            System.out.printf("count %d%n", (System.nanoTime() - t0) / 1_000_000);
        } finally {
            spark.stop();
        }
    }

    /** The words of {@code line}: maximal runs of characters above ' '. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        int n = line.length();
        int i = 0;
        while (i < n) {
            while (i < n && line.charAt(i) <= ' ') i++;
            int begin = i;
            while (i < n && line.charAt(i) > ' ') i++;
            if (i > begin) words.add(line.substring(begin, i));
        }
        return words;
    }
}
