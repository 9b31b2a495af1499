package dev.cairn.node.internal.ops;

import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import dev.cairn.batch.TaskStatus;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.security.PermissionDeniedException;
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
 * GET /api/cluster               masters (active/standby, dashboard URL) and nodes
 * GET /api/nodes                 every node: roles, state, slots, heap, disk, coord member status
 * GET /api/nodes/{id}            one node
 * GET /api/nodes/{id}/log        the tail of its log (lines=N, at most 10,000)
 * GET /api/coord                 coord members: leader, last zxid, sessions, znodes
 * GET /api/store                 store capacity and use, blocks, under-replicated, corrupt, missing
 * GET /api/jobs                  [{id, name, owner, kind: batch|stream, state, progress, submitted, finished}], newest first
 * GET /api/jobs/{id}             batch: stages (with their parents: the DAG), decisions, failures, a first
 *                                page of tasks; stream: operators (rates, backpressure, watermarks, inputs),
 *                                checkpoint history, slots
 * GET /api/jobs/{id}/tasks       a page of a batch job's tasks: offset, limit, sort, desc, state
 * GET /api/jobs/{id}/tasks/{task}/attempts/{n}/log   what the attempt logged on its worker
 * </pre>
 *
 * <p>Jobs belong to their owners: over HTTPS, a job's answers (details, tasks, attempt logs) are
 * for its owner and admins only, anyone else gets 403 {@code permission denied: user bob may not
 * view job job-0001}, and {@code /api/jobs} lists a user's own jobs only ({@link JobAccess}).
 */
