package org.mipfed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mipfed.node.NodeAgent;
import org.mipfed.node.NodePaths;
import org.mipfed.node.store.DuckDbStore;

/**
 * One JVM of the benchmark's simulated nodes: runs many real {@link NodeAgent}s side by side, each with its own data
 * directory (store, certificate, audit log, privacy history) and its own mutual-TLS session to the manager, exactly as
 * {@code mipfed node run} would start it, so that hundreds of nodes fit one machine. What they share is what a JVM
 * shares anyway: gRPC's Netty event loops, the heap, the JIT. Each agent's DuckDB takes one thread and a small memory
 * limit ({@link DuckDbStore#THREADS_PROPERTY}), where a real node takes a thread per core and 80% of the RAM.
 *
 * <p>Arguments: a file listing the agents' data directories, one per line. The host runs until it is killed (SIGTERM
 * closes the agents); it prints {@code started N} once every agent runs.
 */
public final class SimulatedNodeHost {
    private SimulatedNodeHost() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SimulatedNodeHost <file listing the nodes' data directories>");
            System.exit(2);
        }
        System.setProperty(DuckDbStore.THREADS_PROPERTY, System.getProperty(DuckDbStore.THREADS_PROPERTY, "1"));
        System.setProperty(
                DuckDbStore.MEMORY_LIMIT_PROPERTY, System.getProperty(DuckDbStore.MEMORY_LIMIT_PROPERTY, "64MB"));
        List<Path> dirs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.isBlank()) {
                dirs.add(Path.of(line.trim()));
            }
        }
        List<NodeAgent> agents = Collections.synchronizedList(new ArrayList<>());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (agents) {
                agents.forEach(NodeAgent::close);
            }
        }));
        // two at a time: opening a store and checking an audit log is I/O and a little CPU
        ExecutorService starting = Executors.newFixedThreadPool(2);
        List<Future<?>> started = new ArrayList<>();
        for (Path dir : dirs) {
            started.add(starting.submit(() -> agents.add(NodeAgent.start(new NodePaths(dir)))));
        }
        for (Future<?> f : started) {
            f.get();
        }
        starting.shutdown();
        System.out.println("started " + agents.size());
        System.out.flush();
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the list of data directories a host reads. */
    static Path writeList(Path file, List<Path> dirs) throws IOException {
        List<String> lines = new ArrayList<>();
        dirs.forEach(d -> lines.add(d.toAbsolutePath().toString()));
        Files.write(file, lines);
        return file;
    }
}
