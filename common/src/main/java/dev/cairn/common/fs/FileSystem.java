package dev.cairn.common.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A file system that jobs read their input from and write their output to, chosen by the scheme
 * of a path: {@code cairn:///data/in.txt} is in Cairn's store, {@code /data/in.txt} (or
 * {@code file:///data/in.txt}) on the node's local disks. {@link FileSystemRegistry} maps schemes
 * to implementations.
 *
 * <p>Paths are absolute strings with '/' separators. {@link #qualify} gives a path's canonical
 * form; paths this file system returns are in that form, and {@link FsPaths} takes them apart.
 *
 * <p>Contracts every implementation keeps:
 * <ul>
 *   <li>a file made by {@link #create} becomes visible, with all its bytes, when its stream is
 *       closed, not before; it is never replaced;
 *   <li>{@link #rename} is atomic: readers see the source or the target, never a part of either,
 *       and it never replaces or moves into an existing target;
 *   <li>a file's {@link #blocks} partition it: in order, contiguous, from 0 to its length.
 * </ul>
 * Errors are {@link IOException}s: {@link java.nio.file.NoSuchFileException} for a missing path,
 * {@link java.nio.file.FileAlreadyExistsException} for a taken one;
 * {@link IllegalArgumentException} for a path this file system cannot parse. Implementations
 * are thread-safe; each stream is for one thread.
 */
public interface FileSystem {
    /** The scheme its paths carry, e.g. {@code cairn}; {@code file} for the local one. */
    String scheme();

    /** The canonical form of a path: absolute, normalized, with the scheme if this file system's paths carry one. */
    String qualify(String path);

    /** Every file at or under {@code path}, in canonical form, sorted by path; a file lists as itself. */
    List<FileEntry> listFiles(String path) throws IOException;

    /** How a file is laid out: its blocks and the nodes holding each; one span without hosts where that is unknown. */
    List<BlockSpan> blocks(String file) throws IOException;

    /**
     * Opens {@code length} bytes of a file from {@code offset}, fewer where the file ends first;
     * {@code offset} must not lie past the end. The stream implements {@link ReadLocality} when
     * this file system can tell where its bytes came from.
     */
    InputStream open(String file, long offset, long length) throws IOException;

    /**
     * Starts writing a new file, creating missing parent directories; it appears complete when the
     * stream is closed, and the write fails (at the latest on close) if the path is taken.
     */
    OutputStream create(String file) throws IOException;

    /** Creates a directory and its missing parents; fine if it exists. */
    void mkdirs(String dir) throws IOException;

    boolean exists(String path) throws IOException;

    /**
     * Renames a file or directory, atomically, to exactly {@code target}, whose parent must exist.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
     */
    void rename(String source, String target) throws IOException;

    /** Deletes a file, or a directory and everything under it; nothing happens when it does not exist. */
    void delete(String path) throws IOException;

    /**
     * Refuses {@code user} unless it may read {@code path}: a file's bytes, or a directory's
     * listing and every file under it. A job is checked so as its owner before it reads as its
     * node. The default checks nothing: a file system without owners (a node's local disks).
     *
     * @throws dev.cairn.common.security.PermissionDeniedException {@code permission denied: bob
     *     needs read on cairn:///home/alice/in.txt}
     * @throws java.nio.file.NoSuchFileException if {@code path} does not exist
     */
    default void checkRead(String path, FsUser user) throws IOException {}

    /**
     * Refuses {@code user} unless it may create {@code path}: write on the nearest directory above
     * it that exists (where the missing ones, or the entry itself, would be made). The default
     * checks nothing.
     *
     * @throws dev.cairn.common.security.PermissionDeniedException {@code permission denied: bob
     *     needs write on cairn:///home/alice}
     */
    default void checkCreate(String path, FsUser user) throws IOException {}

    /**
     * Makes {@code path}, and everything under a directory, belong to {@code owner}, keeping group
     * and mode: what a job wrote as its node becomes its owner's. The default does nothing: a
     * file system without owners.
     */
    default void giveTo(String path, String owner) throws IOException {}

    /**
     * Like {@link #mkdirs}, handing the directories it made, and what they hold by then, to
     * {@code owner} ({@link #giveTo}): the directories a job's output needs are its owner's too.
     *
     * @param owner who gets them; null: nobody, as {@link #mkdirs}
     */
    default void mkdirs(String dir, String owner) throws IOException {
        String path = qualify(dir);
        if (owner == null || exists(path)) {
            mkdirs(path);
            return;
        }
        String highestMissing = path;
        for (String p = FsPaths.parent(path); !p.equals(highestMissing) && !exists(p); p = FsPaths.parent(p))
            highestMissing = p;
        mkdirs(path);
        giveTo(highestMissing, owner);
    }
}
