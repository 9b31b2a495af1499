package dev.cairn.node.internal.ops;

import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import dev.cairn.batch.TaskStatus;
import dev.cairn.batch.WorkerStatus;
import dev.cairn.dataflow.StreamJobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON answers of {@code /api/...} on the active master, built from {@link OpsSources}
 * snapshots. Lists are bounded server-side ({@code limit}, {@code offset}, {@code tasks}), so a
 * master remembering a thousand jobs or a job of ten thousand tasks answers in one small page.
 *
 * <pre>
 * GET /api/cluster            masters (active/standby, dashboard URL), nodes (state, slots, running tasks)
 * GET /api/jobs               [{id, name, kind: batch|stream, state, progress, submitted, finished}], newest first
 * GET /api/jobs/{id}          batch: stages with task counts and tasks (worker, attempt, state);
 *                             stream: state, restarts, subtasks, latest checkpoint, slots
 * </pre>
 */
final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    static final int DEFAULT_JOB_LIMIT = 100;
    static final int MAX_JOB_LIMIT = 1000;
    static final int DEFAULT_TASK_LIMIT = 1000;
    static final int MAX_TASK_LIMIT = 10_000;
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** An answer: its HTTP status, its JSON body and the headers to add. */
    record Answer(int status, String json, Map<String, String> headers) {
        static Answer ok(Object body) {
            return new Answer(200, Json.write(body), Map.of());
        }

        static Answer error(int status, String message) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", message);
            body.put("status", status);
            return new Answer(status, Json.write(body), Map.of());
        }
    }

    /** A request that cannot be answered: becomes a JSON error of its status. */
    static final class ApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final OpsSources sources;

    RestApi(OpsSources sources) {
        this.sources = sources;
    }

    /** Answers a GET of {@code path} (below {@code /api}) with its decoded query parameters. */
    Answer get(String path, Map<String, String> query) {
        try {
            if (path.equals("/api/cluster")) return Answer.ok(cluster());
            if (path.equals("/api/jobs")) return jobs(query);
            if (path.startsWith("/api/jobs/")) {
                String id = path.substring("/api/jobs/".length());
                if (!JOB_ID.matcher(id).matches()) throw new ApiException(400, "malformed job id: " + id);
                return job(id, query);
            }
            return Answer.error(404, "no such API resource: " + path);
        } catch (ApiException e) {
            return Answer.error(e.status, e.getMessage());
        }
    }

    private Map<String, Object> cluster() {
        Map<String, Object> out = new LinkedHashMap<>();
        Optional<String> active = sources.activeMaster();
        out.put("node", sources.nodeId());
        out.put("activeMaster", active.orElse(null));
        List<Object> masters = new ArrayList<>();
        for (String m : sources.masters()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("endpoint", m);
            e.put("state", active.isPresent() && active.get().equals(m) ? "active" : "standby");
            e.put("dashboard", sources.dashboardOf(m).orElse(null));
            masters.add(e);
        }
        out.put("masters", masters);
        List<Object> nodes = new ArrayList<>();
        for (WorkerStatus w : sources.batch().workers()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", w.workerId());
            e.put("endpoint", w.endpoint());
            e.put("roles", List.of("worker"));
            e.put("state", w.state());
            e.put("slots", w.slots());
            e.put("running", w.running());
            e.put("lastHeartbeatMsAgo", w.lastHeartbeatMsAgo());
            nodes.add(e);
        }
        out.put("nodes", nodes);
        return out;
    }

    private Answer jobs(Map<String, String> query) {
        int limit = intParam(query, "limit", DEFAULT_JOB_LIMIT, 1, MAX_JOB_LIMIT);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> all = new ArrayList<>();
        for (JobStatus j : sources.batch().jobs()) all.add(summary(j));
        for (StreamJobStatus s : streamJobs()) all.add(summary(s));
        all.sort(Comparator.comparing((Map<String, Object> m) -> (Long) m.get("submitted"))
                .reversed());
        List<Map<String, Object>> page =
                all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit));
        return new Answer(200, Json.write(page), Map.of("X-Total-Count", Integer.toString(all.size())));
    }

    private Answer job(String id, Map<String, String> query) {
        int taskLimit = intParam(query, "tasks", DEFAULT_TASK_LIMIT, 0, MAX_TASK_LIMIT);
        Optional<JobStatus> batch = sources.batch().job(id);
        if (batch.isPresent()) {
            Map<String, Object> out = summary(batch.get());
            JobStatus j = batch.get();
            out.put("error", j.error());
            out.put("output", j.output());
            out.put("inputBytes", j.inputBytes());
            out.put("inputLocalBytes", j.inputLocalBytes());
            out.put("shuffleBytes", j.shuffleBytes());
            List<Object> stages = new ArrayList<>();
            for (StageStatus s : j.stages()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", s.name());
                e.put("total", s.total());
                e.put("pending", s.pending());
                e.put("running", s.running());
                e.put("done", s.done());
                e.put("failed", s.failed());
                e.put("retried", s.retried());
                e.put("stopped", s.stopped());
                e.put("recordsIn", s.recordsIn());
                e.put("recordsOut", s.recordsOut());
                e.put("bytesOut", s.bytesOut());
                stages.add(e);
            }
            out.put("stages", stages);
            out.put("decisions", j.decisions());
            List<TaskStatus> tasks = sources.batch().tasks(id).orElse(List.of());
            List<Object> rows = new ArrayList<>();
            for (TaskStatus t : tasks.subList(0, Math.min(taskLimit, tasks.size()))) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", t.taskId());
                e.put("stage", t.stage());
                e.put("state", t.state());
                e.put("worker", t.worker());
                e.put("attempt", t.attempt());
                e.put("failures", t.failures());
                e.put("progress", t.progress());
                e.put("lastError", t.lastError());
                rows.add(e);
            }
            out.put("tasksTotal", tasks.size());
            out.put("tasks", rows);
            out.put("counters", j.counters());
            return Answer.ok(out);
        }
        Optional<StreamJobStatus> stream =
                streamJobs().stream().filter(s -> s.jobId().equals(id)).findFirst();
        if (stream.isPresent()) {
            StreamJobStatus s = stream.get();
            Map<String, Object> out = summary(s);
            out.put("attempt", s.attempt());
            out.put("restarts", s.restarts());
            out.put("subtasks", s.subtasks());
            out.put("runningSubtasks", s.runningSubtasks());
            out.put("finishedSubtasks", s.finishedSubtasks());
            out.put("failure", s.failure());
            out.put("completedCheckpoints", s.completedCheckpoints());
            out.put(
                    "latestCheckpoint",
                    s.latestCheckpoint()
                            .map(c -> {
                                Map<String, Object> e = new LinkedHashMap<>();
                                e.put("id", c.id());
                                e.put("completedAt", c.completedAt().toEpochMilli());
                                e.put("durationMs", c.duration().toMillis());
                                e.put("bytes", c.bytes());
                                return e;
                            })
                            .orElse(null));
            out.put("slots", s.slotWorkers());
            return Answer.ok(out);
        }
        return Answer.error(404, "no such job: " + id);
    }

    /**
     * The stream master's jobs; none if it cannot answer now, so that a stream master in trouble
     * leaves the batch jobs listed.
     */
    private List<StreamJobStatus> streamJobs() {
        try {
            return sources.streamJobs().get();
        } catch (RuntimeException e) {
            LOG.debug("the stream master cannot list its jobs", e);
            return List.of();
        }
    }

    private static Map<String, Object> summary(JobStatus j) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", j.jobId());
        e.put("name", j.name());
        e.put("kind", "batch");
        e.put("state", j.state().name());
        e.put("progress", j.progress());
        e.put("submitted", j.submitTimeMs());
        e.put("finished", j.finishTimeMs() == 0 ? null : j.finishTimeMs());
        return e;
    }

    private static Map<String, Object> summary(StreamJobStatus s) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", s.jobId());
        e.put("name", s.name());
        e.put("kind", "stream");
        e.put("state", s.state().name());
        // A stream has no end to measure against: the share of its subtasks finished (1 once it ended well).
        double progress = s.state() == StreamJobStatus.State.FINISHED
                ? 1.0
                : s.subtasks() == 0 ? 0.0 : (double) s.finishedSubtasks() / s.subtasks();
        e.put("progress", progress);
        e.put("submitted", s.submittedAt().toEpochMilli());
        e.put("finished", s.endedAt().map(Instant::toEpochMilli).orElse(null));
        return e;
    }

    private static int intParam(Map<String, String> query, String name, int dflt, int min, int max) {
        String v = query.get(name);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max)
                throw new ApiException(400, name + " must be within [" + min + ", " + max + "]: " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new ApiException(400, name + " is not a number: " + v);
        }
    }
}
