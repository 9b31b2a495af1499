package dev.cairn.examples.tpch;

import static dev.cairn.examples.tpch.TpchQuery.average;
import static dev.cairn.examples.tpch.TpchQuery.codec;
import static dev.cairn.examples.tpch.TpchQuery.decimal;
import static dev.cairn.examples.tpch.TpchRows.day;
import static dev.cairn.examples.tpch.TpchRows.isoDate;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.SortOrder;
import dev.cairn.dataflow.Stream;
import dev.cairn.examples.tpch.TpchRows.Customer;
import dev.cairn.examples.tpch.TpchRows.LineItem;
import dev.cairn.examples.tpch.TpchRows.Nation;
import dev.cairn.examples.tpch.TpchRows.Orders;
import dev.cairn.examples.tpch.TpchRows.Part;
import dev.cairn.examples.tpch.TpchRows.Supplier;
import java.time.LocalDate;
import java.util.List;

/**
 * TPC-H queries 1, 3, 5, 6, 9, 12 and 18 with the spec's validation parameters, as dataflow
 * programs: filters, sort-merge joins on keys (a multi-way join is a chain of them), keyed
 * reductions with map-side combining, and a final sort or top N. Decimal arithmetic is exact
 * (hundredths in a {@code long}; a product of two decimals is in ten-thousandths, of three in
 * millionths), overflow-checked where sums grow with the scale factor.
 */
public final class TpchQueries {
    private TpchQueries() {}

    private static final int Q1_SHIPPED_BY = day("1998-12-01") - 90;

    /** Pricing summary report: lineitem aggregated by return flag and line status. */
    public static final class Q1 extends TpchQuery {
        public Q1() {
            super("tpch-q1", List.of("lineitem"));
        }

        /** Sums of one group; prices in hundredths, discounted in 10^-4, charged in 10^-6. */
        public record Sums(
                String returnFlag,
                String lineStatus,
                long quantity,
                long basePrice,
                long discountedPrice,
                long charge,
                long discount,
                long count) {
            Sums plus(Sums o) {
                return new Sums(
                        returnFlag,
                        lineStatus,
                        quantity + o.quantity,
                        Math.addExact(basePrice, o.basePrice),
                        Math.addExact(discountedPrice, o.discountedPrice),
                        Math.addExact(charge, o.charge),
                        discount + o.discount,
                        count + o.count);
            }
        }

        @Override
        Stream<String> query(Tables t) {
            return t.lineItem()
                    .filter(l -> l.shipDate() <= Q1_SHIPPED_BY)
                    .map(
                            l -> {
                                long discounted = l.extendedPrice() * (100 - l.discount());
                                return new Sums(
                                        l.returnFlag(),
                                        l.lineStatus(),
                                        l.quantity(),
                                        l.extendedPrice(),
                                        discounted,
                                        Math.multiplyExact(discounted, 100 + l.tax()),
                                        l.discount(),
                                        1);
                            },
                            codec(Sums.class))
                    .keyBy(s -> s.returnFlag() + "|" + s.lineStatus(), Codecs.STRING)
                    .reduce(Sums::plus)
                    .sortBy(s -> s.returnFlag() + "|" + s.lineStatus(), Codecs.STRING)
                    .parallelism(1)
                    .map(
                            s -> String.join(
                                    "|",
                                    s.returnFlag(),
                                    s.lineStatus(),
                                    decimal(s.quantity(), 2),
                                    decimal(s.basePrice(), 2),
                                    decimal(s.discountedPrice(), 4),
                                    decimal(s.charge(), 6),
                                    average(s.quantity(), 2, s.count()),
                                    average(s.basePrice(), 2, s.count()),
                                    average(s.discount(), 2, s.count()),
                                    Long.toString(s.count())),
                            Codecs.STRING);
        }
    }

    private static final int Q3_DATE = day("1995-03-15");

    /** Shipping priority: the ten unshipped orders of the BUILDING segment with the highest revenue. */
    public static final class Q3 extends TpchQuery {
        public Q3() {
            super("tpch-q3", List.of("customer", "orders", "lineitem"));
        }

        /** Revenue in 10^-4. */
        public record OrderRevenue(long orderKey, int orderDate, int shipPriority, long revenue) {}

        /** Highest revenue first, then earliest date. */
        public record RevenueRank(long negatedRevenue, int orderDate, long orderKey) {}

