package dev.cairn.dataflow.internal.state;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import dev.cairn.dataflow.state.ListState;
import dev.cairn.dataflow.state.MapState;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;

/**
 * Keyed state in a RocksDB instance of its own, in a fresh directory under a local working
 * directory: encoded with the descriptors' codecs, so the state may be far larger than the heap.
 *
 * <p><b>Layout.</b> One RocksDB key per value, list and map entry:
 *
 * <pre>
 * [key group: 2 bytes, big-endian][i32 key length][key][u8 namespace length = 0][u16 name length][state name][map key]
 * </pre>
 *
 * so a key group is a contiguous range of RocksDB keys (restore and rescale cut by range), and a
 * key's map is a contiguous range inside it. A value state's value is its codec's encoding; a
 * list is one value ({@link StateCodecs#list}); a map has one RocksDB entry per map key. Reads
 * decode a copy: a user who changes a value read from state must {@code update} it, as in Flink.
 *
 * <p><b>Checkpoints are incremental.</b> {@link #snapshot} flushes the memtable and takes a RocksDB
 * {@link Checkpoint} (hard links of the live SST files plus the small MANIFEST, CURRENT and
 * OPTIONS files) and writes a manifest: the small files inline, the SST files by their name in the
 * checkpoint storage's shared area. Only SST files that the last <em>completed</em> checkpoint did
 * not already hold are uploaded (SST files are immutable, and a file live at two checkpoints was
 * live at every one between, so the completed checkpoint that holds it stays retained while a
 * newer one may still name it). A new upload always gets a new shared name
 * ({@code <instance>-<checkpoint>-<file>}). Without shared storage the snapshot holds every file.
 * The flush, the RocksDB checkpoint and the manifest are made on the operator's thread at the
 * barrier; uploading the new files is the snapshot's {@link AsyncSnapshotPart}, which the runtime
 * runs on its checkpoint writer thread before it stores the manifest (the cluster runtime runs it
 * at once, on the operator's thread).
 *
 * <p><b>Restore</b> downloads the first snapshot's files into a fresh directory and opens RocksDB
 * on them; further snapshots (a rescale merging several old subtasks) are opened read-only and
 * the key groups this backend owns copied in; then the key-group ranges it does not own are
 * deleted.
 *
 * <p>WAL off: the state between checkpoints need not survive a crash, only checkpoints must.
 * Single-threaded, like its operator; {@link #close} releases the native resources and deletes
 * the working directory.
 */
public final class RocksDbKeyedStateBackend<K> implements KeyedStateBackend<K>, AutoCloseable {
    private static final byte FORMAT = 1;
    private static final byte INLINE = 0;
    private static final byte SHARED = 1;

    static {
        RocksDB.loadLibrary();
    }

    private final String operatorName;
    private final Codec<K> keyCodec;
    private final KeyGroupRange keyGroups;
    private final int maxParallelism;
    private final Path directory;
    private final CheckpointStorage storage;
    private final String instanceId = UUID.randomUUID().toString();
    private final Map<String, StateDescriptor> descriptors = new HashMap<>();

    private final Options options;
    private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
    private final ReadOptions readOptions = new ReadOptions();
    private final FlushOptions flushOptions = new FlushOptions().setWaitForFlush(true);
    private RocksDB db;
    private Path dbDir;
    private int generation;

    private K currentKey;
    private int currentKeyGroup = -1;
    /** The current key's prefix: key group, length and encoded key. */
    private final BytesOut keyPrefix = new BytesOut();

    private final BytesOut scratch = new BytesOut();
    /** Local SST name to shared name, for the files the last completed checkpoint holds. */
    private Map<String, String> confirmed = Map.of();
    /** Per checkpoint taken and not yet completed, its SST name mapping. */
    private final TreeMap<Long, Map<String, String>> pending = new TreeMap<>();

    private final AtomicLong uploadedFiles = new AtomicLong();
    private final AtomicLong uploadedBytes = new AtomicLong();
    /** Guards the two below: snapshots whose files are still being uploaded, and whether the backend closed. */
    private final Object uploads = new Object();

