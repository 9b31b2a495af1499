package dev.cairn.examples;

import dev.cairn.batch.Counter;
import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Mapper;
import dev.cairn.batch.Reducer;
import dev.cairn.batch.TaskContext;
import dev.cairn.common.codec.Codecs;
import java.util.Iterator;

/**
 * A reduce-side join with a mapper per input: {@code customer-orders CUSTOMERS ORDERS OUTPUT}.
 * CUSTOMERS holds {@code id,name,country} lines, ORDERS {@code orderId,customerId,amount} lines
 * (amount in cents). The output has one line per customer with orders:
 * {@code customerId<TAB>name,country,orders,totalCents}.
 *
 * <p>Each input has its own mapper, which tags what it emits with its side; the reducer sees a
 * customer and all of its orders under the customer's id. Lines that do not parse are skipped and
 * counted ({@code customer-orders.malformed-customers}, {@code customer-orders.malformed-orders}),
 * and so are orders of unknown customers ({@code customer-orders.orphan-orders}): the counts
 * appear in {@code job status}.
 */
public final class CustomerOrders implements JobDefinition {
    /** The group of this job's counters. */
    public static final String COUNTERS = "customer-orders";

    @Override
    public JobSpec define(String[] args) {
        if (args.length < 3 || args.length > 4)
            throw new IllegalArgumentException("usage: customer-orders CUSTOMERS ORDERS OUTPUT [REDUCERS]");
        return JobSpec.builder("customer-orders")
                .input(args[0], CustomerMapper.class)
                .input(args[1], OrderMapper.class)
                .output(args[2])
                .reducer(JoinReducer.class)
                .mapOutput(Codecs.LONG, Codecs.STRING)
                .reducers(args.length == 4 ? Integer.parseInt(args[3]) : 2)
                .build();
    }

    /** {@code id,name,country} → (id, "C,name,country"). */
    public static final class CustomerMapper implements Mapper<Long, String, Long, String> {
        private Counter malformed;

        @Override
        public void setup(TaskContext context) {
            malformed = context.counter(COUNTERS, "malformed-customers");
        }

        @Override
        public void map(Long offset, String line, Emitter<Long, String> out) throws Exception {
            String[] f = line.split(",", -1);
            Long id = f.length == 3 && !f[1].isBlank() && !f[2].isBlank() ? parseLong(f[0]) : null;
            if (id == null) {
                malformed.increment();
                return;
            }
            out.emit(id, "C," + f[1].strip() + "," + f[2].strip());
        }
    }

    /** {@code orderId,customerId,amount} → (customerId, "O,amount"). */
    public static final class OrderMapper implements Mapper<Long, String, Long, String> {
        private Counter malformed;

        @Override
        public void setup(TaskContext context) {
            malformed = context.counter(COUNTERS, "malformed-orders");
        }

        @Override
        public void map(Long offset, String line, Emitter<Long, String> out) throws Exception {
            String[] f = line.split(",", -1);
            Long customer = f.length == 3 ? parseLong(f[1]) : null;
            Long amount = f.length == 3 ? parseLong(f[2]) : null;
            if (customer == null || amount == null || amount < 0) {
                malformed.increment();
                return;
            }
            out.emit(customer, "O," + amount);
        }
    }

    /** A customer and its orders → one line; orders without a customer are counted, not written. */
    public static final class JoinReducer implements Reducer<Long, String, Long, String> {
        private Counter orphans;

        @Override
        public void setup(TaskContext context) {
            orphans = context.counter(COUNTERS, "orphan-orders");
        }

        @Override
        public void reduce(Long customer, Iterator<String> values, Emitter<Long, String> out) throws Exception {
            String who = null;
            long orders = 0;
            long total = 0;
            while (values.hasNext()) {
                String v = values.next();
                if (v.startsWith("C,")) {
                    who = v.substring(2);
                } else {
                    orders++;
                    total += Long.parseLong(v.substring(2));
                }
            }
            if (who == null) {
                orphans.increment(orders);
                return;
            }
            if (orders > 0) out.emit(customer, who + "," + orders + "," + total);
        }
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
