package org.tweetsearch.analysis;

import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.el.GreekAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.fa.PersianAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.hi.HindiAnalyzer;
import org.apache.lucene.analysis.id.IndonesianAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.sv.SwedishAnalyzer;
import org.apache.lucene.analysis.tr.TurkishAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/**
 * The language analyzers of a full Elasticsearch distribution, under the same names, for the minimal
 * distribution (published on Maven Central) that ships without the analysis-common module.
 * Each is Lucene's own analyzer, which is what the full distribution's analyzer of that name wraps,
 * so the project's mappings behave alike on both.
 */
public final class LanguageAnalyzers {
    private LanguageAnalyzers() {}

    /** Shared body: each named component only says which Lucene analyzer it builds. */
    public abstract static class Base implements AnalyzerFactory {
        private final Supplier<Analyzer> supplier;

        protected Base(Supplier<Analyzer> supplier) {
            this.supplier = supplier;
        }

        @Override
        public Analyzer create() {
            return supplier.get();
        }
    }

    @NamedComponent("arabic") public static final class Arabic extends Base { public Arabic() { super(ArabicAnalyzer::new); } }
    @NamedComponent("cjk") public static final class Cjk extends Base { public Cjk() { super(CJKAnalyzer::new); } }
    @NamedComponent("dutch") public static final class Dutch extends Base { public Dutch() { super(DutchAnalyzer::new); } }
    @NamedComponent("english") public static final class English extends Base { public English() { super(EnglishAnalyzer::new); } }
    @NamedComponent("french") public static final class French extends Base { public French() { super(FrenchAnalyzer::new); } }
    @NamedComponent("german") public static final class German extends Base { public German() { super(GermanAnalyzer::new); } }
    @NamedComponent("greek") public static final class Greek extends Base { public Greek() { super(GreekAnalyzer::new); } }
    @NamedComponent("hindi") public static final class Hindi extends Base { public Hindi() { super(HindiAnalyzer::new); } }
    @NamedComponent("indonesian") public static final class Indonesian extends Base { public Indonesian() { super(IndonesianAnalyzer::new); } }
    @NamedComponent("italian") public static final class Italian extends Base { public Italian() { super(ItalianAnalyzer::new); } }
    @NamedComponent("persian") public static final class Persian extends Base { public Persian() { super(PersianAnalyzer::new); } }
    @NamedComponent("portuguese") public static final class Portuguese extends Base { public Portuguese() { super(PortugueseAnalyzer::new); } }
    @NamedComponent("russian") public static final class Russian extends Base { public Russian() { super(RussianAnalyzer::new); } }
    @NamedComponent("spanish") public static final class Spanish extends Base { public Spanish() { super(SpanishAnalyzer::new); } }
    @NamedComponent("swedish") public static final class Swedish extends Base { public Swedish() { super(SwedishAnalyzer::new); } }
    @NamedComponent("turkish") public static final class Turkish extends Base { public Turkish() { super(TurkishAnalyzer::new); } }
}
