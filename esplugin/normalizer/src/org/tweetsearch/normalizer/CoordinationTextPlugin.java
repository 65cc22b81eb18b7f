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
 * The token filters of the keys `tweetsearch coordination` aggregates on (search/coordination.py):
 * "coordination_text", "url_without_scheme" and "fingerprint64" (see each class). "coordination_text" gives the text as
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
        return Map.of(
            "coordination_text", (indexSettings, environment, name, settings) -> new Factory(name, CoordinationTextFilter::new),
            "url_without_scheme", (indexSettings, environment, name, settings) -> new Factory(name, WithoutSchemeFilter::new),
            "fingerprint64", (indexSettings, environment, name, settings) -> new Factory(name, Fingerprint64Filter::new)
        );
    }

    private record Factory(String name, java.util.function.UnaryOperator<TokenStream> filter)
        implements NormalizingTokenFilterFactory {
        @Override
        public TokenStream create(TokenStream tokenStream) {
            return filter.apply(tokenStream);
        }
    }

    /** Replaces a token by its term with a leading "http://" or "https://" removed (any case). */
    static final class WithoutSchemeFilter extends TokenFilter {
        private static final Pattern SCHEME = Pattern.compile("^https?://", Pattern.CASE_INSENSITIVE);
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

        WithoutSchemeFilter(TokenStream input) {
            super(input);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            String text = SCHEME.matcher(term.toString()).replaceFirst("");
            term.setEmpty().append(text);
            return true;
        }
    }

    /**
     * Replaces a token by the FNV-1a 64-bit hash of its UTF-8 bytes, as 16 lower-case hex digits: a key a
     * sixth the length of a tweet's text, which is what an aggregation over millions of them moves. The Python
     * twin is `search.coordination.fingerprint64`. An empty term stays empty, and so does a term that is a key
     * already (16 hex digits): Elasticsearch normalizes the terms of a query as it does the values indexed, and
     * a query for a key must find the key, not the key's hash.
     */
    static final class Fingerprint64Filter extends TokenFilter {
        private static final Pattern KEY = Pattern.compile("[0-9a-f]{16}");
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

        Fingerprint64Filter(TokenStream input) {
            super(input);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            if (term.length() == 0 || KEY.matcher(term).matches()) {
                return true; // a key already: a term query for a key is normalized too, and must find it
            }
            long hash = 0xcbf29ce484222325L;
            for (byte b : term.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                hash ^= (b & 0xff);
                hash *= 0x100000001b3L;
            }
            String hex = Long.toHexString(hash);
            term.setEmpty().append("0".repeat(16 - hex.length())).append(hex);
            return true;
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
