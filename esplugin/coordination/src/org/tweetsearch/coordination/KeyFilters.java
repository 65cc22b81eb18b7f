package org.tweetsearch.coordination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/**
 * The token filters of the keys `tweetsearch coordination` compares (search/coordination.py):
 * "coordination_text" (the text as `--by text` compares tweets), "url_without_scheme" and "fingerprint64", each a
 * function of the term (see each), applied by one `RewritingFilter`.
 *
 * Why filters of our own at all: the distribution from Maven Central has no pattern_replace char filter. The
 * official image has it, and mappings/coordination-text-builtin.json builds the same normalizers from it there.
 */
final class KeyFilters {
    private static final Pattern RETWEET_PREFIX = Pattern.compile("^\\s*RT @\\w+:");
    private static final Pattern TCO_LINK = Pattern.compile("https?://t\\.co/\\w*", Pattern.CASE_INSENSITIVE);
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}\\p{M}]+");
    private static final Pattern SCHEME = Pattern.compile("^https?://", Pattern.CASE_INSENSITIVE);
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{16}");

    private KeyFilters() {}

    static Map<String, AnalysisProvider<TokenFilterFactory>> all() {
        return Map.of(
            "coordination_text", (indexSettings, environment, name, settings) -> new Factory(name, KeyFilters::coordinationText),
            "url_without_scheme", (indexSettings, environment, name, settings) -> new Factory(name, KeyFilters::withoutScheme),
            "fingerprint64", (indexSettings, environment, name, settings) -> new Factory(name, KeyFilters::fingerprint64)
        );
    }

    /** A leading "RT @name:", t.co links and runs of characters that are not letters, digits or combining marks
     * become one space; the ends are trimmed; the rest is lower-cased code point by code point. */
    static String coordinationText(String term) {
        String text = RETWEET_PREFIX.matcher(term).replaceFirst(" ");
        text = TCO_LINK.matcher(text).replaceAll(" ");
        text = NOT_WORD.matcher(text).replaceAll(" ").strip();
        StringBuilder lower = new StringBuilder(text.length());
        text.codePoints().forEach(c -> lower.appendCodePoint(Character.toLowerCase(c)));
        return lower.toString();
    }

    /** The term without a leading "http://" or "https://" (any case). */
    static String withoutScheme(String term) {
        return SCHEME.matcher(term).replaceFirst("");
    }

    /**
     * The FNV-1a 64-bit hash of the term's UTF-8 bytes, as 16 lower-case hex digits: a key a sixth the length
     * of a tweet's text, which is what an aggregation over millions of them moves. The Python twin is
     * `search.coordination.fingerprint64`. An empty term stays empty, and so does a term that is a key already
     * (16 hex digits): Elasticsearch normalizes the terms of a query as it does the values indexed, and a query
     * for a key must find the key, not the key's hash.
     */
    static String fingerprint64(String term) {
        if (term.isEmpty() || KEY.matcher(term).matches()) {
            return term;
        }
        long hash = 0xcbf29ce484222325L;
        for (byte b : term.getBytes(StandardCharsets.UTF_8)) {
            hash ^= (b & 0xff);
            hash *= 0x100000001b3L;
        }
        String hex = Long.toHexString(hash);
        return "0".repeat(16 - hex.length()) + hex;
    }

    private record Factory(String name, UnaryOperator<String> rewrite) implements NormalizingTokenFilterFactory {
        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new RewritingFilter(tokenStream, rewrite);
        }
    }

    /** Replaces each token's term by `rewrite` of it (in a normalizer, the whole value is one token). */
    static final class RewritingFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final UnaryOperator<String> rewrite;

        RewritingFilter(TokenStream input, UnaryOperator<String> rewrite) {
            super(input);
            this.rewrite = rewrite;
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            String rewritten = rewrite.apply(term.toString());
            term.setEmpty().append(rewritten);
            return true;
        }
    }
}
