package org.tweetsearch.coordination;

import java.util.List;
import java.util.Map;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;

/**
 * What `tweetsearch coordination` (search/coordination.py) needs of the server: the token filters of its keys
 * (`KeyFilters`) and the `tweetsearch_near_repeats` aggregation (`NearRepeatsAggregationBuilder`).
 *
 * Why a classic plugin next to the stable one (esplugin/src): Elasticsearch lets only filters it knows to be
 * per-character into a normalizer, and in 9.2 it wraps no stable-API filter as such; and the stable API has no
 * aggregations at all.
 */
public class CoordinationPlugin extends Plugin implements AnalysisPlugin, SearchPlugin {
    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return KeyFilters.all();
    }

    @Override
    public List<AggregationSpec> getAggregations() {
        return List.of(
            new AggregationSpec(
                NearRepeatsAggregationBuilder.NAME,
                NearRepeatsAggregationBuilder::new,
                NearRepeatsAggregationBuilder::parse
            ).addResultReader(InternalNearRepeats::new)
        );
    }
}
