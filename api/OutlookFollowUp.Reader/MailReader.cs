using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Reader;

/// <summary>A user's correction of a reading: the message's id, the label the user gave, and the message's vector (never its text).</summary>
public sealed record Correction(string MessageId, string Label, float[] Vector);

/// <summary>A message's features as the reader computed them, with the hash of the text they were computed from (never the text).</summary>
public sealed record StoredReading(string TextKey, float[] Features);

/// <summary>
/// Reads employer mail with the embedded sentence model and the trained head; a user's corrections are nearest
/// neighbours for that user's later readings. Readings are kept by message (id and text hash), so each message is
/// encoded once per process however often it is planned.
/// </summary>
public sealed class MailReader : IMailReader
{
    private readonly ReaderModel _model;
    private readonly ReaderModel? _invites;
    private readonly IReadOnlyList<Correction> _corrections;
    // Features as 16-bit numbers (what a stored reading keeps): half a float array's memory, read the same either way.
    private readonly ConcurrentDictionary<string, byte[]> _vectors;
    private readonly ConcurrentDictionary<string, string> _textOf;
    private readonly IReadOnlyDictionary<string, StoredReading> _stored;
    private readonly ConcurrentDictionary<string, StoredReading> _new = new(StringComparer.Ordinal);
    private readonly Counts _encoded;
    private readonly ConcurrentDictionary<string, MailReading> _invitesRead;
    private IReadOnlyList<Correction> _inviteCorrections = [];

    /// <summary>How many texts' features are kept in memory (2.3 KB each, as 16-bit numbers); past it the cache starts over.</summary>
    public const int MaxCachedVectors = 20_000;

    /// <summary>A correction this close (cosine) to a new message decides its reading: the same template, reworded at most.</summary>
    public const double CorrectionSimilarity = 0.9;

    public MailReader(ReaderModel model, ReaderModel? invites = null)
        : this(model, invites, [], new ConcurrentDictionary<string, byte[]>(), new ConcurrentDictionary<string, string>(), new Dictionary<string, StoredReading>(), new Counts(),
            new ConcurrentDictionary<string, MailReading>(StringComparer.Ordinal)) { }

    private MailReader(ReaderModel model, ReaderModel? invites, IReadOnlyList<Correction> corrections, ConcurrentDictionary<string, byte[]> vectors,
        ConcurrentDictionary<string, string> textOf, IReadOnlyDictionary<string, StoredReading> stored, Counts encoded,
        ConcurrentDictionary<string, MailReading> invitesRead)
    {
        _invitesRead = invitesRead;
        _stored = stored;
        _encoded = encoded;
        _model = model;
        _invites = invites;
        _corrections = corrections;
        _vectors = vectors;
        _textOf = textOf;
    }

    /// <summary>The same reader, with one user's corrections as neighbours (the cache is shared).</summary>
    public MailReader WithCorrections(IReadOnlyList<Correction> corrections) => new(_model, _invites, corrections, _vectors, _textOf, _stored, _encoded, _invitesRead);

    /// <summary>
    /// The same reader for one user's plan: their corrections as neighbours, and the features stored for their messages
    /// (by message id), so that a message read on another instance or before a restart is not encoded again. What
    /// this reader encodes for a message id is in <see cref="NewReadings"/>, for the host to store.
    /// </summary>
    public MailReader ForUser(IReadOnlyList<Correction> corrections, IReadOnlyDictionary<string, StoredReading> stored,
        IReadOnlyList<Correction>? inviteCorrections = null) =>
        new(_model, _invites, corrections, _vectors, _textOf, stored, _encoded, _invitesRead) { _inviteCorrections = inviteCorrections ?? [], _forUser = true };

    // Only a user's reader keeps its new readings for the host to store: the shared one also reads for the stateless
    // plan endpoint and the CLI, whose message ids are anyone's, and would keep them for the life of the process.
    private bool _forUser;

