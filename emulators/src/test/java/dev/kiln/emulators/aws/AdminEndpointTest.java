package dev.kiln.emulators.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.spi.EmulatorServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The loopback-only admin API under /_kiln/, and the raw Query protocol an SDK never sends wrong. */
class AdminEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Ec2Emulator emulator;
    private Ec2Client ec2;

    @BeforeEach
    void start() {
        emulator = Ec2Emulator.builder().delays(Ec2Delays.none()).start();
        ec2 = Sdk.ec2(emulator, "us-east-1");
    }

    @AfterEach
    void stop() {
        ec2.close();
        emulator.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException,
            InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(emulator.endpoint().resolve(path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void countersFaultsResourcesAndResetOverJson() throws Exception {
        String image = emulator.publicImageId("us-east-1", "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
        ec2.runInstances(r -> r.imageId(image).instanceType(InstanceType.T3_MICRO).minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(Tag.builder().key("kiln:build-id").value("b-9").build()).build()));

        JsonNode counters = json(send("GET", "/_kiln/counters", null));
        assertThat(counters.path("provider").asText()).isEqualTo("aws");
        assertThat(counters.path("actions").path("RunInstances").path("calls").asLong()).isEqualTo(1);

        JsonNode tagged = json(send("GET", "/_kiln/resources?tagKey=kiln:build-id&tagValue=b-9", null));
        assertThat(tagged).hasSize(1);
        assertThat(tagged.get(0).path("type").asText()).isEqualTo("instance");

        HttpResponse<String> injected = send("POST", "/_kiln/faults", "{\"action\":\"DescribeRegions\",\"errorRate\":1}");
        assertThat(injected.statusCode()).isEqualTo(200);
        assertThatThrownBy(ec2::describeRegions).isInstanceOf(Ec2Exception.class);
        assertThat(json(send("GET", "/_kiln/faults", null)).path("DescribeRegions").path("errorRate").asDouble())
                .isEqualTo(1.0);
        assertThat(send("DELETE", "/_kiln/faults", null).statusCode()).isEqualTo(200);
        assertThat(ec2.describeRegions().regions()).isNotEmpty();

        // throttles and resets, through the same endpoint
        assertThat(send("POST", "/_kiln/faults", "{\"action\":\"DescribeRegions\",\"throttleRate\":0.25,"
                + "\"resetRate\":0.5}").statusCode()).isEqualTo(200);
        JsonNode both = json(send("GET", "/_kiln/faults", null)).path("DescribeRegions");
        assertThat(both.path("throttleRate").asDouble()).isEqualTo(0.25);
        assertThat(both.path("resetRate").asDouble()).isEqualTo(0.5);
        assertThat(send("DELETE", "/_kiln/faults?action=DescribeRegions", null).statusCode()).isEqualTo(200);

        assertThat(json(send("GET", "/_kiln/calls", null)).get(0).path("action").asText()).isEqualTo("RunInstances");
        assertThat(send("POST", "/_kiln/reset", null).statusCode()).isEqualTo(200);
        assertThat(json(send("GET", "/_kiln/counters", null)).path("total").path("calls").asLong()).isZero();
        assertThat(ec2.describeInstances().reservations()).isEmpty();
    }

    @Test
    void badAdminRequestsSayWhatIsAllowed() throws Exception {
        HttpResponse<String> bad = send("POST", "/_kiln/faults", "{\"errorRate\":1}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("error").asText()).startsWith("the body must be a JSON object with \"action\"");
        assertThat(send("POST", "/_kiln/faults", "{\"action\":\"*\",\"errorRate\":2}").body())
                .contains("error rate must be between 0 and 1, got 2.0");
        assertThat(send("GET", "/_kiln/nothing", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/_kiln/resources", null).statusCode()).isEqualTo(400);
    }

    @Test
    void onlyLoopbackClientsMayUseTheAdminApi() throws Exception {
        assertThat(EmulatorServer.isAdminAllowed(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))).isTrue();
        assertThat(EmulatorServer.isAdminAllowed(InetAddress.getByName("::1"))).isTrue();
        assertThat(EmulatorServer.isAdminAllowed(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}))).isFalse();
        assertThat(EmulatorServer.isAdminAllowed(InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 0, 7})))
                .isFalse();
        assertThat(EmulatorServer.isAdminAllowed(null)).isFalse();
    }

    @Test
    void emulatorsRefuseToBindAnythingButLoopback() {
        assertThatThrownBy(() -> Ec2Emulator.builder().host("0.0.0.0").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("emulators bind loopback addresses only, got 0.0.0.0");
    }

    @Test
    void anUnknownActionIsInvalidActionAndRemembered() throws Exception {
        HttpResponse<String> r = send("POST", "/", "Action=FrobnicateWidgets&Version=2016-11-15");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Response><Errors><Error><Code>InvalidAction</Code>"
                + "<Message>The action FrobnicateWidgets is not valid for this web service.</Message></Error></Errors>"
                + "<RequestID>");
        assertThat(emulator.unknownActions()).containsExactly("FrobnicateWidgets");

        HttpResponse<String> missing = send("POST", "/", "Version=2016-11-15");
        assertThat(missing.body()).contains("<Code>MissingAction</Code>");
    }

    @Test
    void answersUseEc2sNamespace() throws Exception {
        HttpResponse<String> r = send("POST", "/", "Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1");
        assertThat(r.body()).contains("<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">")
                .contains("<regionName>eu-west-1</regionName>").doesNotContain("us-east-1");
        assertThat(URI.create(emulator.endpoint().toString()).getHost()).isEqualTo("127.0.0.1");
    }
}
