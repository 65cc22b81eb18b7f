package org.tweetsearch.coordination;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BytesRef;
import org.elasticsearch.index.fielddata.IndexFieldData;
import org.elasticsearch.index.fielddata.IndexOrdinalsFieldData;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.search.aggregations.AggregationExecutionContext;
import org.elasticsearch.search.aggregations.Aggregator;
import org.elasticsearch.search.aggregations.InternalAggregation;
import org.elasticsearch.search.aggregations.LeafBucketCollector;
import org.elasticsearch.search.aggregations.metrics.MetricsAggregator;
import org.elasticsearch.search.aggregations.support.AggregationContext;

/**
 * Collects one long per (tweet, item): the item's global ordinal in the high 32 bits and the tweet's time bucket
 * in the low 32; sorts them; and walks each item's buckets in order (see `NearRepeatsAggregationBuilder`).
 * Eight bytes a value, counted against the request circuit breaker: 80 MB for 10M tweets.
 */
final class NearRepeatsAggregator extends MetricsAggregator {
    private static final long LOW_32 = 0xFFFFFFFFL;

    private final NearRepeatsAggregationBuilder spec;
    private final IndexOrdinalsFieldData fieldData;
    private IndexOrdinalsFieldData global;
    private LeafReaderContext anyLeaf;
    private final Map<Long, Long> itemOf = new HashMap<>();
    private final Map<Long, String> groupName = new HashMap<>();
    private long[] values = new long[0];
    private int size;
    private long tweets;

    NearRepeatsAggregator(
        NearRepeatsAggregationBuilder spec,
        AggregationContext context,
        Aggregator parent,
        Map<String, Object> metadata
    ) throws IOException {
        super(spec.getName(), context, parent, metadata);
        this.spec = spec;
        MappedFieldType type = context.getFieldType(spec.field);
        if (type == null) {
            fieldData = null;
            return;
        }
        IndexFieldData<?> data = context.buildFieldContext(type).indexFieldData();
        if (data instanceof IndexOrdinalsFieldData ordinals) {
            fieldData = ordinals;
        } else {
            throw new IllegalArgumentException("[" + NearRepeatsAggregationBuilder.NAME + "] needs a keyword field, not [" + spec.field + "]");
        }
    }

    @Override
    public ScoreMode scoreMode() {
        return ScoreMode.COMPLETE_NO_SCORES;
    }

    @Override
    protected LeafBucketCollector getLeafCollector(AggregationExecutionContext aggCtx, LeafBucketCollector sub) throws IOException {
        if (fieldData == null) {
            return LeafBucketCollector.NO_OP_COLLECTOR;
        }
        LeafReaderContext leaf = aggCtx.getLeafReaderContext();
        SortedSetDocValues ords = globalOrdinals(leaf);
        SortedNumericDocValues times = DocValues.getSortedNumeric(leaf.reader(), spec.timeField);
        return new LeafBucketCollector() {
            @Override
            public void collect(int doc, long owningBucketOrd) throws IOException {
                if (times.advanceExact(doc) == false || ords.advanceExact(doc) == false) {
                    return;
                }
                long bucket = Math.floorDiv(times.nextValue(), spec.width) + Stretches.BUCKET_OFFSET;
                if (bucket < 0 || bucket > LOW_32) {
                    throw new IllegalArgumentException("[" + NearRepeatsAggregationBuilder.NAME + "] cannot bucket the time of document " + doc);
                }
                tweets++;
                int count = ords.docValueCount();
                reserve(count);
                for (int i = 0; i < count; i++) {
                    values[size++] = (item(ords.nextOrd()) << 32) | bucket;
                }
            }
        };
    }

    /** The field's global ordinals on this segment; on the first, also the item of each key of `same_item`. */
    private SortedSetDocValues globalOrdinals(LeafReaderContext leaf) throws IOException {
        if (global == null) {
            global = fieldData.loadGlobal((DirectoryReader) leaf.parent.reader());
            anyLeaf = leaf;
            SortedSetDocValues lookup = global.load(leaf).getOrdinalsValues();
            if (lookup.getValueCount() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("[" + NearRepeatsAggregationBuilder.NAME + "] takes fields of fewer than 2^31 terms");
            }
            for (List<String> keys : spec.sameItem) {
                long first = -1;
                for (String key : keys) {
                    long ord = lookup.lookupTerm(new BytesRef(key));
                    if (ord < 0) {
                        continue;
                    }
                    if (first < 0) {
                        first = ord;
                        groupName.put(ord, keys.get(0));
                    }
                    itemOf.put(ord, first);
                }
            }
        }
        return global.load(leaf).getOrdinalsValues();
    }

