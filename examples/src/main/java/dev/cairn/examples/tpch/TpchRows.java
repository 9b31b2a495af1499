package dev.cairn.examples.tpch;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * TPC-H rows as dbgen writes them ({@code .tbl} files: fields separated by '|', one trailing
 * '|'), parsed into records of the columns the queries use. Decimals are exact: a {@code long}
 * of hundredths (TPC-H's decimals have two places), so sums and products stay exact. Dates are
 * days since 1970-01-01. A malformed row throws an {@link IllegalArgumentException} naming the
 * table, the field's number and column, and the bad text; the runtime adds the file and the
 * line's byte offset.
 */
public final class TpchRows {
    private TpchRows() {}

    public record LineItem(
            long orderKey,
            long partKey,
            long suppKey,
            int lineNumber,
            long quantity,
            long extendedPrice,
            long discount,
            long tax,
            String returnFlag,
            String lineStatus,
            int shipDate,
            int commitDate,
            int receiptDate,
            String shipInstruct,
            String shipMode) {}

    public record Orders(
            long orderKey,
            long custKey,
            String orderStatus,
            long totalPrice,
            int orderDate,
            String orderPriority,
            int shipPriority) {}

    public record Customer(long custKey, String name, long nationKey, long acctBal, String mktSegment) {}

    public record Supplier(long suppKey, String name, long nationKey, long acctBal) {}

    public record Nation(long nationKey, String name, long regionKey) {}

    public record Region(long regionKey, String name) {}

    public record Part(long partKey, String name, String brand, String type, int size, String container) {}

    public record PartSupp(long partKey, long suppKey, int availQty, long supplyCost) {}

    private static final String[] LINEITEM = {
        "l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity", "l_extendedprice", "l_discount",
        "l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_commitdate", "l_receiptdate", "l_shipinstruct",
        "l_shipmode", "l_comment"
    };
    private static final String[] ORDERS = {
        "o_orderkey",
        "o_custkey",
        "o_orderstatus",
        "o_totalprice",
        "o_orderdate",
        "o_orderpriority",
        "o_clerk",
        "o_shippriority",
        "o_comment"
    };
    private static final String[] CUSTOMER = {
        "c_custkey", "c_name", "c_address", "c_nationkey", "c_phone", "c_acctbal", "c_mktsegment", "c_comment"
    };
    private static final String[] SUPPLIER = {
        "s_suppkey", "s_name", "s_address", "s_nationkey", "s_phone", "s_acctbal", "s_comment"
    };
    private static final String[] NATION = {"n_nationkey", "n_name", "n_regionkey", "n_comment"};
    private static final String[] REGION = {"r_regionkey", "r_name", "r_comment"};
    private static final String[] PART = {
        "p_partkey", "p_name", "p_mfgr", "p_brand", "p_type", "p_size", "p_container", "p_retailprice", "p_comment"
    };
    private static final String[] PARTSUPP = {"ps_partkey", "ps_suppkey", "ps_availqty", "ps_supplycost", "ps_comment"};

    public static LineItem lineItem(String line) {
        Row r = new Row("lineitem", LINEITEM, line);
        return new LineItem(
                r.integer(0),
                r.integer(1),
                r.integer(2),
                (int) r.integer(3),
                r.decimal(4),
                r.decimal(5),
                r.decimal(6),
                r.decimal(7),
                r.text(8),
                r.text(9),
                r.date(10),
                r.date(11),
                r.date(12),
                r.text(13),
                r.text(14));
    }

    public static Orders orders(String line) {
        Row r = new Row("orders", ORDERS, line);
        return new Orders(
                r.integer(0), r.integer(1), r.text(2), r.decimal(3), r.date(4), r.text(5), (int) r.integer(7));
    }

    public static Customer customer(String line) {
        Row r = new Row("customer", CUSTOMER, line);
        return new Customer(r.integer(0), r.text(1), r.integer(3), r.decimal(5), r.text(6));
    }

    public static Supplier supplier(String line) {
        Row r = new Row("supplier", SUPPLIER, line);
        return new Supplier(r.integer(0), r.text(1), r.integer(3), r.decimal(5));
    }

    public static Nation nation(String line) {
        Row r = new Row("nation", NATION, line);
        return new Nation(r.integer(0), r.text(1), r.integer(2));
    }

    public static Region region(String line) {
        Row r = new Row("region", REGION, line);
        return new Region(r.integer(0), r.text(1));
    }

    public static Part part(String line) {
        Row r = new Row("part", PART, line);
        return new Part(r.integer(0), r.text(1), r.text(3), r.text(4), (int) r.integer(5), r.text(6));
    }

    public static PartSupp partSupp(String line) {
        Row r = new Row("partsupp", PARTSUPP, line);
        return new PartSupp(r.integer(0), r.integer(1), (int) r.integer(2), r.decimal(3));
    }

    /** Days since 1970-01-01 of an ISO date, for the queries' constants. */
    public static int day(String isoDate) {
        return (int) LocalDate.parse(isoDate).toEpochDay();
    }

    /** The ISO date of a day. */
    public static String isoDate(int day) {
        return LocalDate.ofEpochDay(day).toString();
    }

    /** The fields of one row, located without copying; values parsed on demand. */
    private static final class Row {
        private final String table;
        private final String[] columns;
        private final String line;
        private final int[] starts;
        private final int[] ends;

        Row(String table, String[] columns, String line) {
            this.table = table;
            this.columns = columns;
            this.line = line;
            this.starts = new int[columns.length];
            this.ends = new int[columns.length];
            int n = 0;
            int start = 0;
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) != '|') continue;
                if (n == columns.length) throw malformed(columns.length + " fields expected, got more");
                starts[n] = start;
                ends[n] = i;
                n++;
                start = i + 1;
            }
            if (start != line.length()) {
                // The last field has no trailing '|': dbgen always writes one.
                if (n == columns.length) throw malformed(columns.length + " fields expected, got more");
                starts[n] = start;
                ends[n] = line.length();
                n++;
            }
            if (n != columns.length) throw malformed(columns.length + " fields expected, got " + n);
        }

        private IllegalArgumentException malformed(String what) {
            return new IllegalArgumentException("malformed " + table + " row: " + what);
        }

        private IllegalArgumentException bad(int field, String kind) {
            return malformed("field " + (field + 1) + " (" + columns[field] + ") is not " + kind + ": '"
                    + line.substring(starts[field], ends[field]) + "'");
        }

        String text(int field) {
            return line.substring(starts[field], ends[field]);
        }

        long integer(int field) {
            int i = starts[field];
            int end = ends[field];
            boolean negative = i < end && line.charAt(i) == '-';
            if (negative) i++;
            if (i == end || end - i > 18) throw bad(field, "an integer");
            long v = 0;
            for (; i < end; i++) {
                char c = line.charAt(i);
                if (c < '0' || c > '9') throw bad(field, "an integer");
                v = v * 10 + (c - '0');
            }
            return negative ? -v : v;
        }

        /** Hundredths: "24710.35" is 2471035, "0.04" is 4, "-283.8" is -28380. */
        long decimal(int field) {
            int i = starts[field];
            int end = ends[field];
            boolean negative = i < end && line.charAt(i) == '-';
            if (negative) i++;
            long v = 0;
            int digits = 0;
            int fraction = -1;
            for (; i < end; i++) {
                char c = line.charAt(i);
                if (c == '.' && fraction < 0) {
                    fraction = 0;
                    continue;
                }
                if (c < '0' || c > '9' || fraction == 2 || ++digits > 16) throw bad(field, "a decimal of 2 places");
                v = v * 10 + (c - '0');
                if (fraction >= 0) fraction++;
            }
            if (digits == 0) throw bad(field, "a decimal of 2 places");
            for (int f = Math.max(fraction, 0); f < 2; f++) v *= 10;
            return negative ? -v : v;
        }

        int date(int field) {
            int i = starts[field];
            if (ends[field] - i != 10 || line.charAt(i + 4) != '-' || line.charAt(i + 7) != '-')
                throw bad(field, "a date (yyyy-mm-dd)");
            try {
                return (int) LocalDate.of(digits(field, i, 4), digits(field, i + 5, 2), digits(field, i + 8, 2))
                        .toEpochDay();
            } catch (DateTimeException e) {
                throw bad(field, "a date (yyyy-mm-dd)");
            }
        }

        private int digits(int field, int from, int count) {
            int v = 0;
            for (int i = from; i < from + count; i++) {
                char c = line.charAt(i);
                if (c < '0' || c > '9') throw bad(field, "a date (yyyy-mm-dd)");
                v = v * 10 + (c - '0');
            }
            return v;
        }
    }
}
