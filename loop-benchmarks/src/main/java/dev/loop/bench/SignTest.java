package dev.loop.bench;

/**
 * The exact two-sided sign test over paired rounds: two parties ran in the same rounds, one after the other, so a
 * round's disturbance falls on both, and the question is only how often one came out above the other. A difference
 * is called one when chance alone would split the rounds that unevenly less than 5 % of the time (7 of 7 rounds, 9
 * of 10); fewer than six rounds can never call one.
 */
public final class SignTest {

    /** The level below which a split is called a difference. */
    public static final double LEVEL = 0.05;

    private SignTest() {
    }

    /** Two-sided exact binomial test at p = 1/2: the chance of a split at least as uneven as k of n. */
    public static double p(int k, int n) {
        int extreme = Math.max(k, n - k);
        double tail = 0;
        for (int i = extreme; i <= n; i++) {
            tail += binomial(n, i);
        }
        return Math.min(1.0, 2 * tail / Math.pow(2, n));
    }

    /**
     * "behind", "ahead" or "alike" for a party that was above the other in {@code above} rounds and below it in
     * {@code below} (ties left out), where above means worse ({@code higherIsBetter} false: a time, a lateness) or
     * better ({@code higherIsBetter} true: a rate).
     */
    public static String verdict(int above, int below, boolean higherIsBetter) {
        int n = above + below;
        if (n == 0 || p(above, n) >= LEVEL) {
            return "alike";
        }
        return (above > below) == higherIsBetter ? "ahead" : "behind";
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }
}
