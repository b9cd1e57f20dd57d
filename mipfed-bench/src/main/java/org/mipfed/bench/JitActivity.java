package org.mipfed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                ticks += compilerTicks(thread);
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ticks * 10.0;
    }

    /** {@link #milliseconds(long)} of each process, in the order given. */
    static double[] each(List<Long> pids) {
        double[] ms = new double[pids.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = milliseconds(pids.get(i));
        }
        return ms;
    }

    /** User plus system clock ticks (1/100 s on Linux) of one thread if it is a JIT compiler thread, else 0. */
    private static long compilerTicks(Path thread) {
        try {
            String name = Files.readString(thread.resolve("comm")).trim();
            if (!name.contains("CompilerThre")) {
                return 0;
            }
            String stat = Files.readString(thread.resolve("stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            // A thread that ended meanwhile.
            return 0;
        }
    }
}
