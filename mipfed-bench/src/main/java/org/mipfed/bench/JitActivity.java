package org.mipfed.bench;

import java.util.List;

/**
 * CPU time spent so far by the JIT compiler threads of some processes, read from /proc (Linux): how
 * the benchmark knows that the manager and the nodes are warmed up. A JVM compiles the methods one
 * request touches only after thousands of calls, so on 2 cores under load its compilers stay busy for
 * a minute or two after a start, taking CPU from the requests being measured.
 */
final class JitActivity {
    private final List<Long> pids;

    JitActivity(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** Total compiler CPU seconds of the processes; NaN where /proc cannot tell (not Linux). */
    double cpuSeconds() {
        double total = 0;
        for (long pid : pids) {
            total += milliseconds(pid) / 1000;
        }
        return total;
    }

    /**
     * The CPU milliseconds one process's JIT compiler threads used so far; NaN where /proc cannot tell. Subtracted
     * from the process's whole CPU ({@link ProcessCpu}), it leaves what the requests cost, which a warm-up cut short
     * (the compilers still busy) does not inflate.
     */
    static double milliseconds(long pid) {
        return ThreadCpu.milliseconds(pid, name -> name.contains("CompilerThre"));
    }

    /** {@link #milliseconds(long)} of each process, in the order given. */
    static double[] each(List<Long> pids) {
        double[] ms = new double[pids.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = milliseconds(pids.get(i));
        }
        return ms;
    }
}