final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    static final int DEFAULT_JOB_LIMIT = 100;
    static final int MAX_JOB_LIMIT = 1000;
    static final int DEFAULT_TASK_LIMIT = 1000;
    static final int MAX_TASK_LIMIT = 10_000;
    /** A job's answer carries this many of its tasks unless asked otherwise; {@code /tasks} pages through all. */
    static final int DEFAULT_JOB_TASKS = 100;

    /** {@code JOB/tasks/TASK/attempts/N/log} below {@code /api/jobs/}. */
    private static final Pattern ATTEMPT_LOG = Pattern.compile("([^/]*)/tasks/([^/]*)/attempts/([^/]*)/log");

    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

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

    /** The task table's sort keys. */
    private static final Map<String, Comparator<TaskStatus>> TASK_ORDER = Map.of(
            "id", Comparator.comparing(TaskStatus::stage).thenComparingInt(TaskStatus::index),
            "stage", Comparator.comparing(TaskStatus::stage),
            "state", Comparator.comparing(TaskStatus::state),
            "worker", Comparator.comparing(TaskStatus::worker),
            "attempt", Comparator.comparingInt(TaskStatus::attempt),
            "failures", Comparator.comparingInt(TaskStatus::failures),
            "progress", Comparator.comparingDouble(TaskStatus::progress),
            "duration", Comparator.comparingLong(TaskStatus::durationMs),
            "input", Comparator.comparingLong(TaskStatus::inputBytes),
            "locality", Comparator.comparing(TaskStatus::locality));
    /** A job's answer lists at most this many failed tasks (the most recent failures are not known: the first ones by id). */
    static final int MAX_FAILURES = 100;

    private final OpsSources sources;
    private final ClusterApi cluster;

    RestApi(OpsSources sources, ClusterApi cluster) {
        this.sources = sources;
        this.cluster = cluster;
    }

    /**
     * Answers a GET of {@code path} (below {@code /api}) with its decoded query parameters, for
     * {@code caller} (empty over plain HTTP: nothing is enforced).
     */
    Answer get(String path, Map<String, String> query, Optional<CairnPrincipal> caller) {
        try {
            if (path.equals("/api/cluster")) return Answer.ok(cluster());
            if (path.equals("/api/nodes")) return Answer.ok(cluster.nodes());
            if (path.equals("/api/coord")) return Answer.ok(cluster.coord());
            if (path.equals("/api/store")) return Answer.ok(cluster.store());
            if (path.startsWith("/api/nodes/")) {
                String rest = path.substring("/api/nodes/".length());
                if (rest.endsWith("/log")) {
                    int lines = intParam(query, "lines", NodeInfo.DEFAULT_LOG_LINES, 0, NodeInfo.MAX_LOG_LINES);
                    return Answer.ok(cluster.log(rest.substring(0, rest.length() - "/log".length()), lines));
                }
                return Answer.ok(cluster.node(rest));
            }
            if (path.equals("/api/jobs")) return jobs(query, caller);
            if (path.startsWith("/api/jobs/")) {
                String id = path.substring("/api/jobs/".length());
                java.util.regex.Matcher attemptLog = ATTEMPT_LOG.matcher(id);
                if (attemptLog.matches()) {
                    String job = attemptLog.group(1);
                    String task = attemptLog.group(2);
                    if (!JOB_ID.matcher(job).matches()) throw new ApiException(400, "malformed job id: " + job);
                    if (!JOB_ID.matcher(task).matches()) throw new ApiException(400, "malformed task id: " + task);
                    int attempt;
                    try {
                        attempt = Integer.parseInt(attemptLog.group(3));
                    } catch (NumberFormatException e) {
                        throw new ApiException(400, "malformed attempt: " + attemptLog.group(3));
                    }
                    if (attempt < 1) throw new ApiException(400, "attempts count from 1: " + attempt);
                    JobStatus owned =
                            sources.batch().job(job).orElseThrow(() -> new ApiException(404, "no such job: " + job));
                    checkView(caller, job, owned.owner());
                    return Answer.ok(cluster.attemptLog(job, task, attempt));
                }
                boolean tasks = id.endsWith("/tasks");
                if (tasks) id = id.substring(0, id.length() - "/tasks".length());
                if (!JOB_ID.matcher(id).matches()) throw new ApiException(400, "malformed job id: " + id);
                return tasks ? tasks(id, query, caller) : job(id, query, caller);
            }
            return Answer.error(404, "no such API resource: " + path);
        } catch (ApiException e) {
            return Answer.error(e.status, e.getMessage());
        } catch (PermissionDeniedException e) {
            return Answer.error(403, e.getMessage());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private Map<String, Object> cluster() throws Exception {
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
        out.put("nodes", cluster.nodes());
        return out;
    }

    private Answer jobs(Map<String, String> query, Optional<CairnPrincipal> caller) {
        int limit = intParam(query, "limit", DEFAULT_JOB_LIMIT, 1, MAX_JOB_LIMIT);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        JobAccess access = sources.batch().access();
        List<Map<String, Object>> all = new ArrayList<>();
        for (JobStatus j : sources.batch().jobs()) if (access.allows(caller, j.owner())) all.add(summary(j));
        for (StreamJobStatus s : streamJobs()) if (access.allows(caller, s.owner())) all.add(summary(s));
        all.sort(Comparator.comparing((Map<String, Object> m) -> (Long) m.get("submitted"))
                .reversed());
        List<Map<String, Object>> page =
                all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit));
        return new Answer(200, Json.write(page), Map.of("X-Total-Count", Integer.toString(all.size())));
    }

    private Answer job(String id, Map<String, String> query, Optional<CairnPrincipal> caller) {
        int taskLimit = intParam(query, "tasks", DEFAULT_JOB_TASKS, 0, MAX_TASK_LIMIT);
        Optional<JobStatus> batch = sources.batch().job(id);
        if (batch.isPresent()) {
            checkView(caller, id, batch.get().owner());
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
                e.put("parents", s.parents());
                stages.add(e);
            }
            out.put("stages", stages);
            out.put("decisions", j.decisions());
            out.put("dataLocalMaps", j.dataLocalMaps());
            out.put("locatedMaps", j.locatedMaps());
            List<TaskStatus> tasks = sources.batch().tasks(id).orElse(List.of());
            out.put("tasksTotal", tasks.size());
            out.put(
                    "tasks",
                    tasks.subList(0, Math.min(taskLimit, tasks.size())).stream()
                            .map(RestApi::task)
                            .toList());
            List<TaskStatus> failed =
                    tasks.stream().filter(t -> t.failures() > 0).toList();
            out.put("failedTasks", failed.size());
            out.put(
                    "failures",
                    failed.subList(0, Math.min(MAX_FAILURES, failed.size())).stream()
                            .map(t -> {
                                Map<String, Object> e = new LinkedHashMap<>();
                                e.put("task", t.taskId());
                                e.put("failures", t.failures());
                                e.put("state", t.state());
                                e.put("cause", t.lastError());
                                return e;
                            })
                            .toList());
            out.put("counters", j.counters());
            return Answer.ok(out);
        }
        Optional<StreamJobStatus> stream =
                streamJobs().stream().filter(s -> s.jobId().equals(id)).findFirst();
        if (stream.isPresent()) {
            StreamJobStatus s = stream.get();
            checkView(caller, id, s.owner());
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
                    s.latestCheckpoint().map(RestApi::checkpoint).orElse(null));
            out.put(
                    "checkpoints",
                    s.recentCheckpoints().stream().map(RestApi::checkpoint).toList());
            out.put("operators", s.operators().stream().map(RestApi::operator).toList());
            out.put("slots", s.slotWorkers());
            return Answer.ok(out);
        }
        return Answer.error(404, "no such job: " + id);
    }

    /** A page of a batch job's tasks, sorted and filtered server-side: the dashboard's task table. */
    private Answer tasks(String id, Map<String, String> query, Optional<CairnPrincipal> caller) {
        int limit = intParam(query, "limit", DEFAULT_TASK_LIMIT, 1, MAX_TASK_LIMIT);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        String sort = query.getOrDefault("sort", "id");
        Comparator<TaskStatus> order = TASK_ORDER.get(sort);
        if (order == null)
            throw new ApiException(
                    400, "sort must be one of " + new java.util.TreeSet<>(TASK_ORDER.keySet()) + ": " + sort);
        boolean desc = boolParam(query, "desc");
        String state = query.get("state");
        Optional<JobStatus> job = sources.batch().job(id);
        if (job.isPresent()) checkView(caller, id, job.get().owner());
        Optional<List<TaskStatus>> all = sources.batch().tasks(id);
        if (all.isEmpty()) {
            boolean stream = streamJobs().stream().anyMatch(s -> s.jobId().equals(id));
            throw new ApiException(
                    404, stream ? "job " + id + " is a stream job: it has no tasks" : "no such job: " + id);
        }
        List<TaskStatus> tasks = new ArrayList<>(all.get());
        if (state != null && !state.isEmpty()) tasks.removeIf(t -> !t.state().equalsIgnoreCase(state));
        // Ties keep the task order, so a page boundary is stable between polls.
        tasks.sort(
                desc
                        ? order.reversed().thenComparing(TASK_ORDER.get("id"))
                        : order.thenComparing(TASK_ORDER.get("id")));
        List<Map<String, Object>> page =
                tasks.subList(Math.min(offset, tasks.size()), Math.min(tasks.size(), offset + limit)).stream()
                        .map(RestApi::task)
                        .toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", tasks.size());
        out.put("offset", offset);
        out.put("tasks", page);
        return new Answer(200, Json.write(out), Map.of("X-Total-Count", Integer.toString(tasks.size())));
    }

    /** Refuses {@code caller} a job it neither owns nor administers: 403. */
    private void checkView(Optional<CairnPrincipal> caller, String id, String owner) {
        sources.batch().access().check(caller, id, owner, JobAccess.Right.VIEW);
    }

    private static Map<String, Object> task(TaskStatus t) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", t.taskId());
        e.put("stage", t.stage());
        e.put("state", t.state());
        e.put("worker", t.worker());
        e.put("attempt", t.attempt());
        e.put("failures", t.failures());
        e.put("progress", t.progress());
        e.put("durationMs", t.durationMs() < 0 ? null : t.durationMs());
        e.put("inputBytes", t.inputBytes());
        e.put("locality", t.locality());
        e.put("lastError", t.lastError());
        return e;
    }

    private static Map<String, Object> checkpoint(StreamJobStatus.Checkpoint c) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", c.id());
        e.put("completedAt", c.completedAt().toEpochMilli());
        e.put("durationMs", c.duration().toMillis());
        e.put("bytes", c.bytes());
        return e;
    }

    private static Map<String, Object> operator(StreamJobStatus.Operator o) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", o.id());
        e.put("name", o.name());
        e.put("parallelism", o.parallelism());
        e.put("inputs", o.inputs());
        e.put("recordsIn", o.recordsIn());
        e.put("recordsOut", o.recordsOut());
        e.put("recordsInPerSecond", o.recordsInPerSecond());
        e.put("recordsOutPerSecond", o.recordsOutPerSecond());
        e.put("watermark", o.watermark().orElse(null));
        e.put("backpressure", o.backpressure());
        return e;
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
        e.put("owner", j.owner());
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
        e.put("owner", s.owner());
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

    private static boolean boolParam(Map<String, String> query, String name) {
        String v = query.get(name);
        if (v == null || v.equals("false")) return false;
        if (v.equals("true") || v.isEmpty()) return true;
        throw new ApiException(400, name + " must be true or false: " + v);
    }

    static int intParam(Map<String, String> query, String name, int dflt, int min, int max) {
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
