package dev.cairn.store;

/** A live store node as it last described itself in coord. */
public record StoreNodeStatus(String id, String dataAddress, long freeBytes, long usedBytes, int blocks) {}
