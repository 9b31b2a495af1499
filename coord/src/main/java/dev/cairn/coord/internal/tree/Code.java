package dev.cairn.coord.internal.tree;

/** ZooKeeper's result codes (the {@code err} of a reply), those the coord produces. */
public enum Code {
    OK(0),
    SYSTEMERROR(-1),
    RUNTIMEINCONSISTENCY(-2),
    MARSHALLINGERROR(-5),
    UNIMPLEMENTED(-6),
    BADARGUMENTS(-8),
    UNKNOWNSESSION(-12),
    NONODE(-101),
    NOAUTH(-102),
    BADVERSION(-103),
    NOCHILDRENFOREPHEMERALS(-108),
    NODEEXISTS(-110),
    NOTEMPTY(-111),
    SESSIONEXPIRED(-112),
    INVALIDACL(-114),
    AUTHFAILED(-115),
    SESSIONMOVED(-118),
    NOWATCHER(-121);

    private final int value;

    Code(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    public static Code of(int value) {
        for (Code c : values()) {
            if (c.value == value) return c;
        }
        throw new IllegalArgumentException("unknown result code " + value);
    }
}
