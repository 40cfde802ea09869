package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** No header value, token, query or body the gate sees reaches its log, its events or its values' toString. */
class GateSecrecyTest {

    private static final List<String> SECRETS = List.of("s3cret-header", "s3cret-body", "s3cret-query");

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Logger gateLogger;

    @BeforeEach
    void capture() {
        gateLogger = (Logger) LoggerFactory.getLogger("dev.kiln.gate");
        gateLogger.setLevel(Level.TRACE);
        log.start();
        gateLogger.addAppender(log);
    }

    @AfterEach
    void release() {
        gateLogger.detachAppender(log);
    }

    @Test
    void nothing_secret_is_logged_or_printed_on_success_throttle_or_failure() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        java.util.concurrent.Semaphore afterCalls = new java.util.concurrent.Semaphore(0);
        try (Fixtures.Upstream upstream = new Fixtures.Upstream();
             Gate gate = Gate.builder()
                     .intercept(Interception.hosts("management.azure.com", "nowhere.invalid"))
                     .router(host -> host.equals("nowhere.invalid") ? java.util.Optional.empty()
                             : java.util.Optional.of(upstream.uri()))
                     .meter(new Meter() {
                         @Override
                         public void before(GateRequest request) {
                             seen.add(request);
                         }

                         @Override
                         public void after(GateRequest request, GateResponse response) {
                             seen.add(response);
                             afterCalls.release();
                         }
                     })
                     .listener(seen::add)
                     .bundleDirectory(dir)
                     .start()) {
            GateClient build = gate.newClient("build-1");
            HttpClient http = Fixtures.client(gate, build, Fixtures.trusting(gate.caCertificate()),
                    HttpClient.Version.HTTP_1_1);
            for (String uri : List.of("https://management.azure.com/ok?sig=s3cret-query",
                    "https://management.azure.com/status/429?sig=s3cret-query",
                    "https://nowhere.invalid/x?sig=s3cret-query")) {
                http.send(HttpRequest.newBuilder(URI.create(uri)).header("X-Secret", "s3cret-header")
                        .POST(HttpRequest.BodyPublishers.ofString("client_secret=s3cret-body")).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            new java.net.Socket(gate.address().getAddress(), gate.address().getPort()).close();
            assertThat(afterCalls.tryAcquire(3, 30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("POST management.azure.com/ok -> 200"))
                    .anySatisfy(l -> assertThat(l).contains("cannot resolve nowhere.invalid"));
            assertThat(seen).hasSizeGreaterThan(6);
            for (String text : concat(lines, seen.stream().map(Object::toString).toList())) {
                assertThat(text).doesNotContain(build.token());
                SECRETS.forEach(secret -> assertThat(text).doesNotContain(secret));
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
