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
 * The distinct row selections a node has answered over or refused, per data model, as compressed
 * bitmaps of row ids, bounded: the oldest is forgotten first. The same store keeps, under keys of their
 * own (data model and variable), the row sets behind released figures ({@link PrivacyGuard#checkFigureRows}).
 * Check and remember happen under one lock, so two concurrent requests cannot both slip past each other.
 *
 * <p>With a file, the history outlives a restart: every selection remembered is appended to it
 * (data model, prefixed with the requester between two {@code \u0001} when refused, then the bitmap in RoaringBitmap's
 * portable format), the file is read back on start, and rewritten with only what is remembered once it
 * holds twice the capacity. A record cut short by a crash is dropped on the next start. The filters
 * that reached each answered selection are kept in memory only (a restart forgets them, so a
 * selection reached again after one counts once as reached by another filter).
 */
final class RowSetHistory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RowSetHistory.class);

    private final int capacity;
    private final Path file;
    /** Before a data model's id (which never starts with a control character): the selection was refused. */
    static final String REFUSED_MARK = "\u0001";
    /** Distinct filters remembered per answered selection: enough for honest use, bounded for an attacker's. */
    private static final int FILTERS_PER_SELECTION = 64;

    /** What {@link #admit} decided. */
    enum Verdict {
        /** New or already known, reached by a filter already seen with it (or without a filter). */
        ADMITTED,
        /** Already answered, but reached now through a filter not seen with it. */
        REPEATED_BY_ANOTHER_FILTER,
        /** Too close to an answered selection or to a refused one. */
        REFUSED
    }

    /**
     * A remembered selection: its rows, whom it was refused to (null: answered), and the filters that reached
     * it (answered ones). A refused selection stops only its own requester: were it to stop everyone, one
     * requester could make a popular selection unusable for all by asking for it with a row more.
     */
    private static final class Entry {
        final RoaringBitmap rows;
        final long size;
        final String refusedTo;
        final java.util.Set<Long> filters = new java.util.LinkedHashSet<>();

        Entry(RoaringBitmap rows, String refusedTo) {
            this.rows = rows;
            this.size = rows.getLongCardinality();
            this.refusedTo = refusedTo;
        }

        boolean refused() {
            return refusedTo != null;
        }
    }

    private final Map<String, Deque<Entry>> byModel = new HashMap<>();
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
     * Remembers {@code selected} as answered unless it differs from a remembered answered selection by
     * between 1 and {@code minDifference - 1} rows, or from a remembered refused one by fewer than
     * {@code minDifference} rows (none included).
     *
     * @param filter a fingerprint of the filter that selected the rows, 0 for none
     * @param requester who asks: only selections refused to them count
     * @param whole whether the selection is all rows of the requested datasets: never stopped by a refused one
     */
    synchronized Verdict admit(
            String dataModel, RoaringBitmap selected, int minDifference, long filter, String requester, boolean whole) {
        requireNonNull(dataModel, "dataModel is null");
        if (capacity == 0) {
            return Verdict.ADMITTED;
        }
        Deque<Entry> known = byModel.computeIfAbsent(dataModel, k -> new ArrayDeque<>());
        long size = selected.getLongCardinality();
        Entry same = null;
        for (Entry earlier : known) {
            // |A Δ B| ≥ ||A| − |B||: most selections are ruled out by their sizes alone.
            if (Math.abs(earlier.size - size) >= minDifference) {
                continue;
            }
            long difference = RoaringBitmap.xorCardinality(earlier.rows, selected);
            if (earlier.refused()) {
                if (!whole && difference < minDifference && earlier.refusedTo.equals(requester)) {
                    return Verdict.REFUSED;
                }
                continue;
            }
            if (difference == 0) {
                same = earlier;
            } else if (difference < minDifference) {
                return Verdict.REFUSED;
            }
        }
        if (same == null) {
            RoaringBitmap copy = selected.clone();
            copy.runOptimize();
            Entry entry = new Entry(copy, null);
            if (filter != 0) {
                entry.filters.add(filter);
            }
            remember(dataModel, entry);
            persist(dataModel, entry);
            return Verdict.ADMITTED;
        }
        if (filter == 0 || same.filters.contains(filter)) {
            return Verdict.ADMITTED;
        }
        if (same.filters.size() < FILTERS_PER_SELECTION) {
            same.filters.add(filter);
        }
        return Verdict.REPEATED_BY_ANOTHER_FILTER;
    }

    /** {@link #admit(String, RoaringBitmap, int, long)} without a filter: 0 if admitted, else 1. */
    synchronized long admit(String dataModel, RoaringBitmap selected, int minDifference) {
        return admit(dataModel, selected, minDifference, 0, "", false) == Verdict.REFUSED ? 1 : 0;
    }

    /**
     * The smallest difference between 1 and {@code minDifference - 1} rows of {@code selected} from an
     * answered row set remembered under {@code key}, or 0 if there is none; remembers nothing.
     */
    synchronized long closest(String key, RoaringBitmap selected, int minDifference) {
        requireNonNull(key, "key is null");
        Deque<Entry> known = byModel.get(key);
        if (known == null) {
            return 0;
        }
        long size = selected.getLongCardinality();
        long closest = 0;
        for (Entry earlier : known) {
            if (earlier.refused() || Math.abs(earlier.size - size) >= minDifference) {
                continue;
            }
            long difference = RoaringBitmap.xorCardinality(earlier.rows, selected);
            if (difference > 0 && difference < minDifference && (closest == 0 || difference < closest)) {
                closest = difference;
            }
        }
        return closest;
    }

    /** Remembers {@code selected} under {@code key} as answered, unless the very same rows are remembered there already. */
    synchronized void add(String key, RoaringBitmap selected) {
        requireNonNull(key, "key is null");
        if (capacity == 0) {
            return;
        }
        Deque<Entry> known = byModel.get(key);
        if (known != null) {
            long size = selected.getLongCardinality();
            for (Entry earlier : known) {
                if (!earlier.refused()
                        && earlier.size == size
                        && RoaringBitmap.xorCardinality(earlier.rows, selected) == 0) {
                    return;
                }
            }
        }
        RoaringBitmap copy = selected.clone();
        copy.runOptimize();
        Entry entry = new Entry(copy, null);
        remember(key, entry);
        persist(key, entry);
    }

    /** Remembers {@code selected} as refused to {@code requester}: their later selections within the minimum of it are refused too. */
    synchronized void refuse(String dataModel, RoaringBitmap selected, String requester) {
        requireNonNull(requester, "requester is null");
        requireNonNull(dataModel, "dataModel is null");
        if (capacity == 0) {
            return;
        }
        Deque<Entry> known = byModel.computeIfAbsent(dataModel, k -> new ArrayDeque<>());
        for (Entry earlier : known) {
            if (requester.equals(earlier.refusedTo)
                    && earlier.size == selected.getLongCardinality()
                    && earlier.rows.equals(selected)) {
                return;
            }
        }
        RoaringBitmap copy = selected.clone();
        copy.runOptimize();
        Entry entry = new Entry(copy, requester);
        remember(dataModel, entry);
        persist(dataModel, entry);
    }

    private void remember(String dataModel, Entry entry) {
        Deque<Entry> known = byModel.computeIfAbsent(dataModel, k -> new ArrayDeque<>());
        known.addLast(entry);
        if (known.size() > capacity) {
            known.removeFirst();
        }
    }

    private void persist(String dataModel, Entry entry) {
        if (file == null) {
            return;
        }
        try {
            if (records >= 2L * capacity * Math.max(1, byModel.size())) {
                rewrite();
            }
            write(out, dataModel, entry);
            out.flush(); // in the operating system's hands: a crash of the node loses nothing, a power cut the last few
            records++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the differencing history " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(DataOutputStream to, String dataModel, Entry entry) throws IOException {
        to.writeUTF(entry.refused() ? REFUSED_MARK + entry.refusedTo + REFUSED_MARK + dataModel : dataModel);
        to.writeInt(entry.rows.serializedSizeInBytes());
        entry.rows.serialize(to);
    }

    private void load() {
        boolean damaged = false;
        if (Files.exists(file)) {
            try (InputStream raw = Files.newInputStream(file);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
                while (true) {
                    String model;
                    try {
                        model = in.readUTF();
                    } catch (EOFException end) {
                        break;
                    }
                    int length = in.readInt();
                    RoaringBitmap selection = new RoaringBitmap();
                    selection.deserialize(new DataInputStream(new ByteArrayInputStream(in.readNBytes(length))));
                    String refusedTo = null;
                    if (model.startsWith(REFUSED_MARK)) {
                        int end = model.indexOf(REFUSED_MARK, 1);
                        refusedTo = model.substring(1, end);
                        model = model.substring(end + 1);
                    }
                    remember(model, new Entry(selection, refusedTo));
                    records++;
                }
            } catch (IOException | RuntimeException e) {
                // A record cut short by a crash (or a damaged file): keep what was read, write the file anew.
                LOG.warn(
                        "the differencing history {} ends in a damaged record ({}); keeping the {} selections before it",
                        file,
                        e.getMessage(),
                        records);
                damaged = true;
            }
        }
        try {
            if (damaged) {
                rewrite();
            } else {
                open();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the differencing history " + file + ": " + e.getMessage(), e);
        }
    }

    private void open() throws IOException {
        OutputStream raw = Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
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
            for (Map.Entry<String, Deque<Entry>> e : byModel.entrySet()) {
                for (Entry selection : e.getValue()) {
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
            } catch (IOException e) {
                LOG.warn("closing the differencing history {}: {}", file, e.getMessage());
            }
            out = null;
        }
    }
}
