package org.tweetsearch.coordination;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IntroSorter;
import org.elasticsearch.common.util.BigArrays;
import org.elasticsearch.common.util.IntArray;
import org.elasticsearch.common.util.LongArray;
import org.elasticsearch.common.util.LongHash;
import org.elasticsearch.core.Releasables;
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
 * Eight bytes a value, counted against the request circuit breaker: 80 MB for 10M tweets. So is everything else
 * it builds (`Memory`): the keys of `same_item` (in a `LongHash` of the breaker-counting BigArrays), and the
 * answer's strings and arrays, which grow with the archive's distinct items, not with the request.
 */
final class NearRepeatsAggregator extends MetricsAggregator {
    private static final long LOW_32 = 0xFFFFFFFFL;

    private final NearRepeatsAggregationBuilder spec;
    private final IndexOrdinalsFieldData fieldData;
    private final LongConsumer charge = bytes -> addRequestCircuitBreakerBytes(bytes);
    private IndexOrdinalsFieldData global;
    private LeafReaderContext anyLeaf;
    // The keys of `same_item` this shard holds: id (in `sameKeys`) of a key's ordinal -> the ordinal of its group's
    // first key here (the item it stands for), and the group's number (that item's name is the group's first key).
    private LongHash sameKeys;
    private LongArray itemOfKey;
    private IntArray groupOfKey;
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
            if (spec.sameItem.isEmpty() == false) {
                readSameItem(lookup);
            }
        }
        return global.load(leaf).getOrdinalsValues();
    }

    /** The item of each key of `same_item` this shard holds. A key listed twice keeps its first group. */
    private void readSameItem(SortedSetDocValues lookup) throws IOException {
        BigArrays arrays = context.bigArrays(); // counts against the request circuit breaker
        sameKeys = new LongHash(16, arrays);
        itemOfKey = arrays.newLongArray(16, false);
        groupOfKey = arrays.newIntArray(16, false);
        for (int group = 0; group < spec.sameItem.size(); group++) {
            long first = -1;
            for (String key : spec.sameItem.get(group)) {
                long ord = lookup.lookupTerm(new BytesRef(key));
                if (ord < 0) {
                    continue;
                }
                long id = sameKeys.add(ord);
                if (id < 0) {
                    continue;
                }
                if (first < 0) {
                    first = ord;
                }
                itemOfKey = arrays.grow(itemOfKey, id + 1);
                groupOfKey = arrays.grow(groupOfKey, id + 1);
                itemOfKey.set(id, first);
                groupOfKey.set(id, group);
            }
        }
    }

    private long item(long ord) {
        if (sameKeys == null) {
            return ord;
        }
        long id = sameKeys.find(ord);
        return id < 0 ? ord : itemOfKey.get(id);
    }

    private void reserve(int more) {
        if (size + more > values.length) {
            values = Memory.grow(values, size + more, charge);
        }
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
        Stretches found = new Stretches(spec.width, charge);
        long[] item = {-1};
        String[] named = {null}; // the item's name, made once for all its stretches
        StretchWalker walker = new StretchWalker((from, to) -> {
            if (named[0] == null) {
                named[0] = name(terms, item[0]);
            }
            found.add(named[0], from, to);
        });
        for (int at = 0; at < size;) {
            item[0] = values[at] >>> 32;
            named[0] = null;
            at = walkBuckets(at, walker::bucket);
            walker.endItem();
        }
        return found.answer(name, tweets, metadata());
    }

    /** Every item's buckets, items in name order, for the final reduce to merge with other shards'. */
    private InternalAggregation buckets(SortedSetDocValues terms) throws IOException {
        List<String> names = new ArrayList<>();
        LongList packed = new LongList(charge);
        LongList firsts = new LongList(charge); // where each item's buckets begin in `packed`
        for (int at = 0; at < size;) {
            names.add(name(terms, values[at] >>> 32));
            firsts.add(packed.size);
            at = walkBuckets(at, (bucket, twice) -> packed.add(bucket << 1 | (twice ? 1 : 0)));
        }
        firsts.add(packed.size);
        int[] order = Memory.ints(names.size(), charge);
        Arrays.setAll(order, i -> i);
        new IntroSorter() {
            private String pivot;

            @Override
            protected void swap(int i, int j) {
                int kept = order[i];
                order[i] = order[j];
                order[j] = kept;
            }

            @Override
            protected int compare(int i, int j) {
                return names.get(order[i]).compareTo(names.get(order[j]));
            }

            @Override
            protected void setPivot(int i) {
                pivot = names.get(order[i]);
            }

            @Override
            protected int comparePivot(int j) {
                return pivot.compareTo(names.get(order[j]));
            }
        }.sort(0, order.length);
        charge.accept(Memory.LIST_SLOT * names.size());
        List<String> items = new ArrayList<>(names.size());
        int[] offsets = Memory.ints(names.size() + 1, charge);
        long[] sorted = Memory.longs(packed.size, charge);
        for (int i = 0; i < order.length; i++) {
            items.add(names.get(order[i]));
            int from = (int) firsts.values[order[i]];
            int length = (int) firsts.values[order[i] + 1] - from;
            System.arraycopy(packed.values, from, sorted, offsets[i], length);
            offsets[i + 1] = offsets[i] + length;
        }
        return InternalNearRepeats.buckets(name, tweets, items, offsets, sorted, spec.width, metadata());
    }

    /** A growing array of longs, its growth charged. */
    private static final class LongList {
        private final LongConsumer charge;
        long[] values = new long[0];
        int size;

        LongList(LongConsumer charge) {
            this.charge = charge;
        }

        void add(long value) {
            values = Memory.grow(values, size + 1, charge);
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

    /** An item's name, charged: a key of `same_item` stands for its group by the group's first key, whichever of
     * the group's keys this shard holds, so that every shard names a page alike. */
    private String name(SortedSetDocValues terms, long item) throws IOException {
        if (sameKeys != null) {
            long id = sameKeys.find(item);
            if (id >= 0 && itemOfKey.get(id) == item) {
                String group = spec.sameItem.get(groupOfKey.get(id)).get(0);
                charge.accept(Memory.LIST_SLOT); // the group's name is the request's own string
                return group;
            }
        }
        BytesRef term = terms.lookupOrd(item);
        charge.accept(Memory.ofTerm(term.length));
        return term.utf8ToString();
    }

    @Override
    public InternalAggregation buildEmptyAggregation() {
        if (spec.acrossShards) {
            return InternalNearRepeats.buckets(name, tweets, List.of(), new int[] {0}, new long[0], spec.width, metadata());
        }
        return InternalNearRepeats.stretches(name, tweets, List.of(), new long[0], new long[0], metadata());
    }

    @Override
    protected void doClose() {
        Releasables.close(sameKeys, itemOfKey, groupOfKey);
    }
}
