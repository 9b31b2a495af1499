package dev.cairn.dataflow.internal.operators;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;

/**
 * Gives each subtask its own instance of a user function, by Java serialization: what a
 * distributed runtime will do when it ships the function to a worker, so a function that would
 * not survive shipping fails here too, with its name.
 */
public final class FunctionCopies {
    private FunctionCopies() {}

    /** A deep copy of {@code function} made by serializing and deserializing it. */
    @SuppressWarnings("unchecked") // deserializing what was just serialized gives the same class back
    public static <F extends Serializable> F copy(F function) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(function);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(
                    "function " + function.getClass().getName() + " cannot be shipped to its subtasks: it holds a "
                            + e.getMessage()
                            + ", which is not serializable (make the field transient and set it in open(), or capture less)",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "function " + function.getClass().getName() + " cannot be serialized: " + e, e);
        }
        ClassLoader loader = function.getClass().getClassLoader();
        try (ObjectInputStream in =
                new LoaderObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()), loader)) {
            return (F) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "function " + function.getClass().getName() + " cannot be deserialized: " + e, e);
        }
    }

    /**
     * Resolves classes through the function's own loader (a test's or a job's), then the thread's
     * context loader: a worker sets it to the job's jar while it creates the job's operators, and
     * a function of Cairn's own (a window's contents, say) may hold user objects from that jar.
     */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                ClassLoader context = Thread.currentThread().getContextClassLoader();
                if (context != null && !context.equals(loader)) {
                    try {
                        return Class.forName(desc.getName(), false, context);
                    } catch (ClassNotFoundException ignored) {
                        // fall through to the default
                    }
                }
                return super.resolveClass(desc);
            }
        }
    }
}
