package dev.kiln.testing;

import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.job.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event of a run, and answers the questions scheduler tests ask of them. */
public final class Recorder implements KilnListener {

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(KilnEvent event) {
        events.add(event);
    }

    public List<KilnEvent> events() {
        return List.copyOf(events);
    }

    public <T extends KilnEvent> List<T> of(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (KilnEvent e : events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    /** Job ids in the order their first build started. */
    public List<String> startOrder() {
        return of(KilnEvent.BuildStarted.class).stream().filter(e -> e.attempt() == 1)
                .map(KilnEvent.BuildStarted::jobId).toList();
    }

    /** When each job entered RUNNING the first time. */
    public Instant startedAt(String jobId) {
        return of(KilnEvent.JobStateChanged.class).stream()
                .filter(e -> e.jobId().equals(jobId) && e.to() == JobState.RUNNING)
                .map(KilnEvent.JobStateChanged::at).findFirst().orElseThrow();
    }

    /** The most builds that were RUNNING at once. */
    public int maxConcurrentlyRunning() {
        int running = 0;
        int max = 0;
        for (KilnEvent.JobStateChanged e : of(KilnEvent.JobStateChanged.class)) {
            if (e.to() == JobState.RUNNING) {
                max = Math.max(max, ++running);
            } else if (e.from() == JobState.RUNNING) {
                running--;
            }
        }
        return max;
    }
}
