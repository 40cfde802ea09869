package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meter sees every intercepted call, attributed to its build, and may hold it. */
class GateMeterTest {

    @TempDir
    Path dir;

    private Fixtures.Upstream upstream;
    private Gate gate;
    private final List<GateRequest> before = new CopyOnWriteArrayList<>();
    private final List<GateResponse> after = new CopyOnWriteArrayList<>();
    private final List<GateRequest> afterRequests = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile CountDownLatch release = new CountDownLatch(0);
    private volatile String holdClient = "";
    // Meter.after runs once packer has its answer: a test waits for it, as Kiln's accounting would not.
    private final java.util.concurrent.Semaphore afterCalls = new java.util.concurrent.Semaphore(0);

    @BeforeEach
    void start() throws Exception {
        upstream = new Fixtures.Upstream();
        gate = Gate.builder()
                .intercept(Interception.hosts("ec2.*.amazonaws.com", "management.azure.com"))
                .router(Router.all(upstream.uri()))
                .meter(new Meter() {
                    @Override
                    public void before(GateRequest request) throws InterruptedException {
                        before.add(request);
                        if (request.client().name().equals(holdClient)) {
                            entered.countDown();
                            release.await();
                        }
                    }

                    @Override
                    public void after(GateRequest request, GateResponse response) {
                        afterRequests.add(request);
                        after.add(response);
                        afterCalls.release();
                    }
                })
                .bundleDirectory(dir)
                .maxBufferedBody(64)
                .start();
    }

    @AfterEach
    void stop() {
        gate.close();
        upstream.close();
    }

    @Test
    void every_request_is_seen_with_its_build_host_method_target_and_body() throws Exception {
        GateClient one = gate.newClient("build-1");
        GateClient two = gate.newClient("build-2");

        send(one, "https://ec2.us-east-1.amazonaws.com/", "Action=RunInstances&ImageId=ami-1");
        send(two, "https://ec2.eu-west-1.amazonaws.com/", "Action=DescribeInstances");
        send(one, "https://management.azure.com/subscriptions/s?api-version=1", null);

        assertThat(before).extracting(r -> r.client().name(), GateRequest::host, GateRequest::method,
                GateRequest::target).containsExactly(
                tuple("build-1", "ec2.us-east-1.amazonaws.com", "POST", "/"),
                tuple("build-2", "ec2.eu-west-1.amazonaws.com", "POST", "/"),
                tuple("build-1", "management.azure.com", "GET", "/subscriptions/s?api-version=1"));
        assertThat(before.get(0).client()).isEqualTo(one);
        assertThat(before.get(0).body().asString(StandardCharsets.UTF_8)).isEqualTo("Action=RunInstances&ImageId=ami-1");
        assertThat(before.get(2).path()).isEqualTo("/subscriptions/s");
        assertThat(before.get(2).query()).hasValue("api-version=1");
        awaitAfter(3);
        assertThat(after).extracting(GateResponse::status).containsExactly(200, 200, 200);
        assertThat(afterRequests).containsExactlyElementsOf(before);
    }

    @Test
    void a_held_request_does_not_reach_the_upstream_until_the_meter_lets_it_go() throws Exception {
        holdClient = "held";
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        GateClient held = gate.newClient("held");

        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return send(held, "https://ec2.us-east-1.amazonaws.com/", "Action=RunInstances").body();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        GateClient other = gate.newClient("other");
        send(other, "https://ec2.us-east-1.amazonaws.com/", "Action=DescribeImages");

        assertThat(upstream.seen).extracting(Fixtures.Seen::body).containsExactly("Action=DescribeImages");
        release.countDown();
        assertThat(answer.get(30, TimeUnit.SECONDS)).endsWith("Action=RunInstances");
        assertThat(upstream.seen).extracting(Fixtures.Seen::body)
                .containsExactly("Action=DescribeImages", "Action=RunInstances");
    }

    @Test
    void a_body_longer_than_the_buffer_reaches_the_meter_truncated_and_the_upstream_whole() throws Exception {
        GateClient build = gate.newClient("build-1");
        String large = "Action=ImportImage&Data=" + "x".repeat(10_000);

        HttpResponse<String> response = send(build, "https://ec2.us-east-1.amazonaws.com/", large);

        assertThat(response.body()).endsWith(large);
        assertThat(before.get(0).body().size()).isEqualTo(64);
        assertThat(before.get(0).body().truncated()).isTrue();
        assertThat(upstream.seen.get(0).body()).isEqualTo(large);
    }

    @Test
    void an_sdk_retry_is_told_from_a_first_attempt() throws Exception {
        GateClient build = gate.newClient("build-1");

        send(build, "https://management.azure.com/status/429", null);
        send(build, "https://management.azure.com/status/429", null);
        send(build, "https://management.azure.com/status/200", null);
        send(build, "https://management.azure.com/status/200", null);
        HttpClient http = http(build);
        http.send(HttpRequest.newBuilder(URI.create("https://ec2.us-east-1.amazonaws.com/status/200"))
                .header("amz-sdk-request", "attempt=3; max=3").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(before).extracting(GateRequest::attempt).containsExactly(1, 2, 1, 1, 3);
        awaitAfter(5);
        assertThat(after.get(0).status()).isEqualTo(429);
        assertThat(after.get(0).errorBody().asString(StandardCharsets.UTF_8)).isEqualTo("status 429");
        assertThat(after.get(2).errorBody().isEmpty()).isTrue();
    }

    private void awaitAfter(int calls) throws InterruptedException {
        assertThat(afterCalls.tryAcquire(calls, 30, TimeUnit.SECONDS)).as("Meter.after called %d times", calls).isTrue();
    }

    private HttpResponse<String> send(GateClient client, String uri, String form) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
        if (form != null) {
            request.POST(HttpRequest.BodyPublishers.ofString(form))
                    .header("Content-Type", "application/x-www-form-urlencoded");
        }
        return http(client).send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpClient http(GateClient client) throws Exception {
        return Fixtures.client(gate, client, Fixtures.trusting(gate.caCertificate()), HttpClient.Version.HTTP_1_1);
    }
}
