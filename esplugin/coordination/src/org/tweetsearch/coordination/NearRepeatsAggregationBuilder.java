package org.tweetsearch.coordination;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.apache.lucene.util.UnicodeUtil;
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
 *
 * What a request may ask is bounded as it is read (`MAX_WIDTH`, `MAX_SAME_ITEM_KEYS`, `MAX_SAME_ITEM_BYTES`):
 * beyond them it is refused with a 400 naming the bound. What the answer takes grows with the archive, not the
 * request (an archive may hold thousands of addresses of one video), so every structure built for it, on the
 * shards and in the reduce, is counted against the request circuit breaker: too much is refused with the
 * breaker's exception, never an OutOfMemoryError.
 */
public final class NearRepeatsAggregationBuilder extends AbstractAggregationBuilder<NearRepeatsAggregationBuilder> {
    public static final String NAME = "tweetsearch_near_repeats";

    /** The narrowest bucket: a minute, the precision of a 2018 tweet_time. */
    static final long MIN_WIDTH = 60_000;
    /** The widest bucket: the longest window `tweetsearch coordination` takes (a week, MAX_WINDOW_SECONDS in
     * search/coordination.py) plus the minute a tweet_time may lag its id's time, as `bucket_width` makes it. */
    static final long MAX_WIDTH = 7 * 24 * 3_600_000L + 60_000;
    /** The keys `same_item` may list, all groups together: the addresses of known pages (search/pages.py) among
     * the tweets asked about. The Python caller (MAX_SAME_ITEM_KEYS in search/coordination.py) reads the
     * candidates from composite pages instead past this. */
    static final int MAX_SAME_ITEM_KEYS = 100_000;
    /** The UTF-8 bytes of those keys, all together (a key is 16 bytes when hashed, an address otherwise). */
    static final long MAX_SAME_ITEM_BYTES = 8L << 20;

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
        checkWidth(width);
        checkSameItem(sameItem);
    }

    /** Parses the body; the parser stands on its opening brace. */
    static NearRepeatsAggregationBuilder parse(XContentParser parser, String name) throws IOException {
        String field = null;
        String timeField = "tweet_time";
        long width = 0;
        List<List<String>> sameItem = List.of();
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
                sameItem = parseSameItem(parser);
            } else {
                throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] does not take [" + current + "] here");
            }
        }
        if (field == null) {
            throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] needs [field]");
        }
        checkWidth(width);
        return new NearRepeatsAggregationBuilder(name, field, timeField, width, sameItem, acrossShards);
    }

    /** `same_item`: an array of groups, each an array of one key or more; refused as soon as it passes a bound,
     * before the rest is read. */
    private static List<List<String>> parseSameItem(XContentParser parser) throws IOException {
        List<List<String>> groups = new ArrayList<>();
        long keys = 0;
        long bytes = 0;
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_ARRAY) {
            if (token != XContentParser.Token.START_ARRAY) {
                throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] takes [same_item] as arrays of keys");
            }
            List<String> group = new ArrayList<>();
            while ((token = parser.nextToken()) != XContentParser.Token.END_ARRAY) {
                if (token != XContentParser.Token.VALUE_STRING) {
                    throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] takes [same_item] keys as strings");
                }
                String key = parser.text();
                keys++;
                bytes += UnicodeUtil.calcUTF16toUTF8Length(key, 0, key.length());
                checkSameItemSize(keys, bytes);
                group.add(key);
            }
            if (group.isEmpty()) {
                throw new IllegalArgumentException("[" + NAME + "] takes no empty group in [same_item]");
            }
            groups.add(group);
        }
        return groups;
    }

    private static void checkWidth(long width) {
        if (width < MIN_WIDTH || width > MAX_WIDTH) {
            throw new IllegalArgumentException(
                "[" + NAME + "] needs [width] of " + MIN_WIDTH + " ms or more and " + MAX_WIDTH + " ms (a week and a minute) "
                    + "or less, not " + width
            );
        }
    }

    private static void checkSameItem(List<List<String>> sameItem) {
        long keys = 0;
        long bytes = 0;
        for (List<String> group : sameItem) {
            for (String key : group) {
                keys++;
                bytes += UnicodeUtil.calcUTF16toUTF8Length(key, 0, key.length());
            }
        }
        checkSameItemSize(keys, bytes);
    }

    private static void checkSameItemSize(long keys, long bytes) {
        if (keys > MAX_SAME_ITEM_KEYS) {
            throw new IllegalArgumentException("[" + NAME + "] takes at most " + MAX_SAME_ITEM_KEYS + " keys in [same_item]");
        }
        if (bytes > MAX_SAME_ITEM_BYTES) {
            throw new IllegalArgumentException(
                "[" + NAME + "] takes at most " + MAX_SAME_ITEM_BYTES + " bytes of keys in [same_item]"
            );
        }
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
