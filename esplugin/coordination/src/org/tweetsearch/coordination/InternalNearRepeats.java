package org.tweetsearch.coordination;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.breaker.NoopCircuitBreaker;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.search.aggregations.AggregationReduceContext;
import org.elasticsearch.search.aggregations.AggregatorReducer;
import org.elasticsearch.search.aggregations.InternalAggregation;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * The answer of `tweetsearch_near_repeats`, in one of two forms.
 *
 * Stretches: the tweets seen and the stretches as (key, start ms, end ms), what the user gets. A shard that holds
 * every matching tweet answers so.
 *
 * Buckets (`across_shards`): each item's time buckets on this shard, items in name order, each bucket packed as
 * (bucket << 1 | two tweets or more). Two tweets of a pair may lie on two shards, so shards answer so and the
 * final reduce merges their buckets item by item and walks them with the same rule (`StretchWalker`).
 */
public final class InternalNearRepeats extends InternalAggregation {
    final long tweets;
    final boolean buckets;
    // Stretches.
    final List<String> keys;
    final long[] starts;
    final long[] ends;
    // Buckets: item i's packed buckets are packed[offsets[i]] to packed[offsets[i + 1]].
    final List<String> items;
    final int[] offsets;
    final long[] packed;
    final long width;

    private InternalNearRepeats(
        String name, long tweets, boolean buckets, List<String> keys, long[] starts, long[] ends,
        List<String> items, int[] offsets, long[] packed, long width, Map<String, Object> metadata
    ) {
        super(name, metadata);
        this.tweets = tweets;
        this.buckets = buckets;
        this.keys = keys;
        this.starts = starts;
        this.ends = ends;
        this.items = items;
        this.offsets = offsets;
        this.packed = packed;
        this.width = width;
    }

    static InternalNearRepeats stretches(String name, long tweets, List<String> keys, long[] starts, long[] ends, Map<String, Object> metadata) {
        return new InternalNearRepeats(name, tweets, false, keys, starts, ends, List.of(), new int[] {0}, new long[0], 0, metadata);
    }

    static InternalNearRepeats buckets(String name, long tweets, List<String> items, int[] offsets, long[] packed, long width, Map<String, Object> metadata) {
        return new InternalNearRepeats(name, tweets, true, List.of(), new long[0], new long[0], items, offsets, packed, width, metadata);
    }

    public InternalNearRepeats(StreamInput in) throws IOException {
        super(in);
        tweets = in.readVLong();
        buckets = in.readBoolean();
        keys = in.readStringCollectionAsList();
        starts = in.readLongArray();
        ends = in.readLongArray();
        items = in.readStringCollectionAsList();
        offsets = in.readVIntArray();
        packed = in.readLongArray();
        width = in.readVLong();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeVLong(tweets);
        out.writeBoolean(buckets);
        out.writeStringCollection(keys);
        out.writeLongArray(starts);
        out.writeLongArray(ends);
        out.writeStringCollection(items);
        out.writeVIntArray(offsets);
        out.writeLongArray(packed);
        out.writeVLong(width);
    }

    @Override
    public String getWriteableName() {
        return NearRepeatsAggregationBuilder.NAME;
    }

    /**
     * Stretches from one shard are whole only if no other shard saw a tweet: two shards' stretches cannot be
     * merged (the two tweets of a pair may lie on both), so that is refused rather than answered in part. Buckets
     * from any number of shards are merged; the final reduce turns them into stretches. What the merge and the
     * walk build is charged to the request circuit breaker as it grows (the answers themselves are charged by
     * Elasticsearch as they arrive), and given back when the reducer closes.
     */
    @Override
    protected AggregatorReducer getLeaderReducer(AggregationReduceContext reduceContext, int size) {
        Memory.Reservation charge = new Memory.Reservation(requestBreaker(reduceContext), "<reduce [" + getName() + "]>");
        return new AggregatorReducer() {
            private final List<InternalNearRepeats> answers = new ArrayList<>();

            @Override
            public void accept(InternalAggregation aggregation) {
                charge.accept(Memory.LIST_SLOT);
                answers.add((InternalNearRepeats) aggregation);
            }

            @Override
            public InternalAggregation get() {
                if (answers.get(0).buckets == false) {
                    List<InternalNearRepeats> seen = answers.stream().filter(answer -> answer.tweets > 0).toList();
                    if (seen.size() > 1) {
                        throw new IllegalArgumentException(
                            "[" + NearRepeatsAggregationBuilder.NAME + "] needs the tweets on one shard, and found them on "
                                + "several (ask with across_shards)"
                        );
                    }
                    return seen.isEmpty() ? answers.get(0) : seen.get(0);
                }
                InternalNearRepeats merged = merge(answers, charge);
                return reduceContext.isFinalReduce() ? merged.walked(charge) : merged;
            }

            @Override
            public void close() {
                charge.close();
            }
        };
    }

