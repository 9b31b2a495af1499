package dev.cairn.common.codec;

/** The fixed-width built-ins; see {@link Codecs} for their encodings. */
final class FixedWidthCodecs {
    private FixedWidthCodecs() {}

    /** Shared by the built-ins so that logs and error messages show the id. */
    abstract static sealed class Named<T> implements Codec<T> permits IntCodec, LongCodec, DoubleCodec, BooleanCodec {
        private final String id;

        Named(String id) {
            this.id = id;
        }

        @Override
        public final String id() {
            return id;
        }

        @Override
        public final String toString() {
            return id;
        }
    }

    static final class IntCodec extends Named<Integer> {
        IntCodec() {
            super("int");
        }

        @Override
        public void encode(Integer value, BytesOut out) {
            if (value == null) throw new NullPointerException("int value is null");
            out.writeInt(value ^ Integer.MIN_VALUE);
        }

        @Override
        public Integer decode(BytesIn in) {
            return in.readInt() ^ Integer.MIN_VALUE;
        }
    }

    static final class LongCodec extends Named<Long> {
        LongCodec() {
            super("long");
        }

        @Override
        public void encode(Long value, BytesOut out) {
            if (value == null) throw new NullPointerException("long value is null");
            out.writeLong(value ^ Long.MIN_VALUE);
        }

        @Override
        public Long decode(BytesIn in) {
            return in.readLong() ^ Long.MIN_VALUE;
        }
    }

    static final class DoubleCodec extends Named<Double> {
        DoubleCodec() {
            super("double");
        }

        @Override
        public void encode(Double value, BytesOut out) {
            if (value == null) throw new NullPointerException("double value is null");
            // doubleToLongBits (not the Raw variant) maps every NaN to the one canonical NaN.
            long bits = Double.doubleToLongBits(value);
            out.writeLong(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
        }

        @Override
        public Double decode(BytesIn in) {
            long v = in.readLong();
            // The high bit of the encoding is set exactly for non-negative values.
            return Double.longBitsToDouble(v < 0 ? v ^ Long.MIN_VALUE : ~v);
        }
    }

    static final class BooleanCodec extends Named<Boolean> {
        BooleanCodec() {
            super("boolean");
        }

        @Override
        public void encode(Boolean value, BytesOut out) {
            if (value == null) throw new NullPointerException("boolean value is null");
            out.write(value ? 1 : 0);
        }

        @Override
        public Boolean decode(BytesIn in) {
            int b = in.readUnsigned();
            if (b > 1) throw new CodecException("corrupt input: boolean byte " + b + " is neither 0 nor 1");
            return b == 1;
        }
    }
}
