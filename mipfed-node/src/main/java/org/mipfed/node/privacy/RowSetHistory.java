package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distinct row selections a node has answered over, per data model, as compressed bitmaps of
 * row ids, bounded: the oldest is forgotten first. The same store keeps, under keys of their own
 * (data model and variable), the row sets behind released figures ({@link PrivacyGuard#checkFigureRows}). Check and remember happen under one lock, so two
 * concurrent requests cannot both slip past each other.
 *
 * <p>With a file, the history outlives a restart: every selection remembered is appended to it
 * (data model, then the bitmap in RoaringBitmap's portable format), the file is read back on start,
 * and rewritten with only what is remembered once it holds twice the capacity. A record cut short by
 * a crash is dropped on the next start.
 */
final class RowSetHistory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RowSetHistory.class);

    private final int capacity;
    private final Path file;
    private final Map<String, Deque<RoaringBitmap>> byModel = new HashMap<>();
    private DataOutputStream out;
    private long records;

    RowSetHistory(int capacity) {
        this(capacity, null);
    }

    /** A history kept in {@code file} too (null: in memory only). */
    RowSetHistory(int capacity, Path file) {
        this.capacity = capacity;
        this.file = file;
        if (file != null && capacity > 0) {
            load();
        }
    }

    /**
     * Remembers {@code selected} unless it differs from a remembered selection by between 1 and
     * {@code minDifference - 1} rows.
     *
     * @return 0 if admitted (or already known), else the smallest such difference
     */
    synchronized long admit(String dataModel, RoaringBitmap selected, int minDifference) {
        long closest = closest(dataModel, selected, minDifference);
        if (closest == 0) {
            add(dataModel, selected);
        }
        return closest;
    }

    /**
     * The smallest difference between 1 and {@code minDifference - 1} rows of {@code selected} from a
     * row set remembered under {@code key}, or 0 if there is none; remembers nothing.
     */
    synchronized long closest(String key, RoaringBitmap selected, int minDifference) {
        requireNonNull(key, "key is null");
        if (capacity == 0) {
            return 0;
        }
        Deque<RoaringBitmap> known = byModel.get(key);
        if (known == null) {
            return 0;
        }
        long size = selected.getLongCardinality();
        long closest = 0;
        for (RoaringBitmap earlier : known) {
            // |A Δ B| ≥ ||A| − |B||: most selections are ruled out by their sizes alone.
            if (Math.abs(earlier.getLongCardinality() - size) >= minDifference) {
                continue;
            }
            long difference = RoaringBitmap.xorCardinality(earlier, selected);
            if (difference > 0 && difference < minDifference && (closest == 0 || difference < closest)) {
                closest = difference;
            }
        }
        return closest;
    }

    /** Remembers {@code selected} under {@code key}, unless the very same rows are remembered there already. */
    synchronized void add(String key, RoaringBitmap selected) {
        requireNonNull(key, "key is null");
        if (capacity == 0) {
            return;
        }
        Deque<RoaringBitmap> known = byModel.get(key);
        if (known != null) {
            long size = selected.getLongCardinality();
            for (RoaringBitmap earlier : known) {
                if (earlier.getLongCardinality() == size && RoaringBitmap.xorCardinality(earlier, selected) == 0) {
                    return;
                }
            }
        }
        RoaringBitmap copy = selected.clone();
        copy.runOptimize();
        remember(key, copy);
        persist(key, copy);
    }

    private void remember(String dataModel, RoaringBitmap selection) {
        Deque<RoaringBitmap> known = byModel.computeIfAbsent(dataModel, k -> new ArrayDeque<>());
        known.addLast(selection);
        if (known.size() > capacity) {
            known.removeFirst();
        }
    }

    private void persist(String dataModel, RoaringBitmap selection) {
        if (file == null) {
            return;
        }
        try {
            if (records >= 2L * capacity * Math.max(1, byModel.size())) {
                rewrite();
            }
            write(out, dataModel, selection);
            out.flush(); // in the operating system's hands: a crash of the node loses nothing, a power cut the last few
            records++;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write the differencing history " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(DataOutputStream to, String dataModel, RoaringBitmap selection) throws IOException {
        to.writeUTF(dataModel);
        to.writeInt(selection.serializedSizeInBytes());
        selection.serialize(to);
    }

    private void load() {
        boolean damaged = false;
        if (Files.exists(file)) {
            try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
                while (true) {
                    String model;
                    try {
                        model = in.readUTF();
                    }
                    catch (EOFException end) {
                        break;
                    }
                    int length = in.readInt();
                    RoaringBitmap selection = new RoaringBitmap();
                    selection.deserialize(new DataInputStream(new ByteArrayInputStream(in.readNBytes(length))));
                    remember(model, selection);
                    records++;
                }
            }
            catch (IOException | RuntimeException e) {
                // A record cut short by a crash (or a damaged file): keep what was read, write the file anew.
                LOG.warn("the differencing history {} ends in a damaged record ({}); keeping the {} selections before it", file, e.getMessage(), records);
                damaged = true;
            }
        }
        try {
            if (damaged) {
                rewrite();
            }
            else {
                open();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot open the differencing history " + file + ": " + e.getMessage(), e);
        }
    }

    private void open() throws IOException {
        OutputStream raw = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        out = new DataOutputStream(new BufferedOutputStream(raw));
    }

    /** Writes only what is remembered into a new file and moves it over the old one. */
    private void rewrite() throws IOException {
        if (out != null) {
            out.close();
        }
        Path next = file.resolveSibling(file.getFileName() + ".next");
        long written = 0;
        try (DataOutputStream to = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(next)))) {
            for (Map.Entry<String, Deque<RoaringBitmap>> e : byModel.entrySet()) {
                for (RoaringBitmap selection : e.getValue()) {
                    write(to, e.getKey(), selection);
                    written++;
                }
            }
        }
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        records = written;
        open();
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            }
            catch (IOException e) {
                LOG.warn("closing the differencing history {}: {}", file, e.getMessage());
            }
            out = null;
        }
    }
}