    /** The node's request circuit breaker, which the reduce's own structures are counted against. */
    private static CircuitBreaker requestBreaker(AggregationReduceContext reduceContext) {
        CircuitBreakerService breakers = reduceContext.bigArrays().breakerService();
        return breakers == null ? new NoopCircuitBreaker(CircuitBreaker.REQUEST) : breakers.getBreaker(CircuitBreaker.REQUEST);
    }

    /** The buckets of every answer, item by item (each answer's items are in name order). */
    private static InternalNearRepeats merge(List<InternalNearRepeats> answers, LongConsumer charge) {
        InternalNearRepeats first = answers.get(0);
        PriorityQueue<int[]> next = new PriorityQueue<>((a, b) -> answers.get(a[0]).items.get(a[1]).compareTo(answers.get(b[0]).items.get(b[1])));
        long tweets = 0;
        for (int answer = 0; answer < answers.size(); answer++) {
            tweets += answers.get(answer).tweets;
            if (answers.get(answer).buckets == false) {
                throw new IllegalStateException("[" + NearRepeatsAggregationBuilder.NAME + "] got answers of two forms");
            }
            if (answers.get(answer).items.isEmpty() == false) {
                charge.accept(Memory.CURSOR);
                next.add(new int[] {answer, 0});
            }
        }
        List<String> items = new ArrayList<>();
        int[] offsets = new int[0];
        long[] packed = new long[0];
        int used = 0;
        long[] gathered = new long[0];
        while (next.isEmpty() == false) {
            String item = answers.get(next.peek()[0]).items.get(next.peek()[1]);
            int count = 0;
            while (next.isEmpty() == false && answers.get(next.peek()[0]).items.get(next.peek()[1]).equals(item)) {
                int[] cursor = next.poll();
                InternalNearRepeats answer = answers.get(cursor[0]);
                int from = answer.offsets[cursor[1]];
                int to = answer.offsets[cursor[1] + 1];
                gathered = Memory.grow(gathered, count + to - from, charge);
                System.arraycopy(answer.packed, from, gathered, count, to - from);
                count += to - from;
                if (++cursor[1] < answer.items.size()) {
                    next.add(cursor);
                }
            }
            Arrays.sort(gathered, 0, count);
            charge.accept(Memory.LIST_SLOT); // the item's string is the answer's, held already
            items.add(item);
            offsets = Memory.grow(offsets, items.size() + 1, charge);
            for (int at = 0; at < count; at++) {
                long bucket = gathered[at] >>> 1;
                boolean twice = (gathered[at] & 1) == 1;
                while (at + 1 < count && gathered[at + 1] >>> 1 == bucket) {
                    twice = true; // the same bucket on two shards: two tweets
                    at++;
                }
                packed = Memory.grow(packed, used + 1, charge);
                packed[used++] = bucket << 1 | (twice ? 1 : 0);
            }
            offsets[items.size()] = used;
        }
        int[] exactOffsets = Memory.ints(items.size() + 1, charge);
        System.arraycopy(offsets, 0, exactOffsets, 0, Math.min(offsets.length, items.size() + 1));
        long[] exactPacked = Memory.longs(used, charge);
        System.arraycopy(packed, 0, exactPacked, 0, used);
        return buckets(first.name, tweets, items, exactOffsets, exactPacked, first.width, first.metadata);
    }

    /** The stretches of merged buckets, named with the strings the buckets hold. */
    private InternalNearRepeats walked(LongConsumer charge) {
        Stretches found = new Stretches(width, charge);
        String[] item = new String[1];
        StretchWalker walker = new StretchWalker((from, to) -> found.add(item[0], from, to));
        try {
            for (int at = 0; at < items.size(); at++) {
                item[0] = items.get(at);
                for (int bucket = offsets[at]; bucket < offsets[at + 1]; bucket++) {
                    walker.bucket(packed[bucket] >>> 1, (packed[bucket] & 1) == 1);
                }
                walker.endItem();
            }
        } catch (IOException impossible) { // the sink here writes to memory only
            throw new IllegalStateException(impossible);
        }
        return found.answer(name, tweets, metadata);
    }

    /** Buckets must reach the final reduce even from a single shard, to be turned into stretches there. */
    @Override
    protected boolean mustReduceOnSingleInternalAgg() {
        return buckets;
    }

    @Override
    public Object getProperty(List<String> path) {
        if (path.isEmpty()) {
            return this;
        }
        throw new IllegalArgumentException("[" + NearRepeatsAggregationBuilder.NAME + "] has no property " + path);
    }

    @Override
    public XContentBuilder doXContentBody(XContentBuilder builder, Params params) throws IOException {
        builder.field("tweets", tweets);
        builder.startArray("stretches");
        for (int i = 0; i < keys.size(); i++) {
            builder.startArray().value(keys.get(i)).value(starts[i]).value(ends[i]).endArray();
        }
        return builder.endArray();
    }
}
