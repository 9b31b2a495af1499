package dev.cairn.examples.tpch;

import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes TPC-H's eight tables as dbgen's {@code .tbl} files, with Trino's Java port of dbgen (tests only). */
public final class TpchTableWriter {
    private TpchTableWriter() {}

    /** {@code SCALE_FACTOR OUT_DIR}: writes the tables, for {@code bench/tpch.sh}. */
    public static void main(String[] args) throws IOException {
        write(Double.parseDouble(args[0]), Path.of(args[1]));
    }

    public static void write(double scaleFactor, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (TpchTable<?> table : TpchTable.getTables()) {
            try (BufferedWriter w =
                    Files.newBufferedWriter(dir.resolve(table.getTableName() + ".tbl"), StandardCharsets.UTF_8)) {
                for (TpchEntity row : table.createGenerator(scaleFactor, 1, 1)) {
                    w.write(row.toLine());
                    w.write('\n');
                }
            }
        }
    }
}
