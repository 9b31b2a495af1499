/**
 * The user functions of a dataflow program.
 *
 * <p>Every function type is {@link java.io.Serializable}: a distributed runtime ships the program's
 * functions to the workers that run them. Write them as lambdas or method references (a lambda
 * whose target is a serializable interface is itself serializable, provided everything it
 * captures is), or as named classes with serializable fields. Functions are not shared between
 * subtasks: each parallel instance gets its own copy, so a function may keep per-instance fields,
 * but must not rely on them surviving a failure (use keyed state for that).
 */
package dev.cairn.dataflow.functions;
