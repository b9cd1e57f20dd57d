package org.mipfed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestRTimings {
    @TempDir
    Path dir;

    @Test
    void theScriptHasACallForEveryAnalysisTheBenchmarkAsksItToTime() throws Exception {
        String script = RTimings.script();
        for (String analysis : RTimings.ANALYSES) {
            assertThat(script).contains("  " + analysis + " = function() ");
        }
    }

    @Test
    void anAnalysisTheScriptDoesNotKnowIsRefusedBeforeRStarts() {
        assertThatThrownBy(() -> RTimings.time(
                        Path.of("Rscript"), dir, dir.resolve("none.csv"), 1, List.of("naive_bayes_gaussian_cv")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("naive_bayes_gaussian_cv");
    }

    /** Where R is installed (with data.table): the script runs on the benchmark's own CSV and times what it is asked. */
    @Test
    void rTimesEachAnalysisAskedForOnTheSyntheticRows() throws Exception {
        Path rscript = RTimings.rscript().orElse(null);
        assumeTrue(rscript != null, "Rscript is not on the PATH: R is not installed here");
        Path csv = SyntheticData.writeCsv(dir, 0, 2_000).toAbsolutePath();

        Map<String, Double> times = RTimings.time(rscript, dir, csv, 1, RTimings.ANALYSES);

        assertThat(times.keySet()).containsExactlyElementsOf(RTimings.ANALYSES);
        assertThat(times.values()).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(0.0));
        assertThat(RTimings.time(rscript, dir, csv, 1, List.of("pca")).keySet()).containsExactly("pca");
    }
}
