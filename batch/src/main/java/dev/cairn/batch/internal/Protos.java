package dev.cairn.batch.internal;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageSpec;
import dev.cairn.batch.StageStatus;
import dev.cairn.batch.WorkerStatus;
import dev.cairn.batch.internal.proto.JobGraphProto;
import dev.cairn.batch.internal.proto.JobSpecProto;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.StageProto;
import dev.cairn.batch.internal.proto.StageStatusProto;
import dev.cairn.batch.internal.proto.WorkerInfo;

/** Conversions between the public value types and their wire messages. */
public final class Protos {
    private Protos() {}

    public static JobSpecProto toProto(JobSpec s) {
        JobSpecProto.Builder b = JobSpecProto.newBuilder()
                .setName(s.name())
                .addAllInputs(s.inputs())
                .setOutput(s.output())
                .setReducerClass(s.reducerClass())
                .setMapKeyCodec(s.mapKeyCodec())
                .setMapValueCodec(s.mapValueCodec())
                .setReducers(s.reducers())
                .setSplitBytes(s.splitBytes())
                .setMaxAttempts(s.maxAttempts())
                .putAllParams(s.params())
                .putAllInputMappers(s.inputMappers());
        if (s.mapperClass() != null) b.setMapperClass(s.mapperClass());
        if (s.combinerClass() != null) b.setCombinerClass(s.combinerClass());
        if (s.partitionerClass() != null) b.setPartitionerClass(s.partitionerClass());
        return b.build();
    }

    public static JobSpec fromProto(JobSpecProto p) {
        return new JobSpec(
                p.getName(),
                p.getInputsList(),
                p.getOutput(),
                emptyToNull(p.getMapperClass()),
                emptyToNull(p.getCombinerClass()),
                p.getReducerClass(),
                emptyToNull(p.getPartitionerClass()),
                p.getMapKeyCodec(),
                p.getMapValueCodec(),
                p.getReducers(),
                p.getSplitBytes(),
                p.getMaxAttempts(),
                p.getParamsMap(),
                p.getInputMappersMap());
    }

    public static JobGraphProto toProto(JobGraph g) {
        JobGraphProto.Builder b = JobGraphProto.newBuilder()
                .setName(g.name())
                .setOutput(g.output())
                .setSplitBytes(g.splitBytes())
                .setMaxAttempts(g.maxAttempts())
                .putAllParams(g.params());
        for (StageSpec s : g.stages()) {
            b.addStages(StageProto.newBuilder()
                    .setName(s.name())
                    .addAllInputs(s.inputs())
                    .addAllParents(s.parents())
                    .setTasks(s.tasks())
                    .setOutputPartitions(s.outputPartitions())
                    .setProgramClass(s.programClass())
                    .setProgram(com.google.protobuf.ByteString.copyFrom(s.program()))
                    .addAllBroadcasts(s.broadcasts())
                    .setCoalesce(s.adaptive().coalesce())
                    .addAllSkewSplittable(s.adaptive().skewSplittable()));
        }
        return b.build();
    }

    /**
     * The graph of a submit request.
     *
     * @throws IllegalArgumentException for a graph that breaks {@link JobGraph}'s rules
     */
    public static JobGraph fromProto(JobGraphProto p) {
        return new JobGraph(
                p.getName(),
                p.getStagesList().stream()
                        .map(s -> new StageSpec(
                                s.getName(),
                                s.getInputsList(),
                                s.getParentsList(),
                                s.getTasks(),
                                s.getOutputPartitions(),
                                s.getProgramClass(),
                                s.getProgram().toByteArray(),
                                s.getBroadcastsList(),
                                new StageSpec.Adaptive(s.getCoalesce(), s.getSkewSplittableList())))
                        .toList(),
                p.getOutput(),
                p.getSplitBytes(),
                p.getMaxAttempts(),
                p.getParamsMap());
    }

    public static JobStatus fromProto(JobStatusProto p) {
        return new JobStatus(
                p.getJobId(),
                p.getName(),
                p.getOwner(),
                JobState.valueOf(p.getState()),
                p.getError(),
                p.getStagesList().stream().map(Protos::fromProto).toList(),
                p.getProgress(),
                p.getSubmitTimeMs(),
                p.getFinishTimeMs(),
                p.getOutput(),
                p.getMapRecordsIn(),
                p.getMapRecordsOut(),
                p.getShuffleBytes(),
                p.getReduceRecordsOut(),
                p.getInputLocalBytes(),
                p.getInputRemoteBytes(),
                p.getDataLocalMaps(),
                p.getLocatedMaps(),
                p.getCountersMap(),
                p.getDecisionsList());
    }

    static StageStatus fromProto(StageStatusProto p) {
        return new StageStatus(
                p.getName(),
                p.getTotal(),
                p.getPending(),
                p.getRunning(),
                p.getDone(),
                p.getFailed(),
                p.getRetried(),
                p.getStopped(),
                p.getRecordsIn(),
                p.getRecordsOut(),
                p.getBytesOut(),
                p.getParentsList());
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    public static WorkerStatus fromProto(WorkerInfo w) {
        return new WorkerStatus(
                w.getWorkerId(),
                w.getEndpoint(),
                w.getState(),
                w.getSlots(),
                w.getRunning(),
                w.getLastHeartbeatMsAgo());
    }
}
