package dev.kiln.benchmarks;

import dev.kiln.benchmarks.FleetModel.Build;
import dev.kiln.benchmarks.ScheduleModel.Cumulative;
import dev.kiln.benchmarks.ScheduleModel.Problem;
import dev.kiln.benchmarks.ScheduleModel.Use;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Serial schedules of a {@link Problem}: builds placed one by one, each at the earliest second
 * every cumulative has room for all it puts there. Feasible by construction: the solver's
 * starting point, and the schedule when the solver finds none better in its time.
 */
final class SerialSchedule {

    private SerialSchedule() {
    }

    /**
     * The best of three serial schedules: longest first; most resource-time first; and longest
     * first within each set of builds that hold the same resources (a region), the sets taking
     * turns, so that no region is left with its long builds at the end. Feasible by construction,
     * so a starting point for the solver and a schedule when the solver finds none in its time.
     */
    static long[] best(Problem p) {
        int n = p.durations().length;
        double[] longest = new double[n];
        double[] heaviest = new double[n];
        Map<String, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            longest[i] = -p.durations()[i];
            heaviest[i] = -p.durations()[i];
        }
        for (Cumulative c : p.cumulatives()) {
            if (c.resource()) {
                for (Use u : c.uses()) {
                    heaviest[u.build()] -= u.size() * (double) u.demand() / c.capacity();
                }
            }
        }
        for (int i = 0; i < n; i++) {
            groups.computeIfAbsent(new TreeMap<>(p.component().builds().get(i).holds()).keySet().toString(),
                    k -> new ArrayList<>()).add(i);
        }
        double[] turns = new double[n];
        for (List<Integer> group : groups.values()) {
            group.sort(Comparator.comparingLong((Integer i) -> -p.durations()[i]).thenComparing(i -> i));
            for (int k = 0; k < group.size(); k++) {
                turns[group.get(k)] = (k + 0.5) / group.size();
            }
        }
        long[] best = null;
        for (double[] rank : List.of(longest, heaviest, turns)) {
            long[] s = inOrder(p, rank);
            if (best == null || p.makespan(s) < p.makespan(best)) {
                best = s;
            }
        }
        return best;
    }

    /**
     * A serial schedule: builds in {@code rank} order, lowest first (a build only once its
     * dependencies are placed), each at the earliest second every cumulative has room for it.
     */
    static long[] inOrder(Problem p, double[] rank) {
        int n = p.durations().length;
        List<Build> builds = p.component().builds();
        // Each build's uses, by cumulative: a build's start burst and its polling load one window together.
        List<Map<Integer, List<Use>>> usesOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            usesOf.add(new TreeMap<>());
        }
        for (int k = 0; k < p.cumulatives().size(); k++) {
            for (Use u : p.cumulatives().get(k).uses()) {
                usesOf.get(u.build()).computeIfAbsent(k, x -> new ArrayList<>()).add(u);
            }
        }
        for (int i = 0; i < n; i++) {
            for (var e : usesOf.get(i).entrySet()) {
                Cumulative c = p.cumulatives().get(e.getKey());
                if (firstOver(new TreeMap<>(), e.getValue(), 0, c.capacity()) >= 0) {
                    throw new IllegalArgumentException("no schedule exists: " + builds.get(i).id() + " alone needs more"
                            + " of " + c.name() + " than its capacity of " + c.capacity());
                }
            }
        }
        List<NavigableMap<Long, Long>> profiles = new ArrayList<>();
        p.cumulatives().forEach(c -> profiles.add(new TreeMap<>()));
        long[] start = new long[n];
        boolean[] placed = new boolean[n];
        for (int step = 0; step < n; step++) {
            int next = -1;
            for (int i = 0; i < n; i++) {
                if (!placed[i] && builds.get(i).dependsOn().stream().allMatch(d -> placed[d])
                        && (next < 0 || rank[i] < rank[next])) {
                    next = i;
                }
            }
            long s = 0;
            for (int d : builds.get(next).dependsOn()) {
                s = Math.max(s, start[d] + p.durations()[d]);
            }
            boolean moved = true;
            while (moved) {
                moved = false;
                for (var e : usesOf.get(next).entrySet()) {
                    NavigableMap<Long, Long> profile = profiles.get(e.getKey());
                    long clash = firstOver(profile, e.getValue(), s, p.cumulatives().get(e.getKey()).capacity());
                    if (clash >= 0) {
                        // Shift the build so that what clashed meets the load's next step.
                        Long step2 = profile.higherKey(clash);
                        s += step2 == null ? 1 : step2 - clash;
                        moved = true;
                        break;
                    }
                }
            }
            start[next] = s;
            placed[next] = true;
            for (var e : usesOf.get(next).entrySet()) {
                NavigableMap<Long, Long> profile = profiles.get(e.getKey());
                for (Use u : e.getValue()) {
                    profile.merge(s + u.offset(), u.demand(), Long::sum);
                    profile.merge(s + u.offset() + u.size(), -u.demand(), Long::sum);
                }
            }
        }
        return start;
    }

    /**
     * The first second where {@code profile}'s load plus {@code uses} (of a build starting at
     * {@code start}) exceeds {@code capacity}, or -1.
     */
    private static long firstOver(NavigableMap<Long, Long> profile, List<Use> uses, long start, long capacity) {
        // The build's own load as steps, with the profile's steps over the same span, walked together.
        NavigableMap<Long, Long> steps = new TreeMap<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (Use u : uses) {
            steps.merge(start + u.offset(), u.demand(), Long::sum);
            steps.merge(start + u.offset() + u.size(), -u.demand(), Long::sum);
            from = Math.min(from, start + u.offset());
            to = Math.max(to, start + u.offset() + u.size());
        }
        long level = 0;
        for (long v : profile.headMap(from, true).values()) {
            level += v;
        }
        profile.subMap(from, false, to, false).forEach((t, v) -> steps.merge(t, v, Long::sum));
        for (var e : steps.headMap(to, false).entrySet()) {
            level += e.getValue();
            if (level > capacity) {
                return e.getKey();
            }
        }
        return -1;
    }
}