        @Override
        Stream<String> query(Tables t) {
            Stream<Orders> orders = t.customer()
                    .filter(c -> c.mktSegment().equals("BUILDING"))
                    .keyBy(Customer::custKey, Codecs.LONG)
                    .join(t.orders().filter(o -> o.orderDate() < Q3_DATE).keyBy(Orders::custKey, Codecs.LONG))
                    .apply((c, o) -> o, codec(Orders.class));
            return orders.keyBy(Orders::orderKey, Codecs.LONG)
                    .join(t.lineItem().filter(l -> l.shipDate() > Q3_DATE).keyBy(LineItem::orderKey, Codecs.LONG))
                    .apply(
                            (o, l) -> new OrderRevenue(
                                    o.orderKey(),
                                    o.orderDate(),
                                    o.shipPriority(),
                                    l.extendedPrice() * (100 - l.discount())),
                            codec(OrderRevenue.class))
                    .keyBy(OrderRevenue::orderKey, Codecs.LONG)
                    .reduce((a, b) ->
                            new OrderRevenue(a.orderKey(), a.orderDate(), a.shipPriority(), a.revenue() + b.revenue()))
                    .topN(
                            10,
                            r -> new RevenueRank(-r.revenue(), r.orderDate(), r.orderKey()),
                            codec(RevenueRank.class),
                            SortOrder.ASCENDING)
                    .map(
                            r -> r.orderKey() + "|" + decimal(r.revenue(), 4) + "|" + isoDate(r.orderDate()) + "|"
                                    + r.shipPriority(),
                            Codecs.STRING);
        }
    }

    private static final int Q5_FROM = day("1994-01-01");
    private static final int Q5_TO = day("1995-01-01");

    /** Local supplier volume: revenue in ASIA from customers and suppliers of the same nation, by nation. */
    public static final class Q5 extends TpchQuery {
        public Q5() {
            super("tpch-q5", List.of("customer", "orders", "lineitem", "supplier", "nation", "region"));
        }

        public record SupplierNation(long suppKey, long nationKey, String nation) {}

        public record CustomerOrder(long orderKey, long nationKey) {}

        public record LineRevenue(long suppKey, long customerNation, long revenue) {}

        public record NationRevenue(String nation, long revenue) {}

        @Override
        Stream<String> query(Tables t) {
            Stream<Nation> asia = t.region()
                    .filter(r -> r.name().equals("ASIA"))
                    .keyBy(TpchRows.Region::regionKey, Codecs.LONG)
                    .join(t.nation().keyBy(Nation::regionKey, Codecs.LONG))
                    .apply((r, n) -> n, codec(Nation.class));
            Stream<SupplierNation> suppliers = t.supplier()
                    .keyBy(Supplier::nationKey, Codecs.LONG)
                    .join(asia.keyBy(Nation::nationKey, Codecs.LONG))
                    .apply(
                            (s, n) -> new SupplierNation(s.suppKey(), n.nationKey(), n.name()),
                            codec(SupplierNation.class));
            Stream<CustomerOrder> orders = t.customer()
                    .keyBy(Customer::custKey, Codecs.LONG)
                    .join(t.orders()
                            .filter(o -> o.orderDate() >= Q5_FROM && o.orderDate() < Q5_TO)
                            .keyBy(Orders::custKey, Codecs.LONG))
                    .apply((c, o) -> new CustomerOrder(o.orderKey(), c.nationKey()), codec(CustomerOrder.class));
            return orders.keyBy(CustomerOrder::orderKey, Codecs.LONG)
                    .join(t.lineItem().keyBy(LineItem::orderKey, Codecs.LONG))
                    .apply(
                            (o, l) -> new LineRevenue(
                                    l.suppKey(), o.nationKey(), l.extendedPrice() * (100 - l.discount())),
                            codec(LineRevenue.class))
                    .keyBy(LineRevenue::suppKey, Codecs.LONG)
                    .join(suppliers.keyBy(SupplierNation::suppKey, Codecs.LONG))
                    .apply(
                            (l, s) -> new NationRevenue(
                                    l.customerNation() == s.nationKey() ? s.nation() : "", l.revenue()),
                            codec(NationRevenue.class))
                    .filter(r -> !r.nation().isEmpty())
                    .keyBy(NationRevenue::nation, Codecs.STRING)
                    .reduce((a, b) -> new NationRevenue(a.nation(), a.revenue() + b.revenue()))
                    .sortBy(NationRevenue::revenue, Codecs.LONG, SortOrder.DESCENDING)
                    .parallelism(1)
                    .map(r -> r.nation() + "|" + decimal(r.revenue(), 4), Codecs.STRING);
        }
    }

