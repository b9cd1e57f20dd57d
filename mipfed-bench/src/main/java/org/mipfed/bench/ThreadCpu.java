package org.mipfed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time used so far by some of a process's threads, chosen by their names (Linux's {@code comm}, at most 15
 * characters), read from {@code /proc/<pid>/task}: the JIT compilers' share ({@link JitActivity}), or the manager's
 * threads that serve an analysis while it runs, apart from those that work after or beside it.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    /** The CPU milliseconds of the threads of {@code pid} whose name {@code which} accepts; NaN where /proc cannot tell. */
    static double milliseconds(long pid, Predicate<String> which) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                ticks += ticks(thread, which);
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ticks * 10.0;
    }

    /** User plus system clock ticks (1/100 s on Linux) of one thread if {@code which} accepts its name, else 0. */
    private static long ticks(Path thread, Predicate<String> which) {
        try {
            if (!which.test(Files.readString(thread.resolve("comm")).trim())) {
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
