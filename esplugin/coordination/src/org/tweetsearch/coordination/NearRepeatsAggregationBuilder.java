package org.tweetsearch.coordination;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.ParsingException;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.search.aggregations.AbstractAggregationBuilder;
import org.elasticsearch.search.aggregations.AggregationBuilder;
import org.elasticsearch.search.aggregations.AggregatorFactories;
import org.elasticsearch.search.aggregations.AggregatorFactory;
import org.elasticsearch.search.aggregations.support.AggregationContext;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

/**
 * `tweetsearch_near_repeats`: the stretches of time in which an item (a term of `field`, or of a group in
 * `same_item`) was posted twice close together, by the buckets of `width` ms of `time_field` (aligned on the
 * epoch): an item with two or more values in one bucket gives that bucket, an item in two side-by-side buckets
 * gives the two. The Python twin, which reads the same from a composite aggregation's pages, is
 * `search.coordination.near_candidates`; tests/test_coordination.py checks the two agree.
 *
 * Why an aggregation of our own: the composite aggregation sends every (bucket, item) of the query, a million
 * for a campaign, to find the few thousand that matter; this one keeps them on the server, in one sorted array.
 * Each shard sees only its own tweets, so its stretches are whole only for an index of one shard; several
 * shards' stretches are refused when the answers are reduced, never merged into a partial answer. With
 * `across_shards`, each shard sends its items' buckets instead (8 bytes a bucket an item holds), and the final
 * reduce merges them and finds the stretches (`InternalNearRepeats`).
 *
 * <pre>
 * {"tweetsearch_near_repeats": {"field": "tweet_text.key", "time_field": "tweet_time", "width": 120000,
 *                               "same_item": [["key a", "key b"]], "across_shards": false}}
 * </pre>
 * gives {"tweets": N, "stretches": [["key", start ms, end ms], ...]}, each item's stretches merged where they
 * overlap or touch; an item of `same_item` is named by its first key.
 */
public final class NearRepeatsAggregationBuilder extends AbstractAggregationBuilder<NearRepeatsAggregationBuilder> {
    public static final String NAME = "tweetsearch_near_repeats";

    final String field;
    final String timeField;
    final long width;
    final List<List<String>> sameItem;
    final boolean acrossShards;

    NearRepeatsAggregationBuilder(
        String name, String field, String timeField, long width, List<List<String>> sameItem, boolean acrossShards
    ) {
        super(name);
        this.field = field;
        this.timeField = timeField;
        this.width = width;
        this.sameItem = sameItem;
        this.acrossShards = acrossShards;
    }

    private NearRepeatsAggregationBuilder(
        NearRepeatsAggregationBuilder clone,
        AggregatorFactories.Builder factoriesBuilder,
        Map<String, Object> metadata
    ) {
        super(clone, factoriesBuilder, metadata);
        this.field = clone.field;
        this.timeField = clone.timeField;
        this.width = clone.width;
        this.sameItem = clone.sameItem;
        this.acrossShards = clone.acrossShards;
    }

    public NearRepeatsAggregationBuilder(StreamInput in) throws IOException {
        super(in);
        field = in.readString();
        timeField = in.readString();
        width = in.readVLong();
        sameItem = in.readCollectionAsList(StreamInput::readStringCollectionAsList);
        acrossShards = in.readBoolean();
    }

