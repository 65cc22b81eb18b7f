package org.tweetsearch.coordination;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/** The stretches found, as (key, start ms, end ms), gathered from `StretchWalker`'s buckets: by a shard that holds
 * every matching tweet, or by the final reduce of several shards' buckets. Their growth is charged (`Memory`); the
 * keys' strings are the caller's to charge, since the reduce names stretches with strings it holds already. */
final class Stretches {
    /** Added to a bucket number so that buckets before 1970 still sort, as unsigned 32-bit numbers. */
    static final long BUCKET_OFFSET = 1L << 31;

    private final long width;
    private final LongConsumer charge;
    private final List<String> keys = new ArrayList<>();
    private long[] starts = new long[0];
    private long[] ends = new long[0];

    Stretches(long width, LongConsumer charge) {
        this.width = width;
        this.charge = charge;
    }

    /** The stretch [from, to) of `key`'s buckets. */
    void add(String key, long from, long to) {
        int at = keys.size();
        charge.accept(Memory.LIST_SLOT);
        keys.add(key);
        starts = Memory.grow(starts, at + 1, charge);
        ends = Memory.grow(ends, at + 1, charge);
        starts[at] = startOf(from);
        ends[at] = startOf(to);
    }

    InternalNearRepeats answer(String name, long tweets, Map<String, Object> metadata) {
        long[] exactStarts = Memory.longs(keys.size(), charge);
        long[] exactEnds = Memory.longs(keys.size(), charge);
        System.arraycopy(starts, 0, exactStarts, 0, keys.size());
        System.arraycopy(ends, 0, exactEnds, 0, keys.size());
        return InternalNearRepeats.stretches(name, tweets, keys, exactStarts, exactEnds, metadata);
    }

    /** The first millisecond of a bucket (numbered with `BUCKET_OFFSET`). */
    private long startOf(long bucket) {
        return (bucket - BUCKET_OFFSET) * width;
    }
}
