package org.mipfed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time (user + system) used so far by a process, read from {@code /proc/<pid>/stat} (Linux): what a request
 * costs over all the processes that serve it, which the other work on a shared machine disturbs far less than wall
 * time. The figures are in clock ticks of {@value #TICKS_PER_SECOND} Hz (Linux's USER_HZ on x86 and arm64), so they
 * mean something over thousands of requests, not one.
 */
final class ProcessCpu {
    private static final double TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** The CPU milliseconds used so far by each process, in the order given; NaN where /proc cannot tell (not Linux). */
    static double[] each(List<Long> pids) {
        double[] ms = new double[pids.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = milliseconds(pids.get(i));
        }
        return ms;
    }

    /** The CPU milliseconds used so far by one process; NaN where /proc cannot tell. */
    static double milliseconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: the fields counted start after its last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of proc(5), utime and stime, are the 12th and 13th after the name.
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
