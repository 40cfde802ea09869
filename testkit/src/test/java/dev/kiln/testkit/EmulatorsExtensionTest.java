package dev.kiln.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.aws.Ec2Emulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One emulator per test class, handed to lifecycle and test methods alike. */
@KilnEmulators
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmulatorsExtensionTest {

    private static Ec2Emulator fromBeforeAll;

    @BeforeAll
    static void remember(Ec2Emulator ec2) {
        fromBeforeAll = ec2;
    }

    @Test
    @Order(1)
    void theSameEmulatorServesTheWholeClass(Ec2Emulator ec2) throws Exception {
        assertThat(ec2).isSameAs(fromBeforeAll);
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(ec2.endpoint() + "/_kiln/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).isEqualTo("{\"provider\":\"aws\",\"status\":\"up\"}");
    }

    @Test
    @Order(2)
    void andIsStillTheSameInTheNextTest(Ec2Emulator ec2) {
        assertThat(ec2).isSameAs(fromBeforeAll);
        assertThat(ec2.endpoint().getPort()).isPositive();
    }
}
