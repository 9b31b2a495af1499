package dev.cairn.batch.internal.worker;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/** Creates user classes from a job's class loader, with errors that name the class and what is wrong. */
final class UserCode {
    private UserCode() {}

    static <T> T create(String className, Class<T> type, ClassLoader loader) {
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new IllegalArgumentException("class " + className + " not found in the job jar", e);
        }
        if (!type.isAssignableFrom(c)) {
            throw new IllegalArgumentException("class " + className + " does not implement " + type.getName());
        }
        try {
            Constructor<?> ctor = c.getDeclaredConstructor();
            ctor.setAccessible(true);
            return type.cast(ctor.newInstance());
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("class " + className + " has no no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("constructor of " + className + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot create " + className + ": " + e, e);
        }
    }

    /** One line for the job's error message, then the stack trace, for the master's log. */
    @SuppressWarnings("ReferenceEquality") // a cause that is the throwable itself: identity is what is meant
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && root instanceof TaskFailure)
            root = root.getCause();
        StringBuilder sb = new StringBuilder();
        sb.append(t instanceof TaskFailure ? t.getMessage() + ": " + root : t.toString());
        var sw = new java.io.StringWriter();
        root.printStackTrace(new java.io.PrintWriter(sw));
        sb.append('\n').append(sw);
        return sb.toString();
    }
}
