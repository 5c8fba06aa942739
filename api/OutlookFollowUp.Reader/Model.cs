using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OutlookFollowUp.Reader;

/// <summary>
/// A trained reader as it is checked in (Model/replies.json): the head's weights, the thresholds chosen on dev, and
/// the training examples' vectors (for "why": the nearest labelled examples), with the hash of the corpus they came
/// from. <c>reader train</c> writes it; a test holds it to the corpus.
/// </summary>
public sealed class ReaderModel
{
    public required string Kind { get; init; }
    public required string Encoder { get; init; }
    /// <summary>SHA-256 of the training items (id, label, text), so a corpus change without a retrain shows.</summary>
    public required string CorpusHash { get; init; }
    public required Head.Settings Settings { get; init; }
    public required string[] Labels { get; init; }
    public required double[] Bias { get; init; }
    public required double[][] Weights { get; init; }
    /// <summary>From this probability on, the product acts on the label on its own (chosen on dev).</summary>
    public required Dictionary<string, double> Act { get; init; }
    /// <summary>From this probability on (and below <see cref="Act"/>), the product asks the user (chosen on dev).</summary>
    public required Dictionary<string, double> Ask { get; init; }
    public required List<Example> Examples { get; init; }
    /// <summary>The invite reader's weight of each rule signal beside the text's vectors (chosen on dev); unused by replies.</summary>
    public double SignalWeight { get; init; }
    /// <summary>The length of the text's hashed letters beside its vectors (chosen on dev; 0: the vectors alone). See <see cref="Features.WithLetters"/>.</summary>
    public double LetterWeight { get; init; }

    /// <summary>A training item: its corpus id, label and vector (int16, scaled by 32767, base64).</summary>
    public sealed record Example(string Id, string Label, string Vector)
    {
        [JsonIgnore] public float[] Values => _values ??= Dequantize(Vector);
        private float[]? _values;
    }

    [JsonIgnore] public Head Head => _head ??= new Head { Labels = Labels, Weights = Weights, Bias = Bias };
    private Head? _head;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static ReaderModel Embedded(string name)
    {
        using var stream = typeof(ReaderModel).Assembly.GetManifestResourceStream(name + ".json")
            ?? throw new InvalidOperationException($"the reader model {name}.json is not embedded: run `reader train`");
        return JsonSerializer.Deserialize<ReaderModel>(stream, Json) ?? throw new InvalidOperationException($"{name}.json is empty");
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A unit vector at 16 bits a component (the model file as base64, the corrections table as bytes).</summary>
    public static byte[] QuantizeBytes(float[] v)
    {
        var bytes = new byte[v.Length * 2];
        for (var i = 0; i < v.Length; i++)
        {
            var q = (short)Math.Clamp(Math.Round(v[i] * 32767.0), -32767, 32767);
            bytes[2 * i] = (byte)(q & 0xFF);
            bytes[2 * i + 1] = (byte)((q >> 8) & 0xFF);
        }
        return bytes;
    }

    public static float[] DequantizeBytes(byte[] bytes)
    {
        var v = new float[bytes.Length / 2];
        for (var i = 0; i < v.Length; i++) v[i] = (short)(bytes[2 * i] | (bytes[2 * i + 1] << 8)) / 32767f;
        return v;
    }

    /// <summary>Features at the precision a stored reading keeps (16 bits a number): what the product reads, so what the heads train on.</summary>
    public static float[][] AsStored(float[][] features) => features.Select(f => DequantizeBytes(QuantizeBytes(f))).ToArray();

    public static string Quantize(float[] v) => Convert.ToBase64String(QuantizeBytes(v));

    public static float[] Dequantize(string base64) => DequantizeBytes(Convert.FromBase64String(base64));
}
