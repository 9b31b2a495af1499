package dev.cairn.examples.tpch;

import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.RuntimeMode;
import dev.cairn.dataflow.Stream;
import dev.cairn.dataflow.functions.MapFunction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A TPC-H query written with the dataflow API, run in batch mode:
 * {@code tpch-qN TABLES_DIR OUT_DIR}. TABLES_DIR (local or {@code cairn://}) holds dbgen's
 * {@code .tbl} files ({@code lineitem.tbl}, {@code orders.tbl}, ...); OUT_DIR, which must not
 * exist, receives the result: its part files, concatenated in name order, are the result's rows
 * in the query's ORDER BY order, fields joined by '|', decimals rounded half up to 2 places. The
 * parameters are the TPC-H specification's validation values.
 */
public abstract class TpchQuery implements DataflowJob {
    private final String name;
    private final List<String> tables;

    TpchQuery(String name, List<String> tables) {
        this.name = name;
        this.tables = tables;
    }

    /** The query's result rows, in order, from the tables it reads. */
    abstract Stream<String> query(Tables tables);

    @Override
    public RuntimeMode mode() {
        return RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: " + name + " TABLES_DIR OUT_DIR");
        String dir = absolute(args[0]);
        if (FsPaths.scheme(dir) == null) {
            for (String t : tables) {
                Path file = Path.of(dir, t + ".tbl");
                if (!Files.isReadable(file))
                    throw new IllegalArgumentException("table " + t + " not found: " + file + " does not exist");
            }
        }
        query(new Tables(flow, dir)).writeAsTextExactlyOnce(absolute(args[1]));
    }

    /** Nodes run elsewhere: local paths are resolved where the user typed them; others are absolute. */
    private static String absolute(String path) {
        return FsPaths.scheme(path) != null
                ? path
                : Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** The tables of one query, each read and parsed where it is used. */
    static final class Tables {
        private final Dataflow flow;
        private final String dir;

        Tables(Dataflow flow, String dir) {
            this.flow = flow;
            this.dir = dir;
        }

        private <T extends Record> Stream<T> read(String table, MapFunction<String, T> parse, Class<T> type) {
            String path = dir.endsWith("/") ? dir + table + ".tbl" : dir + "/" + table + ".tbl";
            return flow.readTextFile(path).map(parse, Codecs.record(type)).name("parse " + table);
        }

        Stream<TpchRows.LineItem> lineItem() {
            return read("lineitem", TpchRows::lineItem, TpchRows.LineItem.class);
        }

        Stream<TpchRows.Orders> orders() {
            return read("orders", TpchRows::orders, TpchRows.Orders.class);
        }

        Stream<TpchRows.Customer> customer() {
            return read("customer", TpchRows::customer, TpchRows.Customer.class);
        }

        Stream<TpchRows.Supplier> supplier() {
            return read("supplier", TpchRows::supplier, TpchRows.Supplier.class);
        }

        Stream<TpchRows.Nation> nation() {
            return read("nation", TpchRows::nation, TpchRows.Nation.class);
        }

        Stream<TpchRows.Region> region() {
            return read("region", TpchRows::region, TpchRows.Region.class);
        }

        Stream<TpchRows.Part> part() {
            return read("part", TpchRows::part, TpchRows.Part.class);
        }

        Stream<TpchRows.PartSupp> partSupp() {
            return read("partsupp", TpchRows::partSupp, TpchRows.PartSupp.class);
        }
    }

    /** {@code unscaled / 10^scale}, rounded half up to 2 places: 123456 at scale 4 is "12.35". */
    static String decimal(long unscaled, int scale) {
        return BigDecimal.valueOf(unscaled, scale)
                .setScale(2, RoundingMode.HALF_UP)
                .toPlainString();
    }

    /** {@code unscaled / 10^scale / count}, rounded half up to 2 places. */
    static String average(long unscaled, int scale, long count) {
        return BigDecimal.valueOf(unscaled, scale)
                .divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_UP)
                .toPlainString();
    }

    static <R extends Record> Codec<R> codec(Class<R> type) {
        return Codecs.record(type);
    }
}
