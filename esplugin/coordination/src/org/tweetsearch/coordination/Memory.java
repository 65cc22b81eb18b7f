package org.tweetsearch.coordination;

import java.util.Arrays;
import java.util.function.LongConsumer;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.RamUsageEstimator;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.core.Releasable;

/**
 * What the structures of `tweetsearch_near_repeats` take of the heap as they grow, each growth counted against
 * the request circuit breaker (a `LongConsumer` of bytes) before it is made: an archive whose answer would not
 * fit the node's memory is refused with the breaker's exception, not with an OutOfMemoryError that ends the node.
 *
 * On a shard the count is the aggregator's own (`addRequestCircuitBreakerBytes`, given back when the aggregator
 * closes); in the reduce it is a `Reservation`, given back when the reducer closes.
 */
final class Memory {
    /** A reference added to an ArrayList, counted twice: the list grows by half at a time, and while it grows it
     * holds both arrays. */
    static final long LIST_SLOT = 2L * RamUsageEstimator.NUM_BYTES_OBJECT_REF;

    private Memory() {}

    /** A cursor of the reduce's merge, with its place in the queue. */
    static final long CURSOR = RamUsageEstimator.NUM_BYTES_ARRAY_HEADER + 2L * Integer.BYTES + LIST_SLOT;

    private static final long EMPTY_STRING = RamUsageEstimator.shallowSizeOfInstance(String.class)
        + RamUsageEstimator.NUM_BYTES_ARRAY_HEADER;

    /** The string of a term of `utf8Bytes` UTF-8 bytes, with its place in a list: each UTF-8 byte gives at most one
     * UTF-16 char, of 2 bytes. */
    static long ofTerm(int utf8Bytes) {
        return EMPTY_STRING + 2L * utf8Bytes + LIST_SLOT;
    }

    /** `array`, or a longer copy when it cannot hold `length` longs; the growth is charged before the copy. */
    static long[] grow(long[] array, int length, LongConsumer charge) {
        if (length <= array.length) {
            return array;
        }
        int size = ArrayUtil.oversize(length, Long.BYTES);
        charge.accept((long) (size - array.length) * Long.BYTES);
        return Arrays.copyOf(array, size);
    }

    /** `array`, or a longer copy when it cannot hold `length` ints; the growth is charged before the copy. */
    static int[] grow(int[] array, int length, LongConsumer charge) {
        if (length <= array.length) {
            return array;
        }
        int size = ArrayUtil.oversize(length, Integer.BYTES);
        charge.accept((long) (size - array.length) * Integer.BYTES);
        return Arrays.copyOf(array, size);
    }

    /** A new array of `length` longs, charged before it is made. */
    static long[] longs(int length, LongConsumer charge) {
        charge.accept(RamUsageEstimator.NUM_BYTES_ARRAY_HEADER + (long) length * Long.BYTES);
        return new long[length];
    }

    /** A new array of `length` ints, charged before it is made. */
    static int[] ints(int length, LongConsumer charge) {
        charge.accept(RamUsageEstimator.NUM_BYTES_ARRAY_HEADER + (long) length * Integer.BYTES);
        return new int[length];
    }

    /** Bytes charged to the request circuit breaker, all given back at once when closed. */
    static final class Reservation implements LongConsumer, Releasable {
        private final CircuitBreaker breaker;
        private final String label;
        private long charged;

        Reservation(CircuitBreaker breaker, String label) {
            this.breaker = breaker;
            this.label = label;
        }

        /** Charges `bytes`; throws the breaker's CircuitBreakingException, charging nothing, when they do not fit. */
        @Override
        public void accept(long bytes) {
            breaker.addEstimateBytesAndMaybeBreak(bytes, label);
            charged += bytes;
        }

        @Override
        public void close() {
            breaker.addWithoutBreaking(-charged);
            charged = 0;
        }
    }
}
