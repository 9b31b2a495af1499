package dev.cairn.cli;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn coord ...}: the coordination service's tree, with the stock ZooKeeper client. The
 * coord is named by {@code --connect}, {@code --dir} (a cluster.json) or {@code $CAIRN_COORD}.
 */
@Command(
        name = "coord",
        description = "Read and change the coord tree (ZooKeeper protocol), and its membership.",
        subcommands = {
            CoordCommand.Ls.class,
            CoordCommand.Get.class,
            CoordCommand.Set.class,
            CoordCommand.Create.class,
            CoordCommand.Delete.class,
            CoordCommand.StatCommand.class,
            CoordCommand.Watch.class,
            CoordMembersCommand.class
        })
final class CoordCommand {
    private CoordCommand() {}

    /** Runs an action with a connected client and turns ZooKeeper's errors into one-line messages. */
    abstract static class ZkAction implements Callable<Integer> {
        @ArgGroup(exclusive = false)
        CoordMembersCommand.Target target = new CoordMembersCommand.Target();

        abstract void run(ZooKeeper zk) throws Exception;

        @Override
        @SuppressWarnings("try") // ZooKeeper's close() declares InterruptedException; no one interrupts a CLI command
        public Integer call() throws Exception {
            try (ZooKeeperAdmin zk = target.connect()) {
                run(zk);
                return 0;
            } catch (KeeperException e) {
                throw new CliException(describe(e));
            }
        }
    }

    static String describe(KeeperException e) {
        String path = e.getPath() != null ? e.getPath() : "";
        return switch (e.code()) {
            case NONODE -> "no such node: " + path;
            case NODEEXISTS -> "node already exists: " + path;
            case NOTEMPTY -> path + " has children; use -r";
            case BADVERSION -> "version mismatch on " + path;
            case NOAUTH -> "not allowed: " + path;
            case NOCHILDRENFOREPHEMERALS -> "ephemeral nodes cannot have children: " + path;
            case BADARGUMENTS -> "bad arguments for " + path;
            default -> e.getMessage();
        };
    }

    @Command(name = "ls", description = "A node's children, sorted.")
    static final class Ls extends ZkAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Option(names = "-R", description = "The whole subtree, one path per line.")
        boolean recursive;

