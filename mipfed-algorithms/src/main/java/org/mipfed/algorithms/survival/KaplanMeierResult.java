package org.mipfed.algorithms.survival;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code kaplan_meier}: R's {@code survfit} per group, and {@code survdiff} between the groups.
 *
 * @param timeVar the time variable (y)
 * @param eventVar the event indicator (the first x)
 * @param eventLevel its level that means the event happened
 * @param groupVar the grouping variable (the second x), or null
 * @param binWidth the width of the time bins; times are moved up to the end of their bin
 * @param confLevel the confidence level of the intervals
 * @param curves one per group with rows, in the data model's level order (one, with a null group, without grouping)
 * @param nObs the rows over all curves
 * @param nEvents the events over all curves
 * @param logrank the log-rank test between the groups; absent without grouping
 */
public record KaplanMeierResult(
        String timeVar,
        String eventVar,
        String eventLevel,
        String groupVar,
        double binWidth,
        double confLevel,
        List<KaplanMeier.Curve> curves,
        long nObs,
        long nEvents,
        @JsonInclude(JsonInclude.Include.NON_NULL) KaplanMeier.LogRank logrank)
        implements AlgorithmResult {
    public KaplanMeierResult {
        requireNonNull(timeVar, "timeVar is null");
        requireNonNull(eventVar, "eventVar is null");
        requireNonNull(eventLevel, "eventLevel is null");
        curves = List.copyOf(curves);
    }
}