    /// <summary>The labels a user's word gives an invite's correction ("this is an interview", "not an interview").</summary>
    public const string InterviewLabel = "interview", NotInterviewLabel = "not-interview";

    /// <summary>The whole text's vector of an invite (what an invite's correction keeps), encoded once.</summary>
    public float[] InviteVector(string text, CancellationToken cancellationToken = default) => Features.Whole(Vector(null, text, cancellationToken));

    /// <summary>How many messages (by id) this reader and those made from it have sent to the encoder.</summary>
    public long EncodedMessages => Interlocked.Read(ref _encoded.Messages);

    /// <summary>How many invites (by event id) this reader and those made from it have sent to the encoder.</summary>
    public long EncodedInvites => Interlocked.Read(ref _encoded.Invites);

    /// <summary>What an invite's reading is kept by among a user's readings (an event's id is not a message's).</summary>
    public static string EventKey(string eventId) => EventPrefix + eventId;

    /// <summary>The event id in a key made by <see cref="EventKey"/>; null for a message's id.</summary>
    public static string? EventIdOf(string key) => key.StartsWith(EventPrefix, StringComparison.Ordinal) ? key[EventPrefix.Length..] : null;

    private const string EventPrefix = "event:";

    private sealed class Counts
    {
        public long Messages, Invites;
    }

    /// <summary>Messages this reader read whose features were not stored (or were stored for another text).</summary>
    public IReadOnlyDictionary<string, StoredReading> NewReadings => _new;

    public ReaderModel Model => _model;

    /// <summary>The invite reader's model, when it was given one.</summary>
    public ReaderModel? Invites => _invites;

    public MailReading? ReadInvite(string? eventId, string text, IReadOnlyList<string> signals, CancellationToken cancellationToken = default)
    {
        if (_invites is null || text.Length == 0) return null;
        // Every replan detects every kept event again, and tracking systems send the same text to every candidate: the
        // same text with the same evidence reads the same, until the user's own word on an invite is a neighbour.
        var textKey = KeyOf(text);
        // By the event's id too, so that the host can keep the features on the event (a restart does not encode it again).
        var id = eventId is null ? null : EventKey(eventId);
        var key = _inviteCorrections.Count == 0 ? textKey + "|" + string.Join('|', signals) : null;
        if (key is not null && _invitesRead.TryGetValue(key, out var known))
        {
            // Read before for an event with the same text: still kept by this event's id (from its stored reading or
            // the cache of vectors, no encoding), so that the host keeps it on this user's event too.
            if (_forUser && id is not null) _ = Vector(id, text, textKey, cancellationToken);
            return known;
        }
        var features = Vector(id, text, textKey, cancellationToken);
        var reading = ReadInvite(Features.WithSignals(features, signals, _invites.SignalWeight), text, signals.Contains("rules:interview"));
        if (key is null) return reading;
        if (_invitesRead.Count >= MaxCachedVectors) _invitesRead.Clear();
        _invitesRead[key] = reading;
        return reading;
    }

    /// <summary>
    /// An invite's reading: an interview from the model's acting threshold on, a "maybe" (not confident) from its
    /// asking threshold, otherwise not; the probability is the label's.
    /// </summary>
    public MailReading ReadInvite(float[] features, string text, bool rulesSayInterview = false)
    {
        var model = _invites ?? throw new InvalidOperationException("this reader has no invite model");
        var whole = Features.Whole(features);
        // The user's word on an invite like this one (the same template, reworded at most) decides it.
        var near = Closest(_inviteCorrections, c => c.Vector, whole, 1).FirstOrDefault();
        if (near.Item is { } said && near.Similarity >= CorrectionSimilarity)
            return said.Label == InterviewLabel
                ? new MailReading("interview", Math.Round(near.Similarity, 3), "like an invite you marked as an interview", true)
                : new MailReading("not", Math.Round(near.Similarity, 3), "like an invite you marked as not an interview", true);
        var p = Probabilities(model, features, text)[Array.IndexOf(model.Labels, "interview")];
        var because = "nearest examples: " + string.Join(", ", Closest(model.Examples, e => e.Values, whole, 3)
            .Select(x => $"{x.Item.Id} ({x.Item.Label}, {x.Similarity:F2})"));
        // What the rules call an interview stays one while the model does not read it as "not" (a product choice made
        // after the first held-out scoring: demoting every invite under 0.99 made plain recruiter invites a "maybe",
        // and a maybe drafts no thank-you until the user answers).
        if (rulesSayInterview && p >= 0.5) return new MailReading("interview", Math.Round(p, 3), because, true);
        if (p >= model.Act["interview"]) return new MailReading("interview", Math.Round(p, 3), because, true);
        if (p >= model.Ask["interview"]) return new MailReading("interview", Math.Round(p, 3), because, false);
        return new MailReading("not", Math.Round(1 - p, 3), because, true);
    }

