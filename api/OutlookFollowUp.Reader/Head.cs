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
        var x = vectors.Select(v => v.Select(f => f * Scale).ToArray()).ToArray();
        var w = new double[k][];
        for (var i = 0; i < k; i++) w[i] = new double[dims];
        var b = new double[k];
        var gw = new double[k][];
        for (var i = 0; i < k; i++) gw[i] = new double[dims];
        var gb = new double[k];
        var z = new double[k];
        for (var it = 0; it < settings.Iterations; it++)
        {
            foreach (var row in gw) Array.Clear(row);
            Array.Clear(gb);
            for (var s = 0; s < n; s++)
            {
                var xs = x[s];
                for (var c = 0; c < k; c++)
                {
                    var sum = b[c];
                    var wc = w[c];
                    for (var d = 0; d < dims; d++) sum += wc[d] * xs[d];
                    z[c] = sum;
                }
                var p = Softmax(z);
                for (var c = 0; c < k; c++)
                {
                    var g = (p[c] - (y[s] == c ? 1 : 0)) * sampleWeight[s] / weightTotal;
                    if (g == 0) continue;
                    gb[c] += g;
                    var gc = gw[c];
                    for (var d = 0; d < dims; d++) gc[d] += g * xs[d];
                }
            }
            for (var c = 0; c < k; c++)
            {
                b[c] -= settings.Step * gb[c];
                var wc = w[c];
                var gc = gw[c];
                for (var d = 0; d < dims; d++) wc[d] -= settings.Step * (gc[d] + settings.L2 * wc[d]);
            }
        }
        return new Head { Labels = labelSet, Weights = w, Bias = b };
    }
}
