package org.tweetsearch.normalizer;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The token filter "coordination_text", for the keyword normalizer of the same name: the text as
 * `tweetsearch coordination --by text` compares tweets (search/coordination.py). A leading "RT @name:", t.co
 * links and every run of characters that are not letters, digits or combining marks become one space, the ends
 * are trimmed, and the rest is lower-cased code point by code point.
 *
 * Why a classic plugin next to the stable one (esplugin/src): Elasticsearch lets only filters it knows to be
 * per-character into a normalizer, and in 9.2 it wraps no stable-API filter as such. Why a filter of our own at
 * all: the distribution from Maven Central has no pattern_replace char filter. The official image has it, and
 * mappings/coordination-text-builtin.json builds the same normalizer from it there.
 */
public class CoordinationTextPlugin extends Plugin implements AnalysisPlugin {
    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of("coordination_text", (indexSettings, environment, name, settings) -> new Factory(name));
    }

    private record Factory(String name) implements NormalizingTokenFilterFactory {
        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new CoordinationTextFilter(tokenStream);
        }
    }

    static final class CoordinationTextFilter extends TokenFilter {
        private static final Pattern RETWEET_PREFIX = Pattern.compile("^\\s*RT @\\w+:");
        private static final Pattern TCO_LINK = Pattern.compile("https?://t\\.co/\\w*", Pattern.CASE_INSENSITIVE);
        private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}\\p{M}]+");

        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

        CoordinationTextFilter(TokenStream input) {
            super(input);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            String text = RETWEET_PREFIX.matcher(term.toString()).replaceFirst(" ");
            text = TCO_LINK.matcher(text).replaceAll(" ");
            text = NOT_WORD.matcher(text).replaceAll(" ").strip();
            StringBuilder lower = new StringBuilder(text.length());
            text.codePoints().forEach(c -> lower.appendCodePoint(Character.toLowerCase(c)));
            term.setEmpty().append(lower);
            return true;
        }
    }
}
