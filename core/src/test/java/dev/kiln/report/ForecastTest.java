package dev.kiln.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.RunResult;
import dev.kiln.sim.Simulation;
import dev.kiln.testing.Plans;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run forecasts itself once preflight is done, and its reports put the forecast beside what
 * happened. In a simulated cloud that behaves as the model says, the forecast must come true
 * exactly: any difference is the forecast seeing other limits, quotas or slots than the run.
 */
class ForecastTest {

    @TempDir
    Path runs;

    @Test
    void a_run_that_goes_as_modelled_meets_its_forecast_build_by_build() throws Exception {
        RunResult result = Simulation.builder().seed(5).hostSlots(6)
                .kiln(k -> k.files(f -> f.withRunsDirectory(runs).withEventLog(true))
                        .scheduling(s -> s.withForecast(true)))
                .build().run(Plans.random(5, 30)).run();

        RunReport report = RunReport.read(result.runDirectory());
        RunReport.Forecast forecast = report.forecast().orElseThrow();
        assertThat(forecast.starts()).hasSize(report.builds().size());
        assertThat(forecast.makespan()).isPositive();
        for (RunReport.Build b : report.builds()) {
            assertThat(report.startOf(b)).as(b.jobId()).isEqualTo(report.forecastStartOf(b)).isPresent();
        }
        assertThat(report.forecastRatio()).hasValue(1.0);

        String html = Files.readString(result.runDirectory().resolve(Reports.HTML));
        assertThat(html).contains("forecast (+0.0 %)");
        assertThat(Files.readString(result.runDirectory().resolve(Reports.SUMMARY)))
                .containsPattern("; forecast \\S+ \\(\\+0\\.0 %\\)");
    }

    @Test
    void a_simulation_does_not_forecast_itself_unless_asked() {
        RunResult result = Simulation.builder().seed(5)
                .kiln(k -> k.files(f -> f.withRunsDirectory(runs).withEventLog(true)))
                .build().run(Plans.random(5, 5)).run();
        assertThat(RunReport.read(result.runDirectory()).forecast()).isEmpty();
    }
}
