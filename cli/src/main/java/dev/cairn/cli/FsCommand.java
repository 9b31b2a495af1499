package dev.cairn.cli;

import dev.cairn.store.BlockLocation;
import dev.cairn.store.FileStatus;
import dev.cairn.store.FsPermission;
import dev.cairn.store.FsckReport;
import dev.cairn.store.PermissionDeniedException;
import dev.cairn.store.StoreClient;
import dev.cairn.store.StoreConfig;
import dev.cairn.store.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn fs ...}: the distributed store. The cluster is named like for {@code cairn coord}:
 * {@code --connect} (its coord), {@code --dir} (a cluster.json) or {@code $CAIRN_COORD}.
 */
@Command(
        name = "fs",
        description =
                "Files in Cairn's distributed store: put, get, getmerge, cat, ls, mkdir, rm, mv, chmod, chown, stat, du, fsck.",
        subcommands = {
            FsCommand.Put.class,
            FsCommand.Get.class,
            FsCommand.GetMerge.class,
            FsCommand.Cat.class,
            FsCommand.Ls.class,
            FsCommand.Mkdir.class,
            FsCommand.Rm.class,
            FsCommand.Mv.class,
            FsCommand.Chmod.class,
            FsCommand.Chown.class,
            FsCommand.Stat.class,
            FsCommand.Du.class,
            FsCommand.Fsck.class
        })
final class FsCommand {
    private FsCommand() {}

    abstract static class FsAction implements Callable<Integer> {
        @ArgGroup(exclusive = false)
        CoordMembersCommand.Target target = new CoordMembersCommand.Target();

        @Option(
                names = "--umask",
                paramLabel = "OCTAL",
                description = "Mode bits cleared from new files and directories (default: store.umask's, 022).")
        String umask = StoreConfig.UMASK.defaultValue();

        /** The command's exit status when {@link #run} returns normally. */
        int exitCode;

        abstract void run(StoreClient store) throws Exception;