        @Override
        void run(ZooKeeper zk) throws Exception {
            if (!recursive) {
                for (String c : zk.getChildren(path, false).stream().sorted().toList()) System.out.println(c);
                return;
            }
            List<String> todo = new ArrayList<>(List.of(path));
            while (!todo.isEmpty()) {
                String p = todo.removeFirst();
                System.out.println(p);
                List<String> children =
                        zk.getChildren(p, false).stream().sorted().toList();
                for (int i = children.size() - 1; i >= 0; i--)
                    todo.addFirst((p.equals("/") ? "" : p) + "/" + children.get(i));
            }
        }
    }

    @Command(name = "get", description = "A node's data (UTF-8 text, or --hex).")
    static final class Get extends ZkAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Option(names = "--hex", description = "Print the data as hex.")
        boolean hex;

        @Option(
                names = {"-s", "--stat"},
                description = "Also print the node's Stat.")
        boolean stat;

        @Override
        void run(ZooKeeper zk) throws Exception {
            Stat s = new Stat();
            byte[] data = zk.getData(path, false, s);
            if (data != null)
                System.out.println(hex ? HexFormat.of().formatHex(data) : new String(data, StandardCharsets.UTF_8));
            if (stat) printStat(s);
        }
    }

    @Command(name = "set", description = "Replace a node's data.")
    static final class Set extends ZkAction {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1", paramLabel = "DATA")
        String data;

        @Option(
                names = {"-v", "--version"},
                defaultValue = "-1",
                description = "Only if the node is at this version.")
        int version;

        @Override
        void run(ZooKeeper zk) throws Exception {
            Stat s = zk.setData(path, data.getBytes(StandardCharsets.UTF_8), version);
            System.out.println("version " + s.getVersion());
        }
    }

    @Command(name = "create", description = "Create a node; prints the path created (sequential nodes get a suffix).")
    static final class Create extends ZkAction {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DATA")
        String data;

        @Option(names = "-e", description = "Ephemeral: it goes when this command's session ends, that is, at once.")
        boolean ephemeral;

        @Option(names = "-s", description = "Sequential: a 10-digit counter is appended.")
        boolean sequential;

        @Option(names = "-c", description = "Container: removed once it had children and has none left.")
        boolean container;

        @Option(
                names = "--ttl",
                paramLabel = "MS",
                description = "TTL node: removed when childless and unmodified for MS.")
        Long ttl;

        @Override
        void run(ZooKeeper zk) throws Exception {
            CreateMode mode;
            if (container) {
                if (ephemeral || sequential || ttl != null)
                    throw new CliException("-c cannot be combined with -e, -s or --ttl");
                mode = CreateMode.CONTAINER;
            } else if (ttl != null) {
                if (ephemeral) throw new CliException("--ttl cannot be combined with -e");
                mode = sequential ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_WITH_TTL;
            } else if (ephemeral) {
                mode = sequential ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL;
            } else {
                mode = sequential ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.PERSISTENT;
            }
            byte[] bytes = data == null ? new byte[0] : data.getBytes(StandardCharsets.UTF_8);
            String created = zk.create(path, bytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, mode, null, ttl == null ? -1 : ttl);
            System.out.println(created);
        }
    }

    @Command(name = "delete", description = "Delete a node (-r: with everything below it).")
    static final class Delete extends ZkAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Option(
                names = {"-v", "--version"},
                defaultValue = "-1",
                description = "Only if the node is at this version.")
        int version;

        @Option(names = "-r", description = "Delete the subtree, deepest first.")
        boolean recursive;

        @Override
        void run(ZooKeeper zk) throws Exception {
            if (recursive) deleteTree(zk, path);
            zk.delete(path, version);
        }

        private static void deleteTree(ZooKeeper zk, String p) throws Exception {
            for (String c : zk.getChildren(p, false)) {
                String child = (p.equals("/") ? "" : p) + "/" + c;
                deleteTree(zk, child);
                zk.delete(child, -1);
            }
        }
    }

    @Command(name = "stat", description = "A node's Stat: zxids in hex, times in ISO-8601.")
    static final class StatCommand extends ZkAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        void run(ZooKeeper zk) throws Exception {
            Stat s = zk.exists(path, false);
            if (s == null) throw new CliException("no such node: " + path);
            printStat(s);
        }
    }

    static void printStat(Stat s) {
        System.out.println("cZxid = 0x" + Long.toHexString(s.getCzxid()));
        System.out.println("ctime = " + Instant.ofEpochMilli(s.getCtime()));
        System.out.println("mZxid = 0x" + Long.toHexString(s.getMzxid()));
        System.out.println("mtime = " + Instant.ofEpochMilli(s.getMtime()));
        System.out.println("pZxid = 0x" + Long.toHexString(s.getPzxid()));
        System.out.println("cversion = " + s.getCversion());
        System.out.println("dataVersion = " + s.getVersion());
        System.out.println("aclVersion = " + s.getAversion());
        System.out.println("ephemeralOwner = 0x" + Long.toHexString(s.getEphemeralOwner()));
        System.out.println("dataLength = " + s.getDataLength());
        System.out.println("numChildren = " + s.getNumChildren());
    }

    @Command(name = "watch", description = "Print changes at and below PATH as they happen (persistent watch).")
    static final class Watch extends ZkAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Option(names = "--recursive", description = "Also changes anywhere below PATH.")
        boolean recursive;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
        Integer count;

        @Option(names = "--timeout", paramLabel = "S", description = "Stop after S seconds.")
        Integer timeout;

        @Override
        void run(ZooKeeper zk) throws Exception {
            BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
            zk.addWatch(path, events::add, recursive ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT);
            System.out.println("watching " + path + (recursive ? " and below" : ""));
            System.out.flush();
            long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            int seen = 0;
            while (count == null || seen < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                WatchedEvent e = events.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (e == null || e.getType() == org.apache.zookeeper.Watcher.Event.EventType.None) continue;
                System.out.println(e.getType() + " " + e.getPath());
                System.out.flush();
                seen++;
            }
        }
    }
}
