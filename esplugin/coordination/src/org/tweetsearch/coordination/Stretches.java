package org.tweetsearch.coordination;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.lucene.util.ArrayUtil;

/** The stretches found, as (key, start ms, end ms), gathered from `StretchWalker`'s buckets: by a shard that holds
 * every matching tweet, or by the final reduce of several shards' buckets. */
final class Stretches {
    /** Added to a bucket number so that buckets before 1970 still sort, as unsigned 32-bit numbers. */
    static final long BUCKET_OFFSET = 1L << 31;

    private final long width;
    private final List<String> keys = new ArrayList<>();
    private long[] starts = new long[16];
    private long[] ends = new long[16];

    Stretches(long width) {
        this.width = width;
    }

    /** The stretch [from, to) of `key`'s buckets. */
    void add(String key, long from, long to) {
        int at = keys.size();
        keys.add(key);
        starts = ArrayUtil.grow(starts, at + 1);
        ends = ArrayUtil.grow(ends, at + 1);
        starts[at] = startOf(from);
        ends[at] = startOf(to);
    }

    InternalNearRepeats answer(String name, long tweets, Map<String, Object> metadata) {
        return InternalNearRepeats.stretches(
            name, tweets, keys, Arrays.copyOf(starts, keys.size()), Arrays.copyOf(ends, keys.size()), metadata
        );
    }

    /** The first millisecond of a bucket (numbered with `BUCKET_OFFSET`). */
    private long startOf(long bucket) {
        return (bucket - BUCKET_OFFSET) * width;
    }
}