        @Override
        public Integer call() throws Exception {
            try (StoreClient store = StoreClient.connect(
                    target.connectString(),
                    null,
                    Duration.ofSeconds(target.timeoutSeconds),
                    target.security(),
                    target.coordProperties(),
                    FsPermission.parse(umask))) {
                run(store);
                return exitCode;
            } catch (PermissionDeniedException e) {
                throw new CliException(e.getMessage());
            } catch (NoSuchFileException e) {
                throw new CliException("no such file or directory: " + e.getFile());
            } catch (FileAlreadyExistsException e) {
                throw new CliException(
                        "already exists: " + e.getFile() + (e.getReason() != null ? " (" + e.getReason() + ")" : ""));
            } catch (DirectoryNotEmptyException e) {
                throw new CliException("directory not empty: " + e.getFile() + "; use rm -r");
            } catch (NotDirectoryException e) {
                throw new CliException("not a directory: " + e.getFile());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
    }

    @Command(
            name = "put",
            description = {
                "Copy a local file, or a directory and everything under it, into the store (each file visible once complete).",
                "PATH ending in '/' or naming an existing directory means into that directory, under the local name (as cp does)."
            })
    static final class Put extends FsAction {
        @Parameters(index = "0", paramLabel = "LOCAL", description = "A local file or directory.")
        Path local;

        @Parameters(
                index = "1",
                paramLabel = "PATH",
                description = "Store path: the new file or directory, or a directory to copy into.")
        String path;

        @Option(
                names = {"-r", "--replication"},
                defaultValue = "3",
                description = "Replicas per block (default ${DEFAULT-VALUE}).")
        int replication;

        @Option(
                names = {"-b", "--block-size"},
                defaultValue = "64m",
                description = "Block size, e.g. 64m (default ${DEFAULT-VALUE}).")
        String blockSize;

        @Option(
                names = {"-f", "--force"},
                description = "Overwrite existing files.")
        boolean overwrite;

        @Option(
                names = {"-p", "--parallel"},
                defaultValue = "4",
                description = "Files of a directory copied at once (default ${DEFAULT-VALUE}).")
        int parallel;

        @Override
        void run(StoreClient store) throws Exception {
            if (!Files.exists(local)) throw new CliException("no such local file or directory: " + local);
            if (parallel < 1) throw new CliException("--parallel must be at least 1");
            String target =
                    FsTransfers.destination(store, path, local.getFileName().toString());
            WriteOptions options =
                    new WriteOptions(replication, dev.cairn.common.config.Units.parseSize(blockSize), overwrite);
            if (!Files.isDirectory(local)) {
                long size = Files.size(local);
                long start = System.nanoTime();
                FsTransfers.putFile(store, local, target, options, size, true);
                reportTransfer("put", local, target, size, start);
                return;
            }
            long start = System.nanoTime();
            FsTransfers.Totals t = FsTransfers.putTree(store, local, target, options, parallel);
            reportTransfer("put", local, target + " (" + t.files() + " files)", t.bytes(), start);
        }
    }

    @Command(
            name = "get",
            description = {
                "Copy a store file, or a directory and everything under it, to the local disk.",
                "LOCAL naming an existing directory means into it, under the store name."
            })
    static final class Get extends FsAction {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1", paramLabel = "LOCAL")
        Path local;

        @Option(
                names = {"-p", "--parallel"},
                defaultValue = "4",
                description = "Files of a directory copied at once (default ${DEFAULT-VALUE}).")
        int parallel;

        @Override
        void run(StoreClient store) throws Exception {
            if (parallel < 1) throw new CliException("--parallel must be at least 1");
            FileStatus st = store.stat(path);
            String name = st.path().substring(st.path().lastIndexOf('/') + 1);
            Path target = Files.isDirectory(local) && !name.isEmpty() ? local.resolve(name) : local;
            long start = System.nanoTime();
            if (!st.directory()) {
                FsTransfers.getFile(store, st.path(), target, st.length(), true);
                reportTransfer("get", path, target, st.length(), start);
                return;
            }
            FsTransfers.Totals t = FsTransfers.getTree(store, st.path(), target, parallel);
            reportTransfer("get", path + " (" + t.files() + " files)", target, t.bytes(), start);
        }
    }

    @Command(
            name = "getmerge",
            description = {
                "Concatenate the files of a store directory, in name order, into one local file (a job's part files, say).",
                "Names starting with '_' or '.' (such as _SUCCESS) are left out; subdirectories too."
            })
    static final class GetMerge extends FsAction {
        @Parameters(index = "0", paramLabel = "DIR")
        String path;

        @Parameters(index = "1", paramLabel = "LOCALFILE")
        Path local;

        @Option(names = "--nl", description = "Add a newline after each file that does not end with one.")
        boolean newlines;

        @Override
        void run(StoreClient store) throws Exception {
            if (!store.stat(path).directory())
                throw new CliException("not a directory: " + path + " (use get for a file)");
            long start = System.nanoTime();
            FsTransfers.Totals t = FsTransfers.getMerge(store, path, local, newlines);
            reportTransfer("getmerge", path + " (" + t.files() + " files)", local, t.bytes(), start);
        }
    }

    @Command(name = "cat", description = "Print a store file.")
    static final class Cat extends FsAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        void run(StoreClient store) throws Exception {
            try (InputStream in = store.open(path)) {
                in.transferTo(System.out);
            }
            System.out.flush();
        }
    }

    @Command(
            name = "ls",
            description = {
                "A directory's entries: type, replication (replicas the file has / its target), size, modification time, path.",
                "A file with fewer replicas than its target is flagged, with the reason when too few store nodes are live."
            })
    static final class Ls extends FsAction {
        @Parameters(paramLabel = "PATH", defaultValue = "/")
        String path;

        @Override
        void run(StoreClient store) throws Exception {
            int short_ = 0;
            int target = 0;
            for (FileStatus f : store.list(path)) {
                String repl = "-";
                if (!f.directory()) {
                    int actual = FsTransfers.actualReplication(f);
                    repl = actual + "/" + f.replication();
                    if (actual < f.replication()) {
                        short_++;
                        target = Math.max(target, f.replication());
                    }
                }
                System.out.printf(
                        "%s%s %5s %-10s %-10s %,15d %s %s%n",
                        f.directory() ? "d" : "-",
                        f.permission(),
                        repl,
                        f.owner(),
                        f.group(),
                        f.length(),
                        Instant.ofEpochMilli(f.modificationTimeMs())
                                .toString()
                                .substring(0, 19)
                                .replace('T', ' '),
                        f.path() + (f.directory() ? "/" : ""));
            }
            if (short_ > 0) System.out.println(FsTransfers.shortNote(store, short_, target));
        }
    }