    private int uploadsInFlight;
    private boolean closed;

    /**
     * @param workingDirectory where the instance's directory is created (deleted on close)
     * @param storage checkpoint storage for shared SST files, or null: snapshots hold every file
     */
    public RocksDbKeyedStateBackend(
            String operatorName,
            Codec<K> keyCodec,
            KeyGroupRange keyGroups,
            int maxParallelism,
            Path workingDirectory,
            CheckpointStorage storage) {
        this.operatorName = operatorName;
        this.keyCodec = keyCodec;
        this.keyGroups = keyGroups;
        this.maxParallelism = maxParallelism;
        this.storage = storage;
        if (maxParallelism > 1 << 16) throw new IllegalArgumentException("max parallelism above 65536");
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setFilterPolicy(new BloomFilter(10, false))
                .setBlockSize(4 << 10);
        options = new Options()
                .setCreateIfMissing(true)
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setWriteBufferSize(32L << 20)
                .setMaxWriteBufferNumber(2)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(1);
        try {
            Files.createDirectories(workingDirectory);
            directory = Files.createTempDirectory(workingDirectory, "rocksdb-" + sanitize(operatorName) + "-");
            db = openFresh();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot create RocksDB working directory in " + workingDirectory, e);
        }
    }

    /**
     * Where operators put their instances: {@code cairn-rocksdb} in the JVM's temporary directory,
     * or the system property {@code cairn.rocksdb.dir}.
     */
    public static Path defaultWorkingDirectory() {
        String dir = System.getProperty("cairn.rocksdb.dir");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "cairn-rocksdb");
    }

    private static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.length() > 40 ? s.substring(0, 40) : s;
    }

    private RocksDB openFresh() throws IOException {
        dbDir = directory.resolve("db-" + generation++);
        Files.createDirectories(dbDir);
        return open(dbDir);
    }

    private RocksDB open(Path dir) {
        try {
            return RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            throw new IllegalStateException(
                    "operator " + operatorName + ": cannot open RocksDB in " + dir + ": " + e, e);
        }
    }

    /** The instance's own directory, for tests. */
    public Path directory() {
        return directory;
    }

    /** SST files and bytes this instance has uploaded to shared storage, for tests and metrics. */
    public long uploadedFiles() {
        return uploadedFiles.get();
    }

    public long uploadedBytes() {
        return uploadedBytes.get();
    }

    // ------------------------------------------------------------------ current key

    @Override
    public void setCurrentKey(K key) {
        encodeKey(key);
        int kg = KeyGroups.keyGroupOfEncoded(keyPrefix.array(), 6, keyPrefix.size() - 6, maxParallelism);
        if (!keyGroups.contains(kg)) throw outOfRange(key, kg);
        currentKey = key;
        currentKeyGroup = kg;
        byte[] a = keyPrefix.array();
        a[0] = (byte) (kg >>> 8);
        a[1] = (byte) kg;
    }

    @Override
    public void setCurrentKey(K key, int keyGroup) {
        if (!keyGroups.contains(keyGroup)) throw outOfRange(key, keyGroup);
        encodeKey(key);
        currentKey = key;
        currentKeyGroup = keyGroup;
        byte[] a = keyPrefix.array();
        a[0] = (byte) (keyGroup >>> 8);
        a[1] = (byte) keyGroup;
    }

    private IllegalStateException outOfRange(K key, int keyGroup) {
        return new IllegalStateException("operator " + operatorName + " got key " + key + " of key group " + keyGroup
                + ", outside its range " + keyGroups
                + ": the key selector is not deterministic, or the key's codec is not");
    }

    /** [2 bytes key group, filled in by the caller][i32 length][key]. */
    private void encodeKey(K key) {
        keyPrefix.reset();
        keyPrefix.write(0);
        keyPrefix.write(0);
        keyPrefix.writeInt(0);
        keyCodec.encode(key, keyPrefix);
        int length = keyPrefix.size() - 6;
        byte[] a = keyPrefix.array();
        a[2] = (byte) (length >>> 24);
        a[3] = (byte) (length >>> 16);
        a[4] = (byte) (length >>> 8);
        a[5] = (byte) length;
    }

    @Override
    public K currentKey() {
        return currentKey;
    }

    @Override
    public int currentKeyGroup() {
        return currentKeyGroup;
    }

    @Override
    public KeyGroupRange keyGroups() {
        return keyGroups;
    }

    @Override
    public Codec<K> keyCodec() {
        return keyCodec;
    }

    // ------------------------------------------------------------------ state handles

    private void declare(StateDescriptor descriptor) {
        if (descriptor.name().getBytes(StandardCharsets.UTF_8).length > 0xffff) {
            throw new IllegalArgumentException("state name too long: " + descriptor.name());
        }
        StateDescriptor known = descriptors.putIfAbsent(descriptor.name(), descriptor);
        if (known != null && known.getClass() != descriptor.getClass()) {
            throw new IllegalArgumentException("state '" + descriptor.name() + "' of operator " + operatorName
                    + " already exists as " + known.getClass().getSimpleName() + " state");
        }
    }

    /** The state's name suffix: [u8 0: void namespace][u16 length][name]. */
    private static byte[] suffix(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] s = new byte[3 + n.length];
        s[1] = (byte) (n.length >>> 8);
        s[2] = (byte) n.length;
        System.arraycopy(n, 0, s, 3, n.length);
        return s;
    }

    /** Current key's prefix plus {@code suffix}: the RocksDB key of a value or list, the prefix of a map. */
    private byte[] stateKey(byte[] suffix) {
        checkKey();
        int p = keyPrefix.size();
        byte[] k = Arrays.copyOf(keyPrefix.array(), p + suffix.length);
        System.arraycopy(suffix, 0, k, p, suffix.length);
        return k;
    }

    private void checkKey() {
        if (currentKeyGroup < 0) throw new IllegalStateException("no current key in operator " + operatorName);
    }

    private byte[] get(byte[] key) {
        try {
            return db.get(readOptions, key);
        } catch (RocksDBException e) {
            throw failure("read", e);
        }
    }

    private void put(byte[] key, byte[] value) {
        try {
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw failure("write", e);
        }
    }

    private void delete(byte[] key) {
        try {
            db.delete(writeOptions, key);
        } catch (RocksDBException e) {
            throw failure("write", e);
        }
    }

    private IllegalStateException failure(String what, RocksDBException e) {
        return new IllegalStateException("operator " + operatorName + ": RocksDB " + what + " failed: " + e, e);
    }

    private <V> byte[] encode(Codec<V> codec, V value) {
        scratch.reset();
        codec.encode(value, scratch);
        return scratch.toByteArray();
    }

    private static <V> V decode(Codec<V> codec, byte[] bytes) {
        return codec.decode(new BytesIn(bytes));
    }

    @Override
    public <V> ValueState<V> valueState(StateDescriptor.Value<V> descriptor) {
        declare(descriptor);
        byte[] suffix = suffix(descriptor.name());
        Codec<V> codec = descriptor.codec();
        return new ValueState<>() {
            @Override
            public V value() {
                byte[] v = get(stateKey(suffix));
                return v == null ? null : decode(codec, v);
            }

            @Override
            public void update(V value) {
                if (value == null) clear();
                else put(stateKey(suffix), encode(codec, value));
            }

            @Override
            public void clear() {
                delete(stateKey(suffix));
            }
        };
    }

    @Override
    public <V> ListState<V> listState(StateDescriptor.List<V> descriptor) {
        declare(descriptor);
        byte[] suffix = suffix(descriptor.name());
        Codec<List<V>> codec = StateCodecs.list(descriptor.codec());
        return new ListState<>() {
            private List<V> read() {
                byte[] v = RocksDbKeyedStateBackend.this.get(stateKey(suffix));
                return v == null ? new ArrayList<>() : decode(codec, v);
            }

            @Override
            public void add(V value) {
                List<V> list = read();
                list.add(value);
                put(stateKey(suffix), encode(codec, list));
            }

            @Override
            public List<V> get() {
                return Collections.unmodifiableList(read());
            }

            @Override
            public void update(List<V> values) {
                if (values.isEmpty()) clear();
                else put(stateKey(suffix), encode(codec, values));
            }

            @Override
            public void clear() {
                delete(stateKey(suffix));
            }
        };
    }

    @Override
    public <MK, MV> MapState<MK, MV> mapState(StateDescriptor.Map<MK, MV> descriptor) {
        declare(descriptor);
        byte[] suffix = suffix(descriptor.name());
        Codec<MK> keys = descriptor.keyCodec();
        Codec<MV> values = descriptor.valueCodec();
        return new MapState<>() {
            private byte[] entryKey(MK mapKey) {
                checkKey();
                scratch.reset();
                scratch.write(keyPrefix.array(), 0, keyPrefix.size());
                scratch.write(suffix);
                keys.encode(mapKey, scratch);
                return scratch.toByteArray();
            }

            @Override
            public MV get(MK mapKey) {
                byte[] v = RocksDbKeyedStateBackend.this.get(entryKey(mapKey));
                return v == null ? null : decode(values, v);
            }

            @Override
            public void put(MK mapKey, MV value) {
                byte[] k = entryKey(mapKey);
                RocksDbKeyedStateBackend.this.put(k, encode(values, value));
            }

            @Override
            public void remove(MK mapKey) {
                delete(entryKey(mapKey));
            }

            @Override
            public boolean contains(MK mapKey) {
                return RocksDbKeyedStateBackend.this.get(entryKey(mapKey)) != null;
            }

            @Override
            public Map<MK, MV> entries() {
                Map<MK, MV> map = new LinkedHashMap<>();
                byte[] prefix = stateKey(suffix);
                scan(
                        prefix,
                        (k, v) -> map.put(
                                keys.decode(new BytesIn(k, prefix.length, k.length - prefix.length)),
                                decode(values, v)));
                return Collections.unmodifiableMap(map);
            }

            @Override
            public void clear() {
                List<byte[]> doomed = new ArrayList<>();
                scan(stateKey(suffix), (k, v) -> doomed.add(k));
                for (byte[] k : doomed) delete(k);
            }
        };
    }

    private interface EntryConsumer {
        void accept(byte[] key, byte[] value);
    }

    /** Every entry whose key starts with {@code prefix}, in key order. */
    private void scan(byte[] prefix, EntryConsumer consumer) {
        byte[] upper = successor(prefix);
        try (Slice bound = upper == null ? null : new Slice(upper);
                ReadOptions ro = new ReadOptions()) {
            if (bound != null) ro.setIterateUpperBound(bound);
            try (RocksIterator it = db.newIterator(ro)) {
                for (it.seek(prefix); it.isValid(); it.next()) consumer.accept(it.key(), it.value());
                it.status();
            }
        } catch (RocksDBException e) {
            throw failure("scan", e);
        }
    }

    /** The least byte string greater than every string starting with {@code prefix}, or null if none. */
    static byte[] successor(byte[] prefix) {
        byte[] s = prefix.clone();
        for (int i = s.length - 1; i >= 0; i--) {
            if (s[i] != (byte) 0xff) {
                s[i]++;
                return Arrays.copyOf(s, i + 1);
            }
        }
        return null;
    }

    private static byte[] keyGroupStart(int keyGroup) {
        return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
    }

    /** Number of RocksDB entries (values, lists, map entries), by a full scan: for tests. */
    public long entryCount() {
        long[] n = {0};
        try (ReadOptions ro = new ReadOptions();
                RocksIterator it = db.newIterator(ro)) {
            for (it.seekToFirst(); it.isValid(); it.next()) n[0]++;
        }
        return n[0];
    }

    /** The key groups that have at least one entry, by a scan: for tests. */
    public List<Integer> keyGroupsWithState() {
        List<Integer> groups = new ArrayList<>();
        try (ReadOptions ro = new ReadOptions();
                RocksIterator it = db.newIterator(ro)) {
            it.seekToFirst();
            while (it.isValid()) {
                byte[] k = it.key();
                int kg = ((k[0] & 0xff) << 8) | (k[1] & 0xff);
                groups.add(kg);
                it.seek(keyGroupStart(kg + 1));
            }
        }
        return groups;
    }

    // ------------------------------------------------------------------ checkpoints

    /**
     * Writes the manifest of the state as of now: flush, RocksDB checkpoint, upload of the SST
     * files the last completed checkpoint does not hold. Format:
     *
     * <pre>
     * u8 format (1), i32 first key group, i32 last key group, i32 files
     * per file: string local name, u8 kind; INLINE: i32 length, bytes; SHARED: string shared name
     * </pre>
     */
    public AsyncSnapshotPart snapshot(long checkpointId, BytesOut out) throws IOException {
        Path chk = directory.resolve("chk-" + checkpointId);
        deleteRecursively(chk);
        try {
            db.flush(flushOptions);
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
                checkpoint.createCheckpoint(chk.toString());
            }
        } catch (RocksDBException e) {
            throw new IOException("operator " + operatorName + ": RocksDB checkpoint failed: " + e, e);
        }
        Map<String, Path> toUpload = new LinkedHashMap<>();
        try {
            List<Path> files;
            try (Stream<Path> list = Files.list(chk)) {
                files = list.sorted(Comparator.comparing(Path::toString)).toList();
            }
            Map<String, String> shared = new LinkedHashMap<>();
            if (storage != null) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (!name.endsWith(".sst")) continue;
                    String known = confirmed.get(name);
                    if (known != null) {
                        shared.put(name, known);
                    } else {
                        String fresh = instanceId + "-" + checkpointId + "-" + name;
                        shared.put(name, fresh);
                        toUpload.put(fresh, f);
                    }
                }
                // References first, then the new files: see LocalDirectoryCheckpointStorage's sweep.
                storage.referenceSharedFiles(checkpointId, instanceId, shared.values());
                pending.put(checkpointId, shared);
            }
            out.write(FORMAT);
            out.writeInt(keyGroups.first());
            out.writeInt(keyGroups.first() + keyGroups.size() - 1);
            out.writeInt(files.size());
            for (Path f : files) {
                String name = f.getFileName().toString();
                Codecs.STRING.encode(name, out);
                String sharedName = shared.get(name);
                if (sharedName != null) {
                    out.write(SHARED);
                    Codecs.STRING.encode(sharedName, out);
                } else {
                    byte[] bytes = Files.readAllBytes(f);
                    out.write(INLINE);
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(chk);
            throw e;
        }
        synchronized (uploads) {
            uploadsInFlight++;
        }
        return () -> upload(chk, toUpload);
    }

    /** The asynchronous part of a snapshot: the new SST files to shared storage, then the checkpoint's links go. */
    private void upload(Path chk, Map<String, Path> files) throws IOException {
        try {
            for (Map.Entry<String, Path> u : files.entrySet()) {
                long size = Files.size(u.getValue());
                storage.writeSharedFile(u.getKey(), u.getValue());
                uploadedFiles.incrementAndGet();
                uploadedBytes.addAndGet(size);
            }
        } finally {
            boolean last;
            synchronized (uploads) {
                last = --uploadsInFlight == 0 && closed;
            }
            deleteRecursively(chk);
            if (last) deleteRecursively(directory);
        }
    }

    /**
     * Checkpoint {@code checkpointId} completed: its SST files are the ones later checkpoints need
     * not upload again.
     */
    public void checkpointComplete(long checkpointId) {
        Map<String, String> done = pending.get(checkpointId);
        if (done != null) confirmed = done;
        pending.headMap(checkpointId, true).clear();
    }

    /**
     * Replaces the (empty) state by that of {@code snapshots} (each one {@link #snapshot}'s bytes),
     * keeping only the key groups this backend owns. Call before the state is used.
     */
    public void restore(List<byte[]> snapshots) throws IOException {
        if (snapshots.isEmpty()) return;
        db.close();
        deleteRecursively(dbDir);
        dbDir = directory.resolve("db-" + generation++);
        Map<String, String> first = download(snapshots.get(0), dbDir);
        int[] firstRange = range(snapshots.get(0));
        db = open(dbDir);
        confirmed = first;
        for (int i = 1; i < snapshots.size(); i++) {
            Path other = directory.resolve("restore-" + i);
            deleteRecursively(other);
            download(snapshots.get(i), other);
            try (RocksDB source = RocksDB.openReadOnly(options, other.toString())) {
                copyOwnedKeyGroups(source);
            } catch (RocksDBException e) {
                throw new IOException("operator " + operatorName + ": cannot open restored RocksDB: " + e, e);
            } finally {
                deleteRecursively(other);
            }
        }
        int first0 = keyGroups.first();
        int last = keyGroups.first() + keyGroups.size() - 1;
        if (snapshots.size() > 1 || firstRange[0] < first0 || firstRange[1] > last) {
            try {
                if (first0 > 0) db.deleteRange(writeOptions, keyGroupStart(0), keyGroupStart(first0));
                db.deleteRange(
                        writeOptions, keyGroupStart(last + 1), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
            } catch (RocksDBException e) {
                throw failure("delete range", e);
            }
        }
    }

    private void copyOwnedKeyGroups(RocksDB source) throws RocksDBException {
        int last = keyGroups.first() + keyGroups.size() - 1;
        try (Slice bound = new Slice(keyGroupStart(last + 1));
                ReadOptions ro = new ReadOptions().setIterateUpperBound(bound);
                RocksIterator it = source.newIterator(ro)) {
            for (it.seek(keyGroupStart(keyGroups.first())); it.isValid(); it.next()) {
                db.put(writeOptions, it.key(), it.value());
            }
            it.status();
        }
    }

    private static int[] range(byte[] snapshot) {
        BytesIn in = new BytesIn(snapshot);
        checkFormat(in);
        return new int[] {in.readInt(), in.readInt()};
    }

    private static void checkFormat(BytesIn in) {
        int format = in.readUnsigned();
        if (format != FORMAT) throw new IllegalStateException("not a RocksDB state snapshot (format " + format + ")");
    }

    /** Writes the snapshot's files into {@code dir}; returns its SST files' shared names. */
    private Map<String, String> download(byte[] snapshot, Path dir) throws IOException {
        Files.createDirectories(dir);
        BytesIn in = new BytesIn(snapshot);
        checkFormat(in);
        in.readInt();
        in.readInt();
        int files = in.readInt();
        Map<String, String> shared = new HashMap<>();
        for (int i = 0; i < files; i++) {
            String name = Codecs.STRING.decode(in);
            if (name.contains("/") || name.startsWith(".")) throw new IOException("bad file name in snapshot: " + name);
            int kind = in.readUnsigned();
            Path target = dir.resolve(name);
            if (kind == SHARED) {
                String sharedName = Codecs.STRING.decode(in);
                if (storage == null) {
                    throw new IOException("operator " + operatorName + ": the snapshot refers to shared file "
                            + sharedName + " but there is no shared checkpoint storage");
                }
                storage.readSharedFile(sharedName, target);
                shared.put(name, sharedName);
            } else {
                int length = in.readInt();
                in.require(length);
                Files.write(target, Arrays.copyOfRange(in.array(), in.position(), in.position() + length));
                in.position(in.position() + length);
            }
        }
        return shared;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
        writeOptions.close();
        readOptions.close();
        flushOptions.close();
        if (options != null) options.close();
        if (directory == null) return;
        boolean uploading;
        synchronized (uploads) {
            closed = true;
            uploading = uploadsInFlight > 0;
        }
        try {
            if (!uploading) {
                deleteRecursively(directory);
            } else {
                // Snapshots still uploading keep their checkpoint links; the last upload deletes the rest.
                try (Stream<Path> entries = Files.list(directory)) {
                    for (Path p : entries.toList()) {
                        if (!p.getFileName().toString().startsWith("chk-")) deleteRecursively(p);
                    }
                }
            }
        } catch (IOException e) {
            // best effort: the working directory is scratch space
        }
    }
}
