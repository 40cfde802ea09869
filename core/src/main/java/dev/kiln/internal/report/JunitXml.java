package dev.kiln.internal.report;

import static dev.kiln.internal.report.Text.escape;

import dev.kiln.job.JobState;
import dev.kiln.report.RunReport;
import dev.kiln.report.RunReport.Build;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A run as JUnit XML, the format CI servers read: one test case per build, its class name the
 * build's {@code provider/region} so CI groups builds by where they ran, a failure carrying the
 * classified cause and packer's message, a cancelled build skipped.
 */
public final class JunitXml {

    private JunitXml() {
    }

    public static String of(RunReport run) {
        List<Build> builds = run.builds();
        int failures = 0;
        int skipped = 0;
        for (Build b : builds) {
            if (b.state() == JobState.FAILED) {
                failures++;
            } else if (b.state() != JobState.SUCCEEDED) {
                skipped++;
            }
        }
        String time = Text.seconds(run.elapsed());
        // JUnit's schema wants a local date-time without zone; whole seconds, as CI servers print them.
        String timestamp = LocalDateTime.ofInstant(run.startedAt(), ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuites name=\"kiln ").append(escape(run.plan())).append("\" tests=\"").append(builds.size())
                .append("\" failures=\"").append(failures).append("\" errors=\"0\" skipped=\"").append(skipped)
                .append("\" time=\"").append(time).append("\">\n");
        sb.append("  <testsuite name=\"").append(escape(run.plan())).append("\" id=\"").append(escape(run.runId()))
                .append("\" tests=\"").append(builds.size()).append("\" failures=\"").append(failures)
                .append("\" errors=\"0\" skipped=\"").append(skipped).append("\" time=\"").append(time)
                .append("\" timestamp=\"").append(timestamp).append("\">\n");
        sb.append("    <properties>\n");
        property(sb, "kiln.run-id", run.runId());
        property(sb, "kiln.packer", run.packer());
        run.runDirectory().ifPresent(d -> property(sb, "kiln.run-directory", d.toString()));
        property(sb, "kiln.throttles", String.valueOf(run.throttles().size()));
        sb.append("    </properties>\n");
        for (Build b : builds) {
            testCase(sb, b);
        }
        sb.append("  </testsuite>\n</testsuites>\n");
        return sb.toString();
    }

    private static void property(StringBuilder sb, String name, String value) {
        sb.append("      <property name=\"").append(escape(name)).append("\" value=\"").append(escape(value))
                .append("\"/>\n");
    }

    private static void testCase(StringBuilder sb, Build b) {
        sb.append("    <testcase classname=\"").append(escape(b.provider() + "/" + b.region()))
                .append("\" name=\"").append(escape(b.image() + "/" + b.env() + " (" + b.account() + ")"))
                .append("\" time=\"").append(Text.seconds(b.ran())).append("\">\n");
        if (b.state() == JobState.FAILED) {
            String cause = b.failure() == null ? "FAILED" : b.failure().name();
            sb.append("      <failure type=\"").append(escape(cause)).append("\" message=\"")
                    .append(escape(cause + ": " + Text.oneLine(b.message(), 500))).append("\">")
                    .append(escape(details(b))).append("</failure>\n");
        } else if (b.state() != JobState.SUCCEEDED) {
            sb.append("      <skipped message=\"").append(escape(Text.lower(b.state()) + ": "
                    + Text.oneLine(b.message(), 500))).append("\"/>\n");
        }
        sb.append("      <system-out>").append(escape(systemOut(b))).append("</system-out>\n");
        sb.append("    </testcase>\n");
    }

    private static String details(Build b) {
        List<String> lines = new ArrayList<>();
        lines.add(b.message());
        lines.addAll(b.diagnosis());
        if (!b.swept().isEmpty()) {
            lines.add("swept: " + String.join(", ", b.swept()));
        }
        if (b.log() != null) {
            lines.add("log: " + b.log());
        }
        return String.join("\n", lines);
    }

    private static String systemOut(Build b) {
        List<String> lines = new ArrayList<>();
        lines.add("job " + b.jobId());
        if (b.imageName() != null) {
            lines.add("image " + b.imageName() + (b.buildId() == null ? "" : ", build id " + b.buildId()));
        }
        lines.add(b.state() + " after " + b.attempts().size() + (b.attempts().size() == 1 ? " attempt" : " attempts")
                + "; waited " + Text.duration(b.waited()) + ", ran " + Text.duration(b.ran()));
        if (!b.verified().isEmpty()) {
            lines.add("verified " + String.join(", ", b.verified()));
        } else if (!b.artifacts().isEmpty()) {
            lines.add("artifacts " + String.join(", ", b.artifacts()));
        }
        if (b.log() != null) {
            lines.add("log " + b.log());
        }
        return String.join("\n", lines);
    }
}
