package org.tweetsearch.coordination;

import java.io.IOException;

/**
 * The rule by which an item's time buckets, walked in ascending order, give the stretches worth reading: two or
 * more of its tweets in one bucket give that bucket, tweets in two side-by-side buckets give the two, and the
 * item's stretches are merged where they overlap or touch. The Python twin is `near_candidates` followed by
 * `merge_selections` (search/coordination.py).
 */
final class StretchWalker {
    /** Where each merged stretch goes, in buckets: [from, to). */
    interface Sink {
        void stretch(long from, long to) throws IOException;
    }

    private final Sink sink;
    private long previous = Long.MIN_VALUE;
    private long runStart = -1;
    private long runEnd = -1;

    StretchWalker(Sink sink) {
        this.sink = sink;
    }

    /** The next bucket of the item (buckets are 0 or more, ascending), and whether it holds two tweets or more. */
    void bucket(long bucket, boolean twice) throws IOException {
        boolean adjacent = previous == bucket - 1;
        if (adjacent || twice) {
            long from = adjacent ? bucket - 1 : bucket;
            if (runStart >= 0 && from <= runEnd) {
                runEnd = bucket + 1;
            } else {
                flush();
                runStart = from;
                runEnd = bucket + 1;
            }
        }
        previous = bucket;
    }

    /** The item is done: its last stretch goes out, and the walker is ready for the next item. */
    void endItem() throws IOException {
        flush();
        previous = Long.MIN_VALUE;
    }

    private void flush() throws IOException {
        if (runStart >= 0) {
            sink.stretch(runStart, runEnd);
        }
        runStart = -1;
        runEnd = -1;
    }
}