    public MailReading? ReadReply(string? messageId, string text, CancellationToken cancellationToken = default)
    {
        if (text.Length == 0) return null;
        return Read(Vector(messageId, text, cancellationToken), text);
    }

    /// <summary>The features of a text, encoded once (kept by the text's hash: the same text reads the same).</summary>
    public float[] Vector(string? messageId, string text, CancellationToken cancellationToken = default) =>
        Vector(messageId, text, KeyOf(text), cancellationToken);

    private float[] Vector(string? messageId, string text, string key, CancellationToken cancellationToken)
    {
        if (messageId is not null)
        {
            if (_textOf.Count >= MaxCachedVectors) _textOf.Clear();
            _textOf[messageId] = key;
            if (_stored.TryGetValue(messageId, out var stored) && stored.TextKey == key && stored.Features.Length == Features.Length)
                return stored.Features;
        }
        if (!_vectors.TryGetValue(key, out var bytes))
        {
            bytes = ReaderModel.QuantizeBytes(Features.For([text], cancellationToken)[0]);
            if (messageId is not null) Interlocked.Increment(ref messageId.StartsWith(EventPrefix, StringComparison.Ordinal) ? ref _encoded.Invites : ref _encoded.Messages);
            Keep(key, bytes);
        }
        // At the precision it is stored with, so a message reads the same whether encoded now, cached or stored before.
        var v = ReaderModel.DequantizeBytes(bytes);
        if (messageId is not null && _forUser) _new[messageId] = new StoredReading(key, v);
        return v;
    }

    /// <summary>Encodes the texts not read yet in one go (batched by length), so that reading them later costs a lookup.</summary>
    public void Prime(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var missing = texts.Distinct().Where(t => t.Length > 0 && !_vectors.ContainsKey(KeyOf(t))).ToList();
        if (missing.Count == 0) return;
        foreach (var (text, v) in missing.Zip(Features.For(missing, cancellationToken)))
            Keep(KeyOf(text), ReaderModel.QuantizeBytes(v));
    }

    private void Keep(string key, byte[] features)
    {
        if (_vectors.Count >= MaxCachedVectors) _vectors.Clear();
        _vectors[key] = features;
    }

    /// <summary>What readings are kept by: the first 16 bytes of the text's SHA-256, in hex (the text itself is never kept).</summary>
    internal static string KeyOf(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 16);

    /// <summary>The whole text's vector of a message this process has read, by its id (a correction keeps it).</summary>
    public float[]? KnownVector(string messageId) =>
        _textOf.TryGetValue(messageId, out var key) && _vectors.TryGetValue(key, out var v) ? Features.Whole(ReaderModel.DequantizeBytes(v)) : null;

    /// <summary>A stored reading as bytes (16-bit components, as corrections keep vectors) and back.</summary>
    public static byte[] ToBytes(StoredReading reading) =>
        [.. System.Text.Encoding.ASCII.GetBytes(reading.TextKey), .. ReaderModel.QuantizeBytes(reading.Features)];