    @Command(name = "mkdir", description = "Create a directory and its missing parents.")
    static final class Mkdir extends FsAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        void run(StoreClient store) throws Exception {
            store.mkdirs(path);
        }
    }

    @Command(
            name = "rm",
            description = "Delete a file, or a directory with -r (atomically); space is reclaimed in the background.")
    static final class Rm extends FsAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Option(
                names = {"-r", "-R", "--recursive"},
                description = "Delete a directory and everything under it.")
        boolean recursive;

        @Override
        void run(StoreClient store) throws Exception {
            store.delete(path, recursive);
        }
    }

    @Command(name = "mv", description = "Rename atomically; into DST if it is a directory.")
    static final class Mv extends FsAction {
        @Parameters(index = "0", paramLabel = "SRC")
        String src;

        @Parameters(index = "1", paramLabel = "DST")
        String dst;

        @Override
        void run(StoreClient store) throws Exception {
            store.rename(src, dst);
        }
    }

    @Command(name = "chmod", description = "Change the mode of PATH (its owner or an admin may).")
    static final class Chmod extends FsAction {
        @Parameters(index = "0", paramLabel = "MODE", description = "Octal mode bits, like 750 or 0644.")
        String mode;

        @Parameters(index = "1", paramLabel = "PATH")
        String path;

        @Option(
                names = {"-R", "--recursive"},
                description = "Also everything under PATH.")
        boolean recursive;

        @Override
        void run(StoreClient store) throws Exception {
            FsPermission permission = FsPermission.parse(mode);
            for (String p : targets(store, path, recursive)) store.chmod(p, permission);
        }
    }

    @Command(name = "chown", description = "Change the owner and/or group of PATH (only an admin may).")
    static final class Chown extends FsAction {
        @Parameters(index = "0", paramLabel = "OWNER[:GROUP]", description = "A user, user:group, or :group.")
        String owner;

        @Parameters(index = "1", paramLabel = "PATH")
        String path;

        @Option(
                names = {"-R", "--recursive"},
                description = "Also everything under PATH.")
        boolean recursive;

        @Override
        void run(StoreClient store) throws Exception {
            int colon = owner.indexOf(':');
            String user = colon < 0 ? owner : owner.substring(0, colon);
            String group = colon < 0 ? null : owner.substring(colon + 1);
            if (user.isEmpty() && (group == null || group.isEmpty()))
                throw new CliException("chown: name an owner, owner:group or :group");
            for (String p : targets(store, path, recursive))
                store.chown(p, user.isEmpty() ? null : user, group == null || group.isEmpty() ? null : group);
        }
    }

    /** PATH, and with {@code recursive} every entry under it, parents first. */
    private static List<String> targets(StoreClient store, String path, boolean recursive) throws IOException {
        if (!recursive) return List.of(path);
        List<String> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<FileStatus> todo = new java.util.ArrayDeque<>(List.of(store.stat(path)));
        while (!todo.isEmpty()) {
            FileStatus f = todo.pop();
            out.add(f.path());
            if (f.directory()) todo.addAll(store.list(f.path()));
        }
        return out;
    }

    @Command(
            name = "stat",
            description = "A file's size, replication, block size and every block with its replicas' nodes.")
    static final class Stat extends FsAction {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        void run(StoreClient store) throws Exception {
            FileStatus f = store.stat(path);
            System.out.println("path: " + f.path());
            System.out.println("type: " + (f.directory() ? "directory" : "file"));
            System.out.println("modified: " + Instant.ofEpochMilli(f.modificationTimeMs()));
            System.out.println("owner: " + f.owner() + ", group: " + f.group() + ", mode: " + f.permission() + " ("
                    + f.permission().octal() + ")");
            if (f.directory()) return;
            System.out.printf(
                    "length: %,d%nreplication: %d (target %d)%nblock size: %,d%nblocks: %d%n",
                    f.length(),
                    FsTransfers.actualReplication(f),
                    f.replication(),
                    f.blockSize(),
                    f.blocks().size());
            for (BlockLocation b : f.blocks()) {
                System.out.printf(
                        "  %s offset %,d length %,d on %s%n",
                        b.blockId(), b.offset(), b.length(), String.join(",", b.nodes()));
            }
        }
    }

    @Command(
            name = "du",
            description = {
                "Bytes and files under each path: logical size, bytes stored (every replica that exists), and what the",
                "targets would store; the two differ while files are under-replicated or when fewer store nodes are live than a target."
            })
    static final class Du extends FsAction {
        @Parameters(paramLabel = "PATH", defaultValue = "/", arity = "1..*")
        List<String> paths;

        @Override
        void run(StoreClient store) throws Exception {
            System.out.printf("%15s %15s %15s %12s  %s%n", "logical", "stored", "target", "", "path");
            int short_ = 0;
            int target = 0;
            for (String p : paths) {
                long bytes = 0;
                long stored = 0;
                long wanted = 0;
                List<FileStatus> files = store.listFiles(p);
                for (FileStatus f : files) {
                    bytes += f.length();
                    wanted += f.length() * f.replication();
                    for (BlockLocation b : f.blocks())
                        stored += b.length() * b.nodes().size();
                    if (FsTransfers.actualReplication(f) < f.replication()) {
                        short_++;
                        target = Math.max(target, f.replication());
                    }
                }
                System.out.printf("%,15d %,15d %,15d %6d files  %s%n", bytes, stored, wanted, files.size(), p);
            }
            if (short_ > 0) System.out.println(FsTransfers.shortNote(store, short_, target));
        }
    }

    static void reportTransfer(String verb, Object from, Object to, long bytes, long startNanos) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        System.err.printf(
                "%s %s -> %s: %,d bytes in %.1f s (%.1f MB/s)%n",
                verb, from, to, bytes, s, bytes / 1e6 / Math.max(s, 1e-9));
    }

    /** Copies with a progress line on {@code progress} (null: none) when there is a terminal. */
    static void copy(InputStream in, OutputStream out, long size, PrintStream progress) throws IOException {
        boolean terminal = progress != null && ProgressBar.onTerminal();
        byte[] buf = new byte[1 << 20];
        long done = 0;
        long lastDraw = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            done += n;
            if (terminal && size > 0 && System.nanoTime() - lastDraw > 200_000_000L) {
                lastDraw = System.nanoTime();
                int pct = (int) (done * 100 / size);
                progress.printf("\r[%-30s] %3d%% %,d / %,d bytes", "#".repeat(pct * 30 / 100), pct, done, size);
            }
        }
        if (terminal && size > 0) progress.print("\r" + " ".repeat(80) + "\r");
    }

    @Command(
            name = "fsck",
            description = {
                "Check the files under PATH against what the live store nodes hold: missing blocks, corrupt replicas,",
                "under-replicated blocks. Exit status 0 when healthy, 1 otherwise."
            })
    static final class Fsck extends FsAction {
        @Parameters(paramLabel = "PATH", defaultValue = "/")
        String path;

        @Override
        void run(StoreClient store) throws Exception {
            FsckReport r = store.fsck(path);
            for (FsckReport.Problem p : r.problems()) {
                System.out.printf("%-36s %s %s: %s%n", p.kind(), p.path(), p.blockId(), p.detail());
            }
            if (r.problems().size() == FsckReport.MAX_PROBLEMS)
                System.out.println("... (first " + FsckReport.MAX_PROBLEMS + " problems shown)");
            System.out.printf(
                    "path %s: %,d files, %,d blocks, %s, %d live store nodes%n",
                    r.path(), r.files(), r.blocks(), String.format("%,d bytes", r.bytes()), r.liveNodes());
            System.out.printf("  missing blocks:              %,d%n", r.missing());
            System.out.printf("  corrupt replicas:            %,d%n", r.corruptReplicas());
            System.out.printf("  under-replicated blocks:     %,d%n", r.underReplicated());
            System.out.printf(
                    "  short of live nodes:         %,d%s%n",
                    r.belowForLackOfNodes(),
                    r.belowForLackOfNodes() > 0 ? " (as replicated as the live nodes allow)" : "");
            System.out.println(
                    r.healthy()
                            ? "status: HEALTHY"
                            : "status: "
                                    + (r.missing() > 0 ? "CORRUPT (missing blocks)" : "UNHEALTHY (being repaired)"));
            exitCode = r.healthy() ? 0 : 1;
        }
    }
}
