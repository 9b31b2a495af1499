package dev.cairn.dataflow.internal.graph;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;

/**
 * Java serialization of graphs and plans, which carry the user's functions: written where a
 * program is built, read on a worker inside the job's class loader, where those classes live.
 */
public final class GraphSerialization {
    private GraphSerialization() {}

    /** The serialized form of {@code value}. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the program: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Reads one object, resolving classes in {@code loader} first. */
    public static Object read(InputStream in, ClassLoader loader) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(in) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return ois.readObject();
        }
    }
}
