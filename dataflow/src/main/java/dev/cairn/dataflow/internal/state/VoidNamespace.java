package dev.cairn.dataflow.internal.state;

/** The namespace of state that is not scoped to a window. */
public enum VoidNamespace {
    INSTANCE
}