    private static final int Q6_FROM = day("1994-01-01");
    private static final int Q6_TO = day("1995-01-01");

    /** Forecasting revenue change: the revenue a discount change would have brought in 1994. */
    public static final class Q6 extends TpchQuery {
        public Q6() {
            super("tpch-q6", List.of("lineitem"));
        }

        @Override
        Stream<String> query(Tables t) {
            return t.lineItem()
                    .filter(l -> l.shipDate() >= Q6_FROM
                            && l.shipDate() < Q6_TO
                            && l.discount() >= 5
                            && l.discount() <= 7
                            && l.quantity() < 2400)
                    .map(l -> l.extendedPrice() * l.discount(), Codecs.LONG)
                    .keyBy(revenue -> 0, Codecs.INT)
                    .reduce(Math::addExact)
                    .parallelism(1)
                    .map(revenue -> decimal(revenue, 4), Codecs.STRING);
        }
    }

    /** Product type profit: the profit on green parts, by supplier nation and year. */
    public static final class Q9 extends TpchQuery {
        public Q9() {
            super("tpch-q9", List.of("part", "supplier", "lineitem", "partsupp", "orders", "nation"));
        }

        public record PartSupplier(long partKey, long suppKey) {}

        /** Amounts in 10^-4. */
        public record LineAmount(long orderKey, long suppKey, long amount) {}

        public record NationAmount(long orderKey, String nation, long amount) {}

        public record Profit(String nation, int year, long amount) {}

        /** By nation, then the latest year first. */
        public record NationYear(String nation, int negatedYear) {}

        @Override
        Stream<String> query(Tables t) {
            Stream<LineItem> green = t.part()
                    .filter(p -> p.name().contains("green"))
                    .keyBy(Part::partKey, Codecs.LONG)
                    .join(t.lineItem().keyBy(LineItem::partKey, Codecs.LONG))
                    .apply((p, l) -> l, codec(LineItem.class));
            Stream<LineAmount> amounts = green.keyBy(
                            l -> new PartSupplier(l.partKey(), l.suppKey()), codec(PartSupplier.class))
                    .join(t.partSupp()
                            .keyBy(ps -> new PartSupplier(ps.partKey(), ps.suppKey()), codec(PartSupplier.class)))
                    .apply(
                            (l, ps) -> new LineAmount(
                                    l.orderKey(),
                                    l.suppKey(),
                                    l.extendedPrice() * (100 - l.discount()) - ps.supplyCost() * l.quantity()),
                            codec(LineAmount.class));
            Stream<NationAmount> byNation = amounts.keyBy(LineAmount::suppKey, Codecs.LONG)
                    .join(t.supplier().keyBy(Supplier::suppKey, Codecs.LONG))
                    .apply(
                            (a, s) -> new LineAmount(a.orderKey(), s.nationKey(), a.amount()),
                            codec(LineAmount.class)) // suppKey now holds the supplier's nation
                    .keyBy(LineAmount::suppKey, Codecs.LONG)
                    .join(t.nation().keyBy(Nation::nationKey, Codecs.LONG))
                    .apply((a, n) -> new NationAmount(a.orderKey(), n.name(), a.amount()), codec(NationAmount.class));
            return byNation.keyBy(NationAmount::orderKey, Codecs.LONG)
                    .join(t.orders().keyBy(Orders::orderKey, Codecs.LONG))
                    .apply(
                            (a, o) -> new Profit(
                                    a.nation(),
                                    LocalDate.ofEpochDay(o.orderDate()).getYear(),
                                    a.amount()),
                            codec(Profit.class))
                    .keyBy(p -> new NationYear(p.nation(), -p.year()), codec(NationYear.class))
                    .reduce((a, b) -> new Profit(a.nation(), a.year(), Math.addExact(a.amount(), b.amount())))
                    .sortBy(p -> new NationYear(p.nation(), -p.year()), codec(NationYear.class))
                    .parallelism(1)
                    .map(p -> p.nation() + "|" + p.year() + "|" + decimal(p.amount(), 4), Codecs.STRING);
        }
    }

