package dev.kiln.gate;

import static dev.kiln.gate.Fixtures.ScriptedUpstream.Move.ANSWER;
import static dev.kiln.gate.Fixtures.ScriptedUpstream.Move.ANSWER_THEN_CLOSE_IDLE;
import static dev.kiln.gate.Fixtures.ScriptedUpstream.Move.RESET;
import static dev.kiln.gate.Fixtures.ScriptedUpstream.Move.SILENCE;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kiln.gate.Fixtures.PackerConnection;
import dev.kiln.gate.Fixtures.ScriptedUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The gate sends a request upstream a second time only when that is provably safe (issue 17): every
 * EC2 Query call is a POST, and a RunInstances sent twice launches two instances. Each test warms
 * one pooled upstream connection with a first call, then makes the call under test on it.
 */
class GateResendTest {

    private static final String EC2 = "ec2.us-east-1.amazonaws.com";

    @TempDir
    Path dir;

    private final List<GateEvent> events = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Logger gateLogger;

    @BeforeEach
    void capture() {
        gateLogger = (Logger) LoggerFactory.getLogger("dev.kiln.gate");
        log.start();
        gateLogger.addAppender(log);
    }

    @AfterEach
    void release() {
        gateLogger.detachAppender(log);
    }

    @Test
    void a_post_whose_answer_is_lost_after_the_upstream_read_it_is_sent_once_and_answered_502() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream((connection, place) -> place == 2 ? RESET : ANSWER);
             Gate gate = gate(upstream, Gate.builder());
             PackerConnection packer = warmed(gate)) {

            packer.write(post("Action=RunInstances&ImageId=ami-1"));
            PackerConnection.Answer answer = packer.read(false);

            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::body)
                    .containsExactly("", "Action=RunInstances&ImageId=ami-1");
            String line = "kiln gate: the connection to " + upstream.uri() + " for " + EC2 + " broke after POST"
                    + " was sent (";
            String advice = "); the gate does not send it again, as the upstream may have acted on it";
            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.head()).contains("\r\nX-Kiln-Gate: broken\r\n");
            assertThat(answer.body()).startsWith(line).endsWith(advice + "\n");
            assertThat(failures()).singleElement().satisfies(e -> {
                assertThat(e.cause()).isEqualTo(GateEvent.Cause.BROKEN);
                assertThat(e.host()).isEqualTo(EC2);
                assertThat(e.message() + "\n").isEqualTo(answer.body());
            });
        }
    }

    @Test
    void a_get_whose_answer_is_lost_is_sent_once_more_on_a_new_connection() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream((connection, place) ->
                connection == 1 && place == 2 ? RESET : ANSWER);
             Gate gate = gate(upstream, Gate.builder());
             PackerConnection packer = warmed(gate)) {

            packer.write(get("/images"));
            PackerConnection.Answer answer = packer.read(false);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("GET /images ");
            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::connection,
                    ScriptedUpstream.Request::target).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(1, "/warm"),
                    org.assertj.core.groups.Tuple.tuple(1, "/images"),
                    org.assertj.core.groups.Tuple.tuple(2, "/images"));
            assertThat(failures()).isEmpty();
        }
    }

    @Test
    void a_get_is_sent_again_once_only() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream((connection, place) ->
                connection == 1 && place == 1 ? ANSWER : RESET);
             Gate gate = gate(upstream, Gate.builder());
             PackerConnection packer = warmed(gate)) {

            packer.write(get("/images"));
            PackerConnection.Answer answer = packer.read(false);

            assertThat(answer.status()).isEqualTo(502);
            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::target)
                    .containsExactly("/warm", "/images", "/images");
            assertThat(failures()).singleElement().extracting(GateEvent.UpstreamFailed::cause)
                    .isEqualTo(GateEvent.Cause.BROKEN);
        }
    }

    @Test
    void a_call_the_upstream_did_not_answer_in_time_is_never_sent_again() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream((connection, place) ->
                connection == 1 && place == 2 ? SILENCE : ANSWER);
             Gate gate = gate(upstream, Gate.builder().responseTimeout(Duration.ofSeconds(2)));
             PackerConnection packer = warmed(gate)) {

            packer.write(get("/images"));
            PackerConnection.Answer answer = packer.read(false);

            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.body()).isEqualTo("kiln gate: " + upstream.uri() + " did not answer within PT2S; check"
                    + " that it is reachable from this machine, or raise the gate's timeouts\n");
            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::target).containsExactly("/warm", "/images");
            assertThat(failures()).singleElement().extracting(GateEvent.UpstreamFailed::cause)
                    .isEqualTo(GateEvent.Cause.TIMEOUT);
        }
    }

    @Test
    void a_post_finding_its_pooled_connection_closed_while_idle_goes_once_on_a_new_one() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream((connection, place) ->
                connection == 1 ? ANSWER_THEN_CLOSE_IDLE : ANSWER);
             Gate gate = gate(upstream, Gate.builder());
             PackerConnection packer = warmed(gate)) {
            assertThat(upstream.closedIdle.tryAcquire(30, TimeUnit.SECONDS)).isTrue();

            packer.write(post("Action=CreateImage&InstanceId=i-1"));
            PackerConnection.Answer answer = packer.read(false);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("POST / Action=CreateImage&InstanceId=i-1");
            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::connection,
                    ScriptedUpstream.Request::target).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(1, "/warm"),
                    org.assertj.core.groups.Tuple.tuple(2, "/"));
            assertThat(failures()).isEmpty();
        }
    }

    @Test
    void closing_the_gate_during_a_call_sends_nothing_again_and_warns_of_nothing() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream((connection, place) -> place == 2 ? SILENCE : ANSWER)) {
            Gate gate = gate(upstream, Gate.builder());
            try (PackerConnection packer = warmed(gate)) {
                packer.write(post("Action=RunInstances&ImageId=ami-1"));
                assertThat(upstream.received.tryAcquire(2, 30, TimeUnit.SECONDS)).isTrue();

                gate.close();
            } finally {
                gate.close();
            }

            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::body)
                    .containsExactly("", "Action=RunInstances&ImageId=ami-1");
            assertThat(events).isEmpty();
            assertThat(log.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        }
    }

    private Gate gate(ScriptedUpstream upstream, Gate.Builder builder) {
        return builder.intercept(Interception.hosts(EC2)).router(Router.all(upstream.uri())).listener(events::add)
                .bundleDirectory(dir).start();
    }

    /** Packer's connection after a first call, which leaves the gate one pooled upstream connection. */
    private static PackerConnection warmed(Gate gate) throws Exception {
        PackerConnection packer = PackerConnection.open(gate, gate.newClient("build-1"), EC2);
        packer.write(get("/warm"));
        assertThat(packer.read(false).status()).isEqualTo(200);
        return packer;
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: " + EC2 + "\r\n\r\n";
    }

    private static String post(String form) {
        return "POST / HTTP/1.1\r\nHost: " + EC2 + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.length() + "\r\n\r\n" + form;
    }

    private List<GateEvent.UpstreamFailed> failures() {
        return events.stream().filter(GateEvent.UpstreamFailed.class::isInstance)
                .map(GateEvent.UpstreamFailed.class::cast).toList();
    }
}