    private long item(long ord) {
        if (itemOf.isEmpty()) {
            return ord;
        }
        Long item = itemOf.get(ord);
        return item == null ? ord : item;
    }

    private void reserve(int more) {
        if (size + more <= values.length) {
            return;
        }
        int length = ArrayUtil.oversize(size + more, Long.BYTES);
        addRequestCircuitBreakerBytes((long) (length - values.length) * Long.BYTES);
        values = Arrays.copyOf(values, length);
    }

    @Override
    public InternalAggregation buildAggregation(long owningBucketOrd) throws IOException {
        if (size == 0) {
            return buildEmptyAggregation();
        }
        Arrays.sort(values, 0, size);
        SortedSetDocValues terms = global.load(anyLeaf).getOrdinalsValues();
        InternalAggregation answer = spec.acrossShards ? buckets(terms) : stretches(terms);
        values = new long[0];
        return answer;
    }

    /** Every item's stretches, walked here: this shard holds every matching tweet. */
    private InternalAggregation stretches(SortedSetDocValues terms) throws IOException {
        Stretches found = new Stretches(spec.width);
        long[] item = {-1};
        StretchWalker walker = new StretchWalker((from, to) -> found.add(name(terms, item[0]), from, to));
        for (int at = 0; at < size;) {
            item[0] = values[at] >>> 32;
            at = walkBuckets(at, walker::bucket);
            walker.endItem();
        }
        return found.answer(name, tweets, metadata());
    }

    /** Every item's buckets, items in name order, for the final reduce to merge with other shards'. */
    private InternalAggregation buckets(SortedSetDocValues terms) throws IOException {
        List<String> names = new ArrayList<>();
        LongList packed = new LongList();
        LongList firsts = new LongList(); // where each item's buckets begin in `packed`
        for (int at = 0; at < size;) {
            names.add(name(terms, values[at] >>> 32));
            firsts.add(packed.size);
            at = walkBuckets(at, (bucket, twice) -> packed.add(bucket << 1 | (twice ? 1 : 0)));
        }
        firsts.add(packed.size);
        Integer[] order = new Integer[names.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> names.get(a).compareTo(names.get(b)));
        List<String> items = new ArrayList<>(names.size());
        int[] offsets = new int[names.size() + 1];
        long[] sorted = new long[packed.size];
        for (int i = 0; i < order.length; i++) {
            items.add(names.get(order[i]));
            int from = (int) firsts.values[order[i]];
            int length = (int) firsts.values[order[i] + 1] - from;
            System.arraycopy(packed.values, from, sorted, offsets[i], length);
            offsets[i + 1] = offsets[i] + length;
        }
        return InternalNearRepeats.buckets(name, tweets, items, offsets, sorted, spec.width, metadata());
    }

    /** A growing array of longs. */
    private static final class LongList {
        long[] values = new long[16];
        int size;

        void add(long value) {
            values = ArrayUtil.grow(values, size + 1);
            values[size++] = value;
        }
    }

    private interface BucketSink {
        void bucket(long bucket, boolean twice) throws IOException;
    }

    /** The item starting at `at`: its distinct buckets, each with whether it holds two values or more; returns
     * where the next item starts. */
    private int walkBuckets(int at, BucketSink sink) throws IOException {
        long item = values[at] >>> 32;
        while (at < size && (values[at] >>> 32) == item) {
            long value = values[at];
            int count = 0;
            while (at < size && values[at] == value) {
                at++;
                count++;
            }
            sink.bucket(value & LOW_32, count >= 2);
        }
        return at;
    }

    /** An item's name: a key of `same_item` stands for its group by the group's first key, whichever of the
     * group's keys this shard holds, so that every shard names a page alike. */
    private String name(SortedSetDocValues terms, long item) throws IOException {
        String group = groupName.get(item);
        return group != null ? group : terms.lookupOrd(item).utf8ToString();
    }

    @Override
    public InternalAggregation buildEmptyAggregation() {
        if (spec.acrossShards) {
            return InternalNearRepeats.buckets(name, tweets, List.of(), new int[] {0}, new long[0], spec.width, metadata());
        }
        return InternalNearRepeats.stretches(name, tweets, List.of(), new long[0], new long[0], metadata());
    }
}
