namespace OutlookFollowUp.Reader;

/// <summary>
/// Multinomial logistic regression over sentence vectors: a weight row and a bias per label. Trained by plain
/// full-batch gradient descent in a fixed order with no randomness, so the same vectors always give the same weights.
/// </summary>
public sealed class Head
{
    public required string[] Labels { get; init; }
    public required double[][] Weights { get; init; }
    public required double[] Bias { get; init; }

    /// <summary>Features are scaled so that a unit vector's components are of order one (384 dimensions).</summary>
    internal const double Scale = 19.6;

    /// <summary>The probability of each label, in <see cref="Labels"/>' order.</summary>
    public double[] Probabilities(float[] vector)
    {
        var z = new double[Labels.Length];
        for (var k = 0; k < z.Length; k++)
        {
            var w = Weights[k];
            var sum = Bias[k];
            for (var d = 0; d < vector.Length; d++) sum += w[d] * vector[d] * Scale;
            z[k] = sum;
        }
        return Softmax(z);
    }

    /// <summary>
    /// The probabilities of <paramref name="dense"/> followed by a sparse part in which only <paramref name="slots"/>
    /// are present, each at <paramref name="value"/>: what <see cref="Probabilities(float[])"/> gives for the whole
    /// vector, without making it (a kept message is read again at every replan).
    /// </summary>
    public double[] Probabilities(float[] dense, int[] slots, float value)
    {
        var z = new double[Labels.Length];
        for (var k = 0; k < z.Length; k++)
        {
            var w = Weights[k];
            var sum = Bias[k];
            for (var d = 0; d < dense.Length; d++) sum += w[d] * dense[d] * Scale;
            var at = dense.Length;
            foreach (var slot in slots) sum += w[at + slot] * value * Scale;
            z[k] = sum;
        }
        return Softmax(z);
    }

    private static double[] Softmax(double[] z)
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        var total = e.Sum();
        return e.Select(v => v / total).ToArray();
    }

    /// <summary>Training settings; the defaults are the ones chosen on dev (see <c>reader train</c>).</summary>
    public sealed record Settings(double L2 = 1e-3, int Iterations = 1500, double Step = 0.5, bool Balanced = true);

    public static Head Train(IReadOnlyList<float[]> vectors, IReadOnlyList<string> labels, string[] labelSet, Settings settings)
    {
        var n = vectors.Count;
        var k = labelSet.Length;
        var dims = vectors[0].Length;
        var index = labelSet.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);
        var y = labels.Select(l => index[l]).ToArray();
        // Balanced: each label weighs as much in the loss as any other, however few its examples (on-hold, references).
        var counts = new int[k];
        foreach (var c in y) counts[c]++;
        var sampleWeight = y.Select(c => settings.Balanced ? (double)n / (k * Math.Max(1, counts[c])) : 1.0).ToArray();
        var weightTotal = sampleWeight.Sum();
        // Each vector's non-zero components only (the hashed letters are mostly zeros), and the weights laid out by
        // feature, a label's next to the other labels' (all labels' sums move together, in vector lanes). Each label's
        // sums are added in the order the dense loop adds them, and a zero term changes no bit: the same weights.
        var at = new int[n][];
        var x = new double[n][];
        for (var s = 0; s < n; s++)
        {
            var v = vectors[s];
            at[s] = Enumerable.Range(0, dims).Where(d => v[d] != 0).ToArray();
            x[s] = at[s].Select(d => v[d] * Scale).ToArray();
        }
        var w = new double[dims * k];
        var b = new double[k];
        var gw = new double[dims * k];
        var gb = new double[k];
        var z = new double[k];
        var g = new double[k];
        for (var it = 0; it < settings.Iterations; it++)
        {
            Array.Clear(gw);
            Array.Clear(gb);
            for (var s = 0; s < n; s++)
            {
                var xs = x[s];
                var ds = at[s];
                Array.Copy(b, z, k);
                for (var j = 0; j < ds.Length; j++) AddScaled(z, w.AsSpan(ds[j] * k, k), xs[j]);
                var p = Softmax(z);
                var any = false;
                for (var c = 0; c < k; c++)
                {
                    g[c] = (p[c] - (y[s] == c ? 1 : 0)) * sampleWeight[s] / weightTotal;
                    gb[c] += g[c];
                    any |= g[c] != 0;
                }
                if (!any) continue;
                for (var j = 0; j < ds.Length; j++) AddScaled(gw.AsSpan(ds[j] * k, k), g, xs[j]);
            }
            for (var c = 0; c < k; c++) b[c] -= settings.Step * gb[c];
            for (var i = 0; i < w.Length; i++) w[i] -= settings.Step * (gw[i] + settings.L2 * w[i]);
        }
        var weights = new double[k][];
        for (var c = 0; c < k; c++)
        {
            weights[c] = new double[dims];
            for (var d = 0; d < dims; d++) weights[c][d] = w[d * k + c];
        }
        return new Head { Labels = labelSet, Weights = weights, Bias = b };
    }

    /// <summary><paramref name="into"/>[c] += <paramref name="values"/>[c] * <paramref name="factor"/> for every label, in vector lanes where they fit.</summary>
    private static void AddScaled(Span<double> into, ReadOnlySpan<double> values, double factor)
    {
        var c = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && into.Length >= System.Numerics.Vector<double>.Count)
        {
            var f = new System.Numerics.Vector<double>(factor);
            for (; c <= into.Length - System.Numerics.Vector<double>.Count; c += System.Numerics.Vector<double>.Count)
            {
                var sum = new System.Numerics.Vector<double>(into[c..]) + new System.Numerics.Vector<double>(values[c..]) * f;
                sum.CopyTo(into[c..]);
            }
        }
        for (; c < into.Length; c++) into[c] += values[c] * factor;
    }
}
