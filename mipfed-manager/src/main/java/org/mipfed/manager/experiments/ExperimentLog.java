package org.mipfed.manager.experiments;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where a running manager's experiments are kept: the managers' replicated log. Each record says which manager runs
 * the experiment, so that another manager can end the experiments of one that died.
 */
public interface ExperimentLog {
    /** The experiments this manager has applied, by id, each with the manager that runs it: local, never waits. */
    Map<String, Run> experiments();

    /**
     * The experiments of {@link #experiments()} still pending or running, by id. The replicated log keeps an index of
     * them, so that the checks that end abandoned experiments (every second) do not scan every experiment ever run;
     * this default scans.
     */
    default Map<String, Run> unfinishedExperiments() {
        Map<String, Run> out = new java.util.TreeMap<>();
        experiments().forEach((id, run) -> {
            if (run.experiment().unfinished()) {
                out.put(id, run);
            }
        });
        return out;
    }

    /**
     * Commits these records (new ones, or newer states of known ones) as run by this manager.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit them
     */
    void putExperiments(List<Experiment> experiments);

    /**
     * Commits these records as they are, keeping the manager each one names (another manager ending a dead one's
     * experiments).
     */
    void putRuns(List<Run> runs);

    /**
     * Commits these interrupted records, each taken only where the experiment is still pending or running when it
     * applies (an end committed meanwhile stays; an experiment the log does not hold is not made), keeping the manager
     * the log names.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit them
     */
    void interruptExperiments(List<Run> runs);

    /**
     * Commits experiments found in files that the log does not know yet (a data directory from before replication, a
     * record copied or restored into it), with no manager running them; those it knows are left as they are.
     */
    void importExperiments(List<Experiment> experiments);

    /**
     * Commits the removal of these experiments.
     *
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit it
     */
    void removeExperiments(Collection<String> ids);

    /** This manager's id in the group. */
    String self();

    /**
     * One experiment and the manager that runs it.
     *
     * @param manager the id of the manager that accepted it (null for a record imported from before replication)
     */
    record Run(Experiment experiment, String manager) {}
}
