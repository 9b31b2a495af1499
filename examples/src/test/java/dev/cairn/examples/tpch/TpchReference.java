package dev.cairn.examples.tpch;

import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The reference answers of the bundled TPC-H queries: the specification's SQL (with the
 * validation parameters) run by DuckDB over the same {@code .tbl} files, its rows formatted as
 * the examples print theirs ('|'-joined, decimals rounded half up to 2 places). Ties in the
 * ORDER BY of Q3 and Q18 are broken by order key, as the examples break them. Used by the tests
 * and by {@code bench/tpch.sh} (which times DuckDB too: {@link #main}).
 */
public final class TpchReference implements AutoCloseable {
    static final Map<String, String> COLUMNS = Map.of(
            "lineitem",
            "l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber INTEGER, l_quantity DECIMAL(15,2),"
                    + " l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag"
                    + " VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE,"
                    + " l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR",
            "orders",
            "o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, o_totalprice DECIMAL(15,2), o_orderdate DATE,"
                    + " o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority INTEGER, o_comment VARCHAR",
            "customer",
            "c_custkey BIGINT, c_name VARCHAR, c_address VARCHAR, c_nationkey BIGINT, c_phone VARCHAR, c_acctbal"
                    + " DECIMAL(15,2), c_mktsegment VARCHAR, c_comment VARCHAR",
            "supplier",
            "s_suppkey BIGINT, s_name VARCHAR, s_address VARCHAR, s_nationkey BIGINT, s_phone VARCHAR, s_acctbal"
                    + " DECIMAL(15,2), s_comment VARCHAR",
            "nation",
            "n_nationkey BIGINT, n_name VARCHAR, n_regionkey BIGINT, n_comment VARCHAR",
            "region",
            "r_regionkey BIGINT, r_name VARCHAR, r_comment VARCHAR",
            "part",
            "p_partkey BIGINT, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR, p_size INTEGER,"
                    + " p_container VARCHAR, p_retailprice DECIMAL(15,2), p_comment VARCHAR",
            "partsupp",
            "ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty INTEGER, ps_supplycost DECIMAL(15,2), ps_comment"
                    + " VARCHAR");

    /** Each query's SQL, by name ("q1", "q3", ...). */
    public static final Map<String, String> SQL =
            Map.of("q1", """
            select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
                   sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)),
                   avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*)
            from lineitem where l_shipdate <= date '1998-12-01' - interval 90 day
            group by l_returnflag, l_linestatus order by l_returnflag, l_linestatus""", "q3", """
            select l_orderkey, sum(l_extendedprice * (1 - l_discount)) as revenue, o_orderdate, o_shippriority
            from customer, orders, lineitem
            where c_mktsegment = 'BUILDING' and c_custkey = o_custkey and l_orderkey = o_orderkey
              and o_orderdate < date '1995-03-15' and l_shipdate > date '1995-03-15'
            group by l_orderkey, o_orderdate, o_shippriority
            order by revenue desc, o_orderdate, l_orderkey limit 10""", "q5", """
            select n_name, sum(l_extendedprice * (1 - l_discount)) as revenue
            from customer, orders, lineitem, supplier, nation, region
            where c_custkey = o_custkey and l_orderkey = o_orderkey and l_suppkey = s_suppkey
              and c_nationkey = s_nationkey and s_nationkey = n_nationkey and n_regionkey = r_regionkey
              and r_name = 'ASIA' and o_orderdate >= date '1994-01-01' and o_orderdate < date '1995-01-01'
            group by n_name order by revenue desc""", "q6", """
            select sum(l_extendedprice * l_discount) from lineitem
            where l_shipdate >= date '1994-01-01' and l_shipdate < date '1995-01-01'
              and l_discount between 0.05 and 0.07 and l_quantity < 24""", "q9", """
            select nation, o_year, sum(amount) from (
              select n_name as nation, extract(year from o_orderdate) as o_year,
                     l_extendedprice * (1 - l_discount) - ps_supplycost * l_quantity as amount
              from part, supplier, lineitem, partsupp, orders, nation
              where s_suppkey = l_suppkey and ps_suppkey = l_suppkey and ps_partkey = l_partkey
                and p_partkey = l_partkey and o_orderkey = l_orderkey and s_nationkey = n_nationkey
                and p_name like '%green%') as profit
            group by nation, o_year order by nation, o_year desc""", "q12", """
            select l_shipmode,
                   sum(case when o_orderpriority = '1-URGENT' or o_orderpriority = '2-HIGH' then 1 else 0 end),
                   sum(case when o_orderpriority <> '1-URGENT' and o_orderpriority <> '2-HIGH' then 1 else 0 end)
            from orders, lineitem
            where o_orderkey = l_orderkey and l_shipmode in ('MAIL', 'SHIP') and l_commitdate < l_receiptdate
              and l_shipdate < l_commitdate and l_receiptdate >= date '1994-01-01'
              and l_receiptdate < date '1995-01-01'
            group by l_shipmode order by l_shipmode""", "q18", """
            select c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, sum(l_quantity)
            from customer, orders, lineitem
            where o_orderkey in (select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 300)
              and c_custkey = o_custkey and o_orderkey = l_orderkey
            group by c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
            order by o_totalprice desc, o_orderdate, o_orderkey limit 100""");

    private final Connection duckdb;

    /**
     * DuckDB over the tables in {@code tables}, loaded into memory once.
     *
     * @param threads DuckDB's threads; 0 for its default
     */
    public TpchReference(Path tables, int threads) throws SQLException {
        this(tables, threads, true);
    }

    /**
     * DuckDB over the tables in {@code tables}.
     *
     * @param threads DuckDB's threads; 0 for its default
     * @param load whether to load the tables into memory once; else every query reads the files
     */
    public TpchReference(Path tables, int threads, boolean load) throws SQLException {
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = duckdb.createStatement()) {
            if (threads > 0) s.execute("set threads = " + threads);
            for (Map.Entry<String, String> t : COLUMNS.entrySet()) {
                // dbgen ends every row with '|': DuckDB reads an empty last column, named and dropped here.
                String columns = "{"
                        + String.join(
                                ", ",
                                Stream.concat(Stream.of(t.getValue().split(", ")), Stream.of("dbgen_end VARCHAR"))
                                        .map(c -> {
                                            int space = c.indexOf(' ');
                                            return "'" + c.substring(0, space) + "': '" + c.substring(space + 1) + "'";
                                        })
                                        .toList())
                        + "}";
                s.execute("create " + (load ? "table " : "view ") + t.getKey()
                        + " as select * exclude (dbgen_end) from read_csv('"
                        + tables.resolve(t.getKey() + ".tbl") + "', delim = '|', header = false, columns = "
                        + columns + ")");
            }
        }
    }

    /** The rows of query {@code name}, formatted as the examples write theirs. */
    public List<String> rows(String name) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = duckdb.createStatement();
                ResultSet rs = s.executeQuery(SQL.get(name))) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                List<String> fields = new ArrayList<>();
                for (int c = 1; c <= meta.getColumnCount(); c++) {
                    int type = meta.getColumnType(c);
                    if (type == Types.DECIMAL || type == Types.DOUBLE || type == Types.NUMERIC) {
                        fields.add(rs.getBigDecimal(c)
                                .setScale(2, RoundingMode.HALF_UP)
                                .toPlainString());
                    } else {
                        fields.add(rs.getString(c));
                    }
                }
                rows.add(String.join("|", fields));
            }
        }
        return rows;
    }

    @Override
    public void close() throws SQLException {
        duckdb.close();
    }

    /**
     * {@code TABLES_DIR OUT_DIR THREADS QUERY...}: runs each query once over the {@code .tbl} files
     * (read by every query, as every Cairn job reads them), writing its rows to
     * {@code OUT_DIR/<query>.txt} and a line {@code <query> <millis>} to standard output.
     */
    public static void main(String[] args) throws Exception {
        Path tables = Path.of(args[0]);
        Path out = Path.of(args[1]);
        java.nio.file.Files.createDirectories(out);
        long load = System.nanoTime();
        try (TpchReference ref = new TpchReference(tables, Integer.parseInt(args[2]), false)) {
            System.out.printf("load %d%n", (System.nanoTime() - load) / 1_000_000);
            for (int i = 3; i < args.length; i++) {
                long start = System.nanoTime();
                List<String> rows = ref.rows(args[i]);
                long millis = (System.nanoTime() - start) / 1_000_000;
                java.nio.file.Files.write(out.resolve(args[i] + ".txt"), rows);
                System.out.printf("%s %d%n", args[i], millis);
            }
        }
    }
}
