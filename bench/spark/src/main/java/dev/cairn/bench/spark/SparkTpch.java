package dev.cairn.bench.spark;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The bundled TPC-H queries on Apache Spark SQL in local mode, for {@code bench/tpch.sh}.
 *
 * <p>{@code TABLES_DIR OUT_DIR QUERY...}: one {@link SparkSession} ({@code local[N]}, N from the system property
 * {@code cairn.spark.cores}, default 2), a temporary view per table over its {@code .tbl} file (read and parsed
 * again by every query, as every Cairn job and DuckDB's views do), then each query once: its rows go to {@code
 * OUT_DIR/<query>.txt} formatted as {@code TpchReference} formats DuckDB's ('|'-joined, decimals rounded half up to 2
 * places, in ORDER BY order), and a line {@code <query> <millis>} to standard output, the time from the query's
 * submission to its last row on the driver. The session's start is printed once as {@code start <millis>} and is in
 * no query's time.
 *
 * <p>The SQL is not copied: it is {@code dev.cairn.examples.tpch.TpchReference.SQL}, the text DuckDB runs, read from
 * the examples' test classes, which the script puts on the class path. (This project is outside the reactor, so it
 * cannot depend on that test jar through Maven; only that one class is loaded.)
 */
public final class SparkTpch {
    /**
     * The tables' columns in Spark's DDL, as TpchReference declares them for DuckDB; dbgen ends every row with '|',
     * which reads as one more, empty, column ({@code dbgen_end}), dropped.
     */
    static final Map<String, String> COLUMNS = columns();

    private static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(
                "lineitem",
                "l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber INT, l_quantity DECIMAL(15,2),"
                        + " l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2),"
                        + " l_returnflag STRING, l_linestatus STRING, l_shipdate DATE, l_commitdate DATE,"
                        + " l_receiptdate DATE, l_shipinstruct STRING, l_shipmode STRING, l_comment STRING");
        c.put(
                "orders",
                "o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus STRING, o_totalprice DECIMAL(15,2),"
                        + " o_orderdate DATE, o_orderpriority STRING, o_clerk STRING, o_shippriority INT,"
                        + " o_comment STRING");
        c.put(
                "customer",
                "c_custkey BIGINT, c_name STRING, c_address STRING, c_nationkey BIGINT, c_phone STRING,"
                        + " c_acctbal DECIMAL(15,2), c_mktsegment STRING, c_comment STRING");
        c.put(
                "supplier",
                "s_suppkey BIGINT, s_name STRING, s_address STRING, s_nationkey BIGINT, s_phone STRING,"
                        + " s_acctbal DECIMAL(15,2), s_comment STRING");
        c.put("nation", "n_nationkey BIGINT, n_name STRING, n_regionkey BIGINT, n_comment STRING");
        c.put("region", "r_regionkey BIGINT, r_name STRING, r_comment STRING");
        c.put(
                "part",
                "p_partkey BIGINT, p_name STRING, p_mfgr STRING, p_brand STRING, p_type STRING, p_size INT,"
                        + " p_container STRING, p_retailprice DECIMAL(15,2), p_comment STRING");
        c.put(
                "partsupp",
                "ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty INT, ps_supplycost DECIMAL(15,2),"
                        + " ps_comment STRING");
        return c;
    }

    private SparkTpch() {}

    public static void main(String[] args) throws Exception {
        Path tables = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        Map<String, String> sql = referenceSql();
        long start = System.nanoTime();
        SparkSession spark = SparkBench.session("cairn-bench-tpch");
        for (Map.Entry<String, String> t : COLUMNS.entrySet()) {
            StructType schema = StructType.fromDDL(t.getValue() + ", dbgen_end STRING");
            spark.read()
                    .schema(schema)
                    .option("sep", "|")
                    .option("header", "false")
                    // No quoting: the fields are plain text, and dbgen writes no quotes.
                    .option("quote", "")
                    .option("mode", "FAILFAST")
                    .option("dateFormat", "yyyy-MM-dd")
                    .csv(tables.resolve(t.getKey() + ".tbl").toString())
                    .drop("dbgen_end")
                    .createOrReplaceTempView(t.getKey());
        }
        System.out.printf("start %d%n", (System.nanoTime() - start) / 1_000_000);
        try {
            for (int i = 2; i < args.length; i++) {
                String name = args[i];
                String query = sql.get(name);
                if (query == null) throw new IllegalArgumentException("no query " + name);
                long t0 = System.nanoTime();
                List<Row> rows = spark.sql(query).collectAsList();
                long millis = (System.nanoTime() - t0) / 1_000_000;
                List<String> lines = new ArrayList<>(rows.size());
                for (Row row : rows) lines.add(format(row));
                Files.write(out.resolve(name + ".txt"), lines, StandardCharsets.UTF_8);
                System.out.printf("%s %d%n", name, millis);
            }
        } finally {
            spark.stop();
        }
    }

    /** One row as TpchReference formats DuckDB's: '|'-joined, every decimal or double rounded half up to 2 places. */
    static String format(Row row) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < row.length(); c++) {
            if (c > 0) b.append('|');
            Object v = row.get(c);
            if (v instanceof BigDecimal d) {
                b.append(d.setScale(2, RoundingMode.HALF_UP).toPlainString());
            } else if (v instanceof Double d) {
                b.append(BigDecimal.valueOf(d).setScale(2, RoundingMode.HALF_UP).toPlainString());
            } else {
                b.append(v);
            }
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> referenceSql() throws ReflectiveOperationException {
        Field f = Class.forName("dev.cairn.examples.tpch.TpchReference").getField("SQL");
        return (Map<String, String>) f.get(null);
    }
}
