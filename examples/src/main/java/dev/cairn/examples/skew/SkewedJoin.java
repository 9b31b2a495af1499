package dev.cairn.examples.skew;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.RuntimeMode;
import dev.cairn.dataflow.Stream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A join with a hot key: {@code skewed-join DATA_DIR OUT_DIR} joins {@code DATA_DIR/orders}
 * ({@code orderKey|custKey|amount}) with {@code DATA_DIR/customers} ({@code custKey|name}) on the
 * customer key, writing {@code orderKey|custKey|amount|name} for every order. Made by {@link
 * #main} ({@code ROWS DATA_DIR [HOT_SHARE] [SEED]}), a share of the orders (30% by default) belong
 * to customer 0, so one partition of the join holds far more than the others: with adaptive
 * execution the master splits it among several tasks. The customers table is larger than the
 * broadcast threshold, so the join is a sort-merge one.
 */
public final class SkewedJoin implements DataflowJob {
    /** An order: its key, its customer's, its amount in cents. */
    public record Order(long orderKey, long custKey, long amount) {}

    /** A customer. */
    public record Customer(long custKey, String name) {}

    /** Customers: enough that their table (about 12 MiB) is not broadcast. */
    public static final int CUSTOMERS = 150_000;

    @Override
    public RuntimeMode mode() {
        return RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: skewed-join DATA_DIR OUT_DIR");
        String data = absolute(args[0]);
        data = data.endsWith("/") ? data : data + "/";
        Stream<Order> orders = flow.readTextFile(data + "orders").map(SkewedJoin::order, Codecs.record(Order.class));
        Stream<Customer> customers =
                flow.readTextFile(data + "customers").map(SkewedJoin::customer, Codecs.record(Customer.class));
        orders.keyBy(Order::custKey, Codecs.LONG)
                .join(customers.keyBy(Customer::custKey, Codecs.LONG))
                .apply(SkewedJoin::line, Codecs.STRING)
                .writeAsTextExactlyOnce(absolute(args[1]));
    }

    /** Nodes run elsewhere: local paths are resolved where the user typed them; others are absolute. */
    private static String absolute(String path) {
        return dev.cairn.common.fs.FsPaths.scheme(path) != null
                ? path
                : Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** The output line of an order and its customer. */
    public static String line(Order o, Customer c) {
        return o.orderKey() + "|" + o.custKey() + "|" + o.amount() + "|" + c.name();
    }

    static Order order(String line) {
        int a = line.indexOf('|');
        int b = line.indexOf('|', a + 1);
        if (a < 0 || b < 0) throw new IllegalArgumentException("an order needs 3 fields: '" + line + "'");
        return new Order(
                Long.parseLong(line, 0, a, 10),
                Long.parseLong(line, a + 1, b, 10),
                Long.parseLong(line, b + 1, line.length(), 10));
    }

    static Customer customer(String line) {
        int a = line.indexOf('|');
        if (a < 0) throw new IllegalArgumentException("a customer needs 2 fields: '" + line + "'");
        return new Customer(Long.parseLong(line, 0, a, 10), line.substring(a + 1));
    }

    /** The order of row {@code i} made with {@code seed}: a share {@code hot} of them belong to customer 0. */
    public static Order order(long i, double hot, SplittableRandom random) {
        long cust = random.nextDouble() < hot ? 0 : 1 + random.nextInt(CUSTOMERS - 1);
        return new Order(i, cust, random.nextLong(100, 1_000_000));
    }

    /** Customer {@code k}'s name: padded so that the table is about 12 MiB. */
    public static String name(long k) {
        return String.format("Customer#%09d-%s", k, "x".repeat(60));
    }

    /** Writes {@code rows} orders and the customers into {@code dir}; returns the orders' file. */
    public static void write(Path dir, long rows, double hot, long seed) throws IOException {
        Files.createDirectories(dir.resolve("orders"));
        Files.createDirectories(dir.resolve("customers"));
        SplittableRandom random = new SplittableRandom(seed);
        try (BufferedWriter w =
                Files.newBufferedWriter(dir.resolve("orders").resolve("orders.txt"), StandardCharsets.UTF_8)) {
            for (long i = 0; i < rows; i++) {
                Order o = order(i, hot, random);
                w.write(o.orderKey() + "|" + o.custKey() + "|" + o.amount());
                w.newLine();
            }
        }
        try (BufferedWriter w =
                Files.newBufferedWriter(dir.resolve("customers").resolve("customers.txt"), StandardCharsets.UTF_8)) {
            for (long k = 0; k < CUSTOMERS; k++) {
                w.write(k + "|" + name(k));
                w.newLine();
            }
        }
    }

    /** {@code ROWS DATA_DIR [HOT_SHARE] [SEED]}: writes the data. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: SkewedJoin ROWS DATA_DIR [HOT_SHARE (0.3)] [SEED (1)]");
            System.exit(2);
        }
        write(
                Path.of(args[1]),
                Long.parseLong(args[0]),
                args.length > 2 ? Double.parseDouble(args[2]) : 0.3,
                args.length > 3 ? Long.parseLong(args[3]) : 1);
    }
}
