package dev.cairn.common.codec;

/** byte[] as an escaped, terminated byte string ({@link Escaping}): unsigned lexicographic order. */
final class BytesCodec implements Codec<byte[]> {
    @Override
    public String id() {
        return "bytes";
    }

    @Override
    public void encode(byte[] value, BytesOut out) {
        if (value == null) throw new NullPointerException("bytes value is null");
        Escaping.write(value, 0, value.length, out);
    }

    @Override
    public byte[] decode(BytesIn in) {
        return Escaping.read(in);
    }

    @Override
    public String toString() {
        return id();
    }
}
