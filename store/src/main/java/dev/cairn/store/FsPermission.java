package dev.cairn.store;

/**
 * The POSIX mode bits of a store file or directory: read, write and execute for its owner, its
 * group and everyone else. Shown as {@code ls} shows them ({@code rwxr-x---}), written in octal
 * ({@code 750}).
 *
 * <p>What each right allows, enforced by coord in a secure cluster: <b>read</b> on a file lets a
 * user read its bytes and see its status, on a directory list it; <b>write</b> on a directory lets
 * a user create, delete and rename entries in it. The owner may always change the mode; execute
 * is recorded and shown but not enforced (coord checks no path above the entry itself).
 *
 * @param bits the nine mode bits, {@code 0} to {@code 0777}
 */
public record FsPermission(int bits) {
    /** What a new directory starts from before the umask. */
    public static final FsPermission DIR_DEFAULT = new FsPermission(0777);
    /** What a new file starts from before the umask. */
    public static final FsPermission FILE_DEFAULT = new FsPermission(0666);

    /** One of the three classes of users the bits speak of. */
    public enum Who {
        OWNER(6),
        GROUP(3),
        OTHER(0);

        private final int shift;

        Who(int shift) {
            this.shift = shift;
        }
    }

    /** A right the bits grant, named as "permission denied" messages name it. */
    public enum Right {
        READ(4, 'r'),
        WRITE(2, 'w'),
        EXECUTE(1, 'x');

        private final int bit;
        private final char letter;

        Right(int bit, char letter) {
            this.bit = bit;
            this.letter = letter;
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public FsPermission {
        if (bits < 0 || bits > 0777)
            throw new IllegalArgumentException("mode " + Integer.toOctalString(bits) + " is not 0 to 777 (octal)");
    }

    /**
     * Parses octal mode bits, as chmod takes them ({@code 750}, {@code 0644}).
     *
     * @throws IllegalArgumentException naming the text if it is not one to four octal digits at most 777
     */
    public static FsPermission parse(String octal) {
        if (!octal.matches("0?[0-7]{1,3}"))
            throw new IllegalArgumentException("mode '" + octal + "' is not octal like 750 or 0644");
        return new FsPermission(Integer.parseInt(octal, 8));
    }

    /** Whether these bits grant {@code right} to {@code who}. */
    public boolean allows(Who who, Right right) {
        return ((bits >> who.shift) & right.bit) != 0;
    }

    /** These bits with those set in {@code umask} cleared. */
    public FsPermission minus(FsPermission umask) {
        return new FsPermission(bits & ~umask.bits());
    }

    /** Three octal digits, as chmod takes them. */
    public String octal() {
        return String.format(java.util.Locale.ROOT, "%03o", bits);
    }

    /** The nine characters {@code ls} shows, such as {@code rwxr-x---}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(9);
        for (Who who : Who.values()) {
            for (Right r : Right.values()) {
                sb.append(allows(who, r) ? r.letter : '-');
            }
        }
        return sb.toString();
    }
}
