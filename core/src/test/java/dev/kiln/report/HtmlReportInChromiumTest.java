package dev.kiln.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.RunResult;
import dev.kiln.testing.Chromium;
import dev.kiln.testing.RequiresChromium;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a browser shows it: headless Chromium renders a real run's report and a
 * hostile one, takes screenshots, and dumps the DOM after scripts ran.
 */
@RequiresChromium
class HtmlReportInChromiumTest {

    @TempDir
    Path work;

    @Test
    void a_runs_report_renders_with_content_and_without_script_errors() throws Exception {
        // Given the report of a simulated run with failures and retries
        RunResult result = ReportFixtures.simulatedRun(work.resolve("runs")).run();
        Path page = result.runDirectory().resolve(Reports.HTML);
        Chromium chromium = new Chromium(Chromium.find().orElseThrow(), work);

        // When
        Path png = work.resolve("report.png");
        Chromium.Output shot = chromium.screenshot(page, png, 1280, 1600);
        Chromium.Output dom = chromium.dumpDom(page);

        // Then the page is not blank
        assertThat(png).as("screenshot; chromium said:%n%s", shot.stderr()).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(luminanceVariance(image)).as("pixel variance of the screenshot").isGreaterThan(200);
        assertThat(distinctColours(image)).as("distinct colours").isGreaterThan(20);

        // And its script ran, with nothing logged as an error (a CSP violation would be)
        assertThat(dom.stdout()).contains("data-kiln-rendered=\"ok\"").contains("<svg class=\"timeline\"");
        assertThat(consoleErrors(dom.stderr())).isEmpty();
    }

    @Test
    void markup_in_a_plan_renders_inert() throws Exception {
        // Given a report whose plan name, messages and artifacts carry scripts and event handlers
        Path page = work.resolve("hostile.html");
        Files.writeString(page, Reports.html(RunReport.of(ReportFixtures.hostileRun())));
        Chromium chromium = new Chromium(Chromium.find().orElseThrow(), work);

        // When
        Chromium.Output dom = chromium.dumpDom(page);

        // Then Kiln's script ran and none of theirs did
        assertThat(dom.stdout()).contains("data-kiln-rendered=\"ok\"").doesNotContain("data-pwned=\"")
                .contains("&lt;script&gt;");
        assertThat(consoleErrors(dom.stderr())).isEmpty();
    }

    private static List<String> consoleErrors(String stderr) {
        return Arrays.stream(stderr.split("\n"))
                .filter(l -> l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Content Security Policy")
                        || l.contains("Refused to"))
                .toList();
    }

    private static double luminanceVariance(BufferedImage image) {
        double sum = 0;
        double sumSq = 0;
        long n = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                double l = 0.2126 * ((rgb >> 16) & 0xff) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff);
                sum += l;
                sumSq += l * l;
                n++;
            }
        }
        double mean = sum / n;
        return sumSq / n - mean * mean;
    }

    private static long distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y) & 0xf0f0f0);
            }
        }
        return colours.size();
    }
}
