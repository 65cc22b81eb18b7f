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
    /** Added to a bucket number so that buckets before 1970 still sort, as unsigned 32-bit numbers. */
    private static final long BUCKET_OFFSET = 1L << 31;
    private static final long LOW_32 = 0xFFFFFFFFL;

    private final NearRepeatsAggregationBuilder spec;
    private final IndexOrdinalsFieldData fieldData;
    private IndexOrdinalsFieldData global;
    private LeafReaderContext anyLeaf;
    private final Map<Long, Long> itemOf = new HashMap<>();
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
                long bucket = Math.floorDiv(times.nextValue(), spec.width) + BUCKET_OFFSET;
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
        List<String> keys = new ArrayList<>();
        long[] starts = new long[16];
        long[] ends = new long[16];
        int found = 0;
        int at = 0;
        while (at < size) {
            long item = values[at] >>> 32;
            long previous = -2;
            long runStart = -1;
            long runEnd = -1;
            while (at < size && (values[at] >>> 32) == item) {
                long value = values[at];
                long bucket = value & LOW_32;
                int count = 0;
                while (at < size && values[at] == value) {
                    at++;
                    count++;
                }
                long from = previous == bucket - 1 ? bucket - 1 : bucket;
                if (previous == bucket - 1 || count >= 2) {
                    if (runStart >= 0 && from <= runEnd) {
                        runEnd = bucket + 1;
                    } else {
                        if (runStart >= 0) {
                            found = add(keys, starts, ends, found, terms, item, runStart, runEnd);
                            starts = grown(starts, found);
                            ends = grown(ends, found);
                        }
                        runStart = from;
                        runEnd = bucket + 1;
                    }
                }
                previous = bucket;
            }
            if (runStart >= 0) {
                found = add(keys, starts, ends, found, terms, item, runStart, runEnd);
                starts = grown(starts, found);
                ends = grown(ends, found);
            }
        }
        values = new long[0];
        return new InternalNearRepeats(name, keys, Arrays.copyOf(starts, found), Arrays.copyOf(ends, found), tweets, metadata());
    }

    private int add(List<String> keys, long[] starts, long[] ends, int found, SortedSetDocValues terms, long item, long from, long to)
        throws IOException {
        keys.add(terms.lookupOrd(item).utf8ToString());
        starts[found] = (from - BUCKET_OFFSET) * spec.width;
        ends[found] = (to - BUCKET_OFFSET) * spec.width;
        return found + 1;
    }

    private static long[] grown(long[] array, int used) {
        return used < array.length ? array : Arrays.copyOf(array, array.length * 2);
    }

    @Override
    public InternalAggregation buildEmptyAggregation() {
        return new InternalNearRepeats(name, List.of(), new long[0], new long[0], tweets, metadata());
    }
}
