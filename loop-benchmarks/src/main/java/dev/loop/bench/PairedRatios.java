package dev.loop.bench;

import java.util.Arrays;

/**
 * Two parties' scores from the same rounds (or slices, or instances) compared one round at a time: the median and
 * range of the per-round ratios, and in how many rounds the party scored above and below the first (ties are
 * neither), for {@link SignTest}.
 */
record PairedRatios(double median, double min, double max, int above, int below) {

    /** {@code scores} against {@code first}, round {@code i} against round {@code i}. */
    static PairedRatios of(double[] scores, double[] first) {
        double[] ratios = new double[scores.length];
        int above = 0;
        int below = 0;
        for (int i = 0; i < scores.length; i++) {
            ratios[i] = scores[i] / first[i];
            above += scores[i] > first[i] ? 1 : 0;
            below += scores[i] < first[i] ? 1 : 0;
        }
        return new PairedRatios(median(ratios), Arrays.stream(ratios).min().orElse(Double.NaN),
                Arrays.stream(ratios).max().orElse(Double.NaN), above, below);
    }

    /** "ahead", "behind" or "alike" by {@link SignTest#verdict}. */
    String verdict(boolean higherIsBetter) {
        return SignTest.verdict(above, below, higherIsBetter);
    }

    /** The chance of a split at least this uneven, by {@link SignTest#p}. */
    double p() {
        return SignTest.p(above, above + below);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