    private static final int Q12_FROM = day("1994-01-01");
    private static final int Q12_TO = day("1995-01-01");

    /** Shipping modes and order priority: late lines of MAIL and SHIP in 1994, by order priority class. */
    public static final class Q12 extends TpchQuery {
        public Q12() {
            super("tpch-q12", List.of("orders", "lineitem"));
        }

        public record ModeCounts(String shipMode, long high, long low) {}

        @Override
        Stream<String> query(Tables t) {
            return t.orders()
                    .keyBy(Orders::orderKey, Codecs.LONG)
                    .join(t.lineItem()
                            .filter(l ->
                                    (l.shipMode().equals("MAIL") || l.shipMode().equals("SHIP"))
                                            && l.commitDate() < l.receiptDate()
                                            && l.shipDate() < l.commitDate()
                                            && l.receiptDate() >= Q12_FROM
                                            && l.receiptDate() < Q12_TO)
                            .keyBy(LineItem::orderKey, Codecs.LONG))
                    .apply(
                            (o, l) -> {
                                boolean high = o.orderPriority().equals("1-URGENT")
                                        || o.orderPriority().equals("2-HIGH");
                                return new ModeCounts(l.shipMode(), high ? 1 : 0, high ? 0 : 1);
                            },
                            codec(ModeCounts.class))
                    .keyBy(ModeCounts::shipMode, Codecs.STRING)
                    .reduce((a, b) -> new ModeCounts(a.shipMode(), a.high() + b.high(), a.low() + b.low()))
                    .sortBy(ModeCounts::shipMode, Codecs.STRING)
                    .parallelism(1)
                    .map(m -> m.shipMode() + "|" + m.high() + "|" + m.low(), Codecs.STRING);
        }
    }

    /** Large volume customer: the 100 orders of more than 300 units with the highest total price. */
    public static final class Q18 extends TpchQuery {
        public Q18() {
            super("tpch-q18", List.of("customer", "orders", "lineitem"));
        }

        /** Quantity in hundredths. */
        public record OrderQuantity(long orderKey, long quantity) {}

        public record LargeOrder(long custKey, long orderKey, int orderDate, long totalPrice, long quantity) {}

        public record Row(String name, long custKey, long orderKey, int orderDate, long totalPrice, long quantity) {}

        /** Highest total price first, then earliest date. */
        public record PriceRank(long negatedTotalPrice, int orderDate, long orderKey) {}

        @Override
        Stream<String> query(Tables t) {
            Stream<OrderQuantity> large = t.lineItem()
                    .map(l -> new OrderQuantity(l.orderKey(), l.quantity()), codec(OrderQuantity.class))
                    .keyBy(OrderQuantity::orderKey, Codecs.LONG)
                    .reduce((a, b) -> new OrderQuantity(a.orderKey(), a.quantity() + b.quantity()))
                    .filter(q -> q.quantity() > 300_00);
            return large.keyBy(OrderQuantity::orderKey, Codecs.LONG)
                    .join(t.orders().keyBy(Orders::orderKey, Codecs.LONG))
                    .apply(
                            (q, o) -> new LargeOrder(
                                    o.custKey(), o.orderKey(), o.orderDate(), o.totalPrice(), q.quantity()),
                            codec(LargeOrder.class))
                    .keyBy(LargeOrder::custKey, Codecs.LONG)
                    .join(t.customer().keyBy(Customer::custKey, Codecs.LONG))
                    .apply(
                            (o, c) -> new Row(
                                    c.name(), c.custKey(), o.orderKey(), o.orderDate(), o.totalPrice(), o.quantity()),
                            codec(Row.class))
                    .topN(
                            100,
                            r -> new PriceRank(-r.totalPrice(), r.orderDate(), r.orderKey()),
                            codec(PriceRank.class),
                            SortOrder.ASCENDING)
                    .map(
                            r -> String.join(
                                    "|",
                                    r.name(),
                                    Long.toString(r.custKey()),
                                    Long.toString(r.orderKey()),
                                    isoDate(r.orderDate()),
                                    decimal(r.totalPrice(), 2),
                                    decimal(r.quantity(), 2)),
                            Codecs.STRING);
        }
    }
}
