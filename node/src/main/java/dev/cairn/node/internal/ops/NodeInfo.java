package dev.cairn.node.internal.ops;

import dev.cairn.coord.CoordService;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node tells about itself over HTTP, on every node: {@code /node} (roles, heap, disk, and
 * its coord member's status if it is one) and {@code /log} (the tail of its log file). The active
 * master's {@code /api/nodes} gathers these from every node; nothing here touches a master's loop.
 */
final class NodeInfo {
    /** {@code /log?lines=N} answers at most this many lines. */
    static final int MAX_LOG_LINES = 10_000;

    static final int DEFAULT_LOG_LINES = 200;
    /** The tail is read from at most this many last bytes of the file, so a huge log costs no more. */
    static final int MAX_LOG_BYTES = 1 << 20;
    /** A longer line is cut here: one runaway line must not fill the answer. */
    static final int MAX_LINE_CHARS = 4096;

    private NodeInfo() {}

    /** This node: id, roles, heap and disk (of its working directory), and its coord member's status. */
    static Map<String, Object> describe(OpsSources sources) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", sources.nodeId());
        out.put("roles", sources.roles());
        out.put("endpoint", sources.endpoint());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.put("heapUsed", heap.getUsed());
        out.put("heapMax", heap.getMax());
        try {
            FileStore store = Files.getFileStore(sources.nodeDir());
            out.put("diskFree", store.getUsableSpace());
            out.put("diskTotal", store.getTotalSpace());
        } catch (IOException e) {
            out.put("diskFree", null);
            out.put("diskTotal", null);
        }
        out.put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime());
        out.put("log", sources.logFile() != null);
        CoordService coord = sources.coord();
        if (coord != null) {
            CoordService.Status s = coord.status();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("member", s.memberId());
            c.put("client", coord.clientEndpoint());
            c.put("leader", s.leader());
            c.put("leaderId", s.leaderId());
            c.put("lastZxid", s.lastZxid());
            c.put("lastZxidHex", "0x" + Long.toHexString(s.lastZxid()));
            c.put("sessions", s.sessions());
            c.put("znodes", s.znodes());
            out.put("coord", c);
        }
        return out;
    }

    /**
     * The last {@code lines} lines of this node's log file.
     *
     * @throws RestApi.ApiException 404 if the node logs to no file it knows
     */
    static Map<String, Object> logTail(OpsSources sources, int lines) throws IOException {
        Path file = sources.logFile();
        if (file == null)
            throw new RestApi.ApiException(
                    404, "node " + sources.nodeId() + " logs to no file it knows (node.log-file is not set)");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", sources.nodeId());
        out.put("file", file.toString());
        out.put("lines", Files.exists(file) ? tail(file, lines) : List.of());
        return out;
    }

    /**
     * What a task attempt logged on this node's worker: {@code ?job=ID&task=ID&attempt=N}.
     *
     * @throws RestApi.ApiException 400 for a malformed query, 404 if this worker keeps no log of it
     */
    static Map<String, Object> attemptLog(OpsSources sources, Map<String, String> query) {
        String job = query.getOrDefault("job", "");
        String task = query.getOrDefault("task", "");
        if (!RestApi.JOB_ID.matcher(job).matches()) throw new RestApi.ApiException(400, "malformed job id: " + job);
        if (!RestApi.JOB_ID.matcher(task).matches()) throw new RestApi.ApiException(400, "malformed task id: " + task);
        int attempt = RestApi.intParam(query, "attempt", 1, 1, 1_000_000);
        if (sources.worker() == null)
            throw new RestApi.ApiException(404, "node " + sources.nodeId() + " runs no tasks");
        List<String> lines = sources.worker()
                .attemptLog(job, task, attempt)
                .orElseThrow(() -> new RestApi.ApiException(
                        404, "node " + sources.nodeId() + " keeps no log of attempt " + attempt + " of " + task));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", sources.nodeId());
        out.put("job", job);
        out.put("task", task);
        out.put("attempt", attempt);
        out.put("lines", lines);
        return out;
    }

    /** The last {@code n} lines of {@code file}, read from at most its last {@link #MAX_LOG_BYTES} bytes. */
    static List<String> tail(Path file, int n) throws IOException {
        if (n == 0) return List.of();
        byte[] bytes;
        boolean cut;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = Math.max(0, length - MAX_LOG_BYTES);
            cut = from > 0;
            bytes = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(bytes);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        // A file ending with a newline has no empty line after it.
        if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
        if (text.isEmpty()) return List.of();
        ArrayDeque<String> last = new ArrayDeque<>(Math.min(n, 1024));
        boolean first = true;
        for (String line : text.split("\n", -1)) {
            // The first line of a cut read is most likely a part of a line: dropped.
            if (first && cut) {
                first = false;
                continue;
            }
            first = false;
            if (last.size() == n) last.removeFirst();
            last.addLast(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "…" : line);
        }
        return new ArrayList<>(last);
    }
}
