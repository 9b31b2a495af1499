package dev.cairn.dataflow.internal.network;

/**
 * A logical channel of a remote exchange: the records that producer subtask {@code producer} of
 * edge {@code edge} of job {@code job} sends to consumer subtask {@code consumer}.
 */
public record ChannelId(long job, int edge, int producer, int consumer) {
    @Override
    public String toString() {
        return "job " + job + " edge " + edge + " subtask " + producer + "->" + consumer;
    }
}