    public static StoredReading? FromBytes(byte[]? bytes) =>
        bytes is { Length: > 32 } && (bytes.Length - 32) % 2 == 0
            ? new StoredReading(System.Text.Encoding.ASCII.GetString(bytes, 0, 32), ReaderModel.DequantizeBytes(bytes[32..]))
            : null;

    /// <summary>The reading of a text's stored features: the head's label and probability, or a close correction's.</summary>
    public MailReading Read(float[] vector, string text)
    {
        var whole = Features.Whole(vector);
        var nearestCorrection = Closest(_corrections, c => c.Vector, whole, 1).FirstOrDefault();
        if (nearestCorrection.Item is { } corr && nearestCorrection.Similarity >= CorrectionSimilarity)
            return new MailReading(corr.Label, Math.Round(nearestCorrection.Similarity, 3), $"like a message you marked as {corr.Label}", true);

        var p = Probabilities(_model, vector, text);
        var because = "nearest examples: " + string.Join(", ", Nearest(whole, 3).Select(e => $"{e.Example.Id} ({e.Example.Label}, {e.Similarity:F2})"));
        return Decide(_model, p, because);
    }

    /// <summary>The head's probabilities for a text's stored features and, when the model reads them, its letters.</summary>
    internal static double[] Probabilities(ReaderModel model, float[] features, string text)
    {
        if (model.LetterWeight <= 0) return model.Head.Probabilities(features);
        var slots = Features.LetterSlots(text);
        return model.Head.Probabilities(features, slots, Features.LetterValue(slots.Length, model.LetterWeight));
    }

    /// <summary>
    /// Acts on the likeliest label when it changes nothing on its own (in-process, other...) or reaches its acting
    /// threshold; otherwise asks about the first label worth asking (rejection, on-hold, offer, next round, in that
    /// order) whose asking threshold is reached.
    /// </summary>
    internal static MailReading Decide(ReaderModel model, double[] p, string because)
    {
        var best = Training.ArgMax(p);
        var label = model.Labels[best];
        var acting = model.Ask.ContainsKey(label);
        if (acting && p[best] >= model.Act.GetValueOrDefault(label, 0))
            return new MailReading(label, Math.Round(p[best], 3), because, true);
        // The costliest miss first: a rejection not asked about leaves follow-ups chasing a closed door.
        var ask = Training.Acting.Where(model.Ask.ContainsKey).Select(l => (Label: l, P: p[Array.IndexOf(model.Labels, l)], Value: model.Ask[l]))
            .FirstOrDefault(a => a.P >= a.Value);
        return ask.Label is null
            ? new MailReading(label, Math.Round(p[best], 3), because, !acting)
            : new MailReading(ask.Label, Math.Round(ask.P, 3), because, false);
    }

    /// <summary>The training examples closest to a vector (cosine), for "why".</summary>
    public IEnumerable<(ReaderModel.Example Example, double Similarity)> Nearest(float[] vector, int count) =>
        Closest(_model.Examples, e => e.Values, vector, count);

    internal static double Dot(float[] a, float[] b)
    {
        // Vectorized: every invite and reply is compared with every labelled example for its "why".
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        var lanes = System.Numerics.Vector<float>.Zero;
        for (; i <= n - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
            lanes += new System.Numerics.Vector<float>(a, i) * new System.Numerics.Vector<float>(b, i);
        var sum = System.Numerics.Vector.Sum(lanes);
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>The <paramref name="count"/> items closest to <paramref name="vector"/>, closest first (ties in their order).</summary>
    internal static List<(T Item, double Similarity)> Closest<T>(IReadOnlyList<T> items, Func<T, float[]> values, float[] vector, int count)
    {
        var top = new List<(T Item, double Similarity)>(count + 1);
        foreach (var item in items)
        {
            var similarity = Dot(values(item), vector);
            if (top.Count == count && similarity <= top[^1].Similarity) continue;
            var at = top.Count;
            while (at > 0 && top[at - 1].Similarity < similarity) at--;
            top.Insert(at, (item, similarity));
            if (top.Count > count) top.RemoveAt(count);
        }
        return top;
    }
}
