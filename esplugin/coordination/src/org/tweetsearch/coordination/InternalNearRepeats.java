package org.tweetsearch.coordination;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.search.aggregations.AggregationReduceContext;
import org.elasticsearch.search.aggregations.AggregatorReducer;
import org.elasticsearch.search.aggregations.InternalAggregation;
import org.elasticsearch.xcontent.XContentBuilder;

/** The answer of `tweetsearch_near_repeats`: the tweets it saw, and the stretches as (key, start ms, end ms). */
public final class InternalNearRepeats extends InternalAggregation {
    final List<String> keys;
    final long[] starts;
    final long[] ends;
    final long tweets;

    InternalNearRepeats(String name, List<String> keys, long[] starts, long[] ends, long tweets, Map<String, Object> metadata) {
        super(name, metadata);
        this.keys = keys;
        this.starts = starts;
        this.ends = ends;
        this.tweets = tweets;
    }

    public InternalNearRepeats(StreamInput in) throws IOException {
        super(in);
        keys = in.readStringCollectionAsList();
        starts = in.readLongArray();
        ends = in.readLongArray();
        tweets = in.readVLong();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeStringCollection(keys);
        out.writeLongArray(starts);
        out.writeLongArray(ends);
        out.writeVLong(tweets);
    }

    @Override
    public String getWriteableName() {
        return NearRepeatsAggregationBuilder.NAME;
    }

    /** A shard's answer is whole only if no other shard saw a tweet: two shards' stretches cannot be merged
     * (the two tweets of a pair may lie on both), so that is refused rather than answered in part. */
    @Override
    protected AggregatorReducer getLeaderReducer(AggregationReduceContext reduceContext, int size) {
        return new AggregatorReducer() {
            private InternalNearRepeats kept;

            @Override
            public void accept(InternalAggregation aggregation) {
                InternalNearRepeats answer = (InternalNearRepeats) aggregation;
                if (kept != null && kept.tweets > 0 && answer.tweets > 0) {
                    throw new IllegalArgumentException(
                        "[" + NearRepeatsAggregationBuilder.NAME + "] needs the tweets on one shard, and found them on several"
                    );
                }
                if (kept == null || answer.tweets > 0) {
                    kept = answer;
                }
            }

            @Override
            public InternalAggregation get() {
                return kept;
            }
        };
    }

    @Override
    protected boolean mustReduceOnSingleInternalAgg() {
        return false;
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