    /** Parses the body; the parser stands on its opening brace. */
    static NearRepeatsAggregationBuilder parse(XContentParser parser, String name) throws IOException {
        String field = null;
        String timeField = "tweet_time";
        long width = 0;
        List<List<String>> sameItem = new ArrayList<>();
        boolean acrossShards = false;
        String current = null;
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token == XContentParser.Token.FIELD_NAME) {
                current = parser.currentName();
            } else if ("field".equals(current) && token == XContentParser.Token.VALUE_STRING) {
                field = parser.text();
            } else if ("time_field".equals(current) && token == XContentParser.Token.VALUE_STRING) {
                timeField = parser.text();
            } else if ("width".equals(current) && token == XContentParser.Token.VALUE_NUMBER) {
                width = parser.longValue();
            } else if ("across_shards".equals(current) && token == XContentParser.Token.VALUE_BOOLEAN) {
                acrossShards = parser.booleanValue();
            } else if ("same_item".equals(current) && token == XContentParser.Token.START_ARRAY) {
                while (parser.nextToken() == XContentParser.Token.START_ARRAY) {
                    List<String> keys = new ArrayList<>();
                    while (parser.nextToken() == XContentParser.Token.VALUE_STRING) {
                        keys.add(parser.text());
                    }
                    sameItem.add(keys);
                }
            } else {
                throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] does not take [" + current + "] here");
            }
        }
        if (field == null) {
            throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] needs [field]");
        }
        if (width < 60_000) {
            throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] needs [width] of 60000 ms or more");
        }
        return new NearRepeatsAggregationBuilder(name, field, timeField, width, sameItem, acrossShards);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeString(field);
        out.writeString(timeField);
        out.writeVLong(width);
        out.writeCollection(sameItem, StreamOutput::writeStringCollection);
        out.writeBoolean(acrossShards);
    }

    @Override
    protected XContentBuilder internalXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("field", field);
        builder.field("time_field", timeField);
        builder.field("width", width);
        builder.startArray("same_item");
        for (List<String> keys : sameItem) {
            builder.value(keys);
        }
        builder.endArray();
        builder.field("across_shards", acrossShards);
        return builder.endObject();
    }

    @Override
    protected AggregatorFactory doBuild(
        AggregationContext context,
        AggregatorFactory parent,
        AggregatorFactories.Builder subFactoriesBuilder
    ) throws IOException {
        if (parent != null) {
            throw new IllegalArgumentException("[" + NAME + "] must be a top-level aggregation");
        }
        if (subFactoriesBuilder.count() > 0) {
            throw new IllegalArgumentException("[" + NAME + "] takes no sub-aggregations");
        }
        return new Factory(this, context, subFactoriesBuilder, metadata);
    }

    @Override
    protected AggregationBuilder shallowCopy(AggregatorFactories.Builder factoriesBuilder, Map<String, Object> metadata) {
        return new NearRepeatsAggregationBuilder(this, factoriesBuilder, metadata);
    }

    @Override
    public BucketCardinality bucketCardinality() {
        return BucketCardinality.NONE;
    }

    /** One collector per shard: the pairs of an item are found in one sorted array, not in slices of a shard. */
    @Override
    public boolean supportsParallelCollection(ToLongFunction<String> fieldCardinalityResolver) {
        return false;
    }

    @Override
    public String getType() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.minimumCompatible();
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), field, timeField, width, sameItem, acrossShards);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) return true;
        if (other == null || getClass() != other.getClass() || super.equals(other) == false) return false;
        NearRepeatsAggregationBuilder that = (NearRepeatsAggregationBuilder) other;
        return field.equals(that.field) && timeField.equals(that.timeField) && width == that.width
            && sameItem.equals(that.sameItem) && acrossShards == that.acrossShards;
    }

    private static final class Factory extends AggregatorFactory {
        private final NearRepeatsAggregationBuilder spec;

        Factory(
            NearRepeatsAggregationBuilder spec,
            AggregationContext context,
            AggregatorFactories.Builder subFactoriesBuilder,
            Map<String, Object> metadata
        ) throws IOException {
            super(spec.name, context, null, subFactoriesBuilder, metadata);
            this.spec = spec;
        }

        @Override
        protected org.elasticsearch.search.aggregations.Aggregator createInternal(
            org.elasticsearch.search.aggregations.Aggregator parent,
            org.elasticsearch.search.aggregations.CardinalityUpperBound cardinality,
            Map<String, Object> metadata
        ) throws IOException {
            return new NearRepeatsAggregator(spec, context, parent, metadata);
        }
    }
}
