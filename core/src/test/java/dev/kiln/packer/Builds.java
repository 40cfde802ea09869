package dev.kiln.packer;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildRequest;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Object mother for packer runner tests: jobs, requests and a callback recorder. */
final class Builds {

    static final Target TARGET = Target.of("aws", "123456789012", "us-east-1");

    private Builds() {
    }

    static Path template(String name) {
        try {
            return Path.of(Builds.class.getResource("/packer/templates/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static BuildJob job(String image, String template, String only, Map<String, String> variables,
                        Set<String> sensitive) {
        ImageSpec.Builder spec = ImageSpec.builder(image, template(template), "null").only(only);
        variables.forEach((k, v) -> {
            if (sensitive.contains(k)) {
                spec.sensitiveVariable(k, v);
            } else {
                spec.variable(k, v);
            }
        });
        return new BuildJob(JobId.of(image, TARGET, "dev"), spec.build(), TARGET, "dev", "kiln-" + image + "-dev",
                "t1-" + image, Set.of(), null);
    }

    static BuildRequest request(BuildJob job, Path workspace, Map<String, String> env, Duration timeout) {
        return new BuildRequest(job, 1, workspace, workspace.resolveSibling(workspace.getFileName() + ".log"), env,
                Map.of(), Set.of(), timeout, Duration.ofMinutes(1), null);
    }

    /** Records what a runner reports about one build. */
    static final class Recorder implements BuildCallbacks {
        final List<PackerEvent> events = new CopyOnWriteArrayList<>();
        final List<String> throttles = new CopyOnWriteArrayList<>();
        final CompletableFuture<BuildExit> exit = new CompletableFuture<>();
        final AtomicInteger exits = new AtomicInteger();
        private final List<Watch> watches = new CopyOnWriteArrayList<>();

        /** Completes with the first event matching {@code p}, already seen or still to come. */
        CompletableFuture<PackerEvent> when(Predicate<PackerEvent> p) {
            Watch w = new Watch(p, new CompletableFuture<>());
            watches.add(w);
            for (PackerEvent e : events) {
                if (p.test(e)) {
                    w.future.complete(e);
                }
            }
            return w.future;
        }

        @Override
        public void onEvent(PackerEvent event) {
            events.add(event);
            for (Watch w : watches) {
                if (w.predicate.test(event)) {
                    w.future.complete(event);
                }
            }
        }

        @Override
        public void onThrottle(String api) {
            throttles.add(String.valueOf(api));
        }

        @Override
        public void onExit(BuildExit buildExit) {
            exits.incrementAndGet();
            exit.complete(buildExit);
        }

        /** Every event's text, as a person reading the output would see it. */
        List<String> texts() {
            List<String> out = new ArrayList<>();
            for (PackerEvent e : events) {
                out.add(text(e));
            }
            return out;
        }

        static String text(PackerEvent e) {
            if (e instanceof PackerEvent.Say s) {
                return s.text();
            } else if (e instanceof PackerEvent.Message m) {
                return m.text();
            } else if (e instanceof PackerEvent.Error x) {
                return x.text();
            } else if (e instanceof PackerEvent.BuildErrored b) {
                return "Build '" + b.build() + "' errored: " + b.text();
            } else if (e instanceof PackerEvent.BuildFinished f) {
                return "Build '" + f.build() + "' finished";
            } else if (e instanceof PackerEvent.Unparsed u) {
                return u.line();
            } else if (e instanceof PackerEvent.ArtifactReady a) {
                return "artifact " + a.artifact();
            } else if (e instanceof PackerEvent.Other o) {
                return o.type() + " " + String.join(",", o.data());
            }
            return e.toString();
        }

        static Predicate<PackerEvent> messageContaining(String text) {
            return e -> e instanceof PackerEvent.Message m && m.text().contains(text);
        }

        private record Watch(Predicate<PackerEvent> predicate, CompletableFuture<PackerEvent> future) {
        }
    }
}
