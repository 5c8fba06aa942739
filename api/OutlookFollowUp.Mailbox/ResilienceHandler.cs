using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OutlookFollowUp.Mailbox;

/// <summary>The gateway's resilience settings; defaults in code, validated when the gateway is built.</summary>
public sealed class MailboxResilienceOptions
{
    /// <summary>Outlook allows four concurrent requests per app and mailbox.</summary>
    public int MaxConcurrentRequests { get; set; } = 4;

    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>The first backoff; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A single attempt's limit.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The mailbox's circuit opens when at least this share of recent attempts failed...</summary>
    public double BreakFailureRatio { get; set; } = 0.8;

    /// <summary>...out of at least this many in <see cref="BreakSampling"/>...</summary>
    public int BreakMinimumThroughput { get; set; } = 20;

    public TimeSpan BreakSampling { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>...and stays open this long: the mailbox is left alone, and calls fail at once.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest a request waits on Graph's Retry-After, and a read in all for the throttled items of its $batch.
    /// Asked to wait longer, the call fails at once with Graph's wait: a person waiting on the pane is told when to
    /// try again, and the sweep comes back to the mailbox later instead of holding a worker.
    /// </summary>
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(8);

    public void Validate()
    {
        if (MaxConcurrentRequests is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), "Outlook allows 1 to 4 concurrent requests per mailbox.");
        if (MaxRetryAttempts is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), "Retry 1 to 10 times.");
        if (MaxRetryWait < TimeSpan.Zero || MaxRetryWait > TimeSpan.FromMinutes(5)) throw new ArgumentOutOfRangeException(nameof(MaxRetryWait), "Wait 0 to 5 minutes for Graph at the most.");
        if (BaseDelay <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(BaseDelay), "Delays must be positive.");
        if (BreakFailureRatio is <= 0 or > 1 || BreakMinimumThroughput < 2 || BreakSampling < TimeSpan.FromMilliseconds(500) || BreakDuration < TimeSpan.FromMilliseconds(500))
            throw new ArgumentOutOfRangeException(nameof(BreakFailureRatio), "The circuit breaker needs a ratio in (0, 1], at least 2 samples and durations of at least 0.5 s.");
    }
}

/// <summary>
/// The one retry layer of a mailbox's Graph client (Kiota's own RetryHandler is removed), and its concurrency limit.
/// Retried: 429 and 503 (Graph did not do the work; Retry-After is honoured, fractional seconds included) and
/// connection failures before a response; other 5xx and timeouts only for GET and DELETE. A POST whose outcome is
/// unknown is not resent here: the gateway looks its step key up first.
/// </summary>
public sealed class ResilienceHandler(MailboxPipeline mailbox) : DelegatingHandler
{
    /// <summary>A handler with a pipeline of its own (a gateway that is the only one on its mailbox).</summary>
    public ResilienceHandler(MailboxResilienceOptions options, TimeProvider time) : this(new MailboxPipeline(options, time)) { }

    public static readonly ResiliencePropertyKey<string> MethodKey = new("http-method");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(MethodKey, request.Method.Method);
        try
        {
            var first = true;
            return await mailbox.Pipeline.ExecuteAsync(async ctx =>
            {
                var attempt = first ? request : Clone(request, body);
                first = false;
                var held = await mailbox.TakeSlotsAsync(attempt, ctx.CancellationToken);
                try
                {
                    return await base.SendAsync(attempt, ctx.CancellationToken);
                }
                finally
                {
                    mailbox.Release(held);
                }
            }, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>How long Graph asked us to wait, if it did: seconds (fractional too) or a date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        if (response?.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta) return delta;
            if (header.Date is { } date) return date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero;
        }
        // Graph may send fractional seconds ("2.128"), which the typed header does not parse.
        return response is not null && response.Headers.TryGetValues("Retry-After", out var values) ? RetryAfterSeconds(values.FirstOrDefault()) : null;
    }

    /// <summary>A Retry-After in seconds, fractional ones included; nothing for a value that is none or over a day.</summary>
    internal static TimeSpan? RetryAfterSeconds(string? value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and < 86_400
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers) clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        foreach (var option in request.Options) ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
        if (body is not null)
        {
            clone.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers) clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return clone;
    }
}

/// <summary>
/// One mailbox's limits, shared by every client of that mailbox in this process (the pane's requests and the sweep's
/// passes): its retries, its circuit breaker and its four request slots. A limit per client would let two clients
/// put eight requests in flight, and a breaker per client would rarely see enough calls to trip.
/// </summary>
public sealed class MailboxPipeline
{
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wholeMailbox = new(1);
    private readonly int _maxSlots;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly TimeProvider _time;
    private long _lastActive;

    internal ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    public MailboxPipeline(MailboxResilienceOptions options, TimeProvider time)
    {
        options.Validate();
        _slots = new SemaphoreSlim(options.MaxConcurrentRequests);
        _maxSlots = options.MaxConcurrentRequests;
        _time = time;
        _lastActive = time.GetTimestamp();
        Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, options.MaxRetryWait, time)),
                // Retry-After is a floor, not the plan: competing clients that all wait exactly that long collide
                // again, so the wait also grows exponentially, with jitter.
                DelayGenerator = args =>
                {
                    var backoff = options.BaseDelay * Math.Pow(2, args.AttemptNumber) * (0.5 + Random.Shared.NextDouble());
                    var floor = ResilienceHandler.RetryAfter(args.Outcome.Result, time);
                    return ValueTask.FromResult<TimeSpan?>(floor is { } f && f > backoff ? f + backoff * 0.25 : backoff);
                },
            })
            // Per mailbox (one handler per mailbox's client): a mailbox that keeps failing is left alone for a while.
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.BreakFailureRatio,
                MinimumThroughput = options.BreakMinimumThroughput,
                SamplingDuration = options.BreakSampling,
                BreakDuration = options.BreakDuration,
                StateProvider = _breaker,
                // Throttling is not a failure: Retry-After already paces it, and breaking on it would stop a busy
                // mailbox for nothing. Outages, timeouts and lost connections are.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Result: { } r } => (int)r.StatusCode >= 500,
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    _ => false,
                }),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, TimeSpan maxWait, TimeProvider time)
    {
        var idempotent = context.Properties.GetValue(ResilienceHandler.MethodKey, "GET") is "GET" or "DELETE" or "HEAD";
        return outcome switch
        {
            { Result: { } r } when ResilienceHandler.RetryAfter(r, time) > maxWait => false,
            { Result: { } r } => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                                 || (idempotent && (int)r.StatusCode is 500 or 502 or 504),
            { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } } => true,
            { Exception: HttpRequestException or TimeoutRejectedException } => idempotent,
            _ => false,
        };
    }

    /// <summary>
    /// A request takes one slot; a $batch takes them all, because Graph runs up to four of its items at once on the
    /// mailbox. Batches take their slots one batch at a time, so two never hold half each and wait on each other.
    /// </summary>
    internal async Task<int> TakeSlotsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastActive, _time.GetTimestamp());
        if (request.RequestUri?.AbsolutePath.EndsWith("/$batch", StringComparison.OrdinalIgnoreCase) != true)
        {
            await _slots.WaitAsync(cancellationToken);
            return 1;
        }
        await _wholeMailbox.WaitAsync(cancellationToken);
        var held = 0;
        try
        {
            for (; held < _maxSlots; held++) await _slots.WaitAsync(cancellationToken);
            return held;
        }
        catch
        {
            if (held > 0) _slots.Release(held);
            throw;
        }
        finally
        {
            _wholeMailbox.Release();
        }
    }

    internal void Release(int held)
    {
        Volatile.Write(ref _lastActive, _time.GetTimestamp());
        _slots.Release(held);
    }

    /// <summary>
    /// Whether nothing is in flight, the breaker is closed and no request began or ended for <paramref name="quietFor"/>:
    /// once that is longer than the breaker's sampling window, a new pipeline would act exactly as this one, so a
    /// process may let it go.
    /// </summary>
    public bool IsQuiet(TimeSpan quietFor) =>
        _slots.CurrentCount == _maxSlots && _wholeMailbox.CurrentCount == 1 && _breaker.CircuitState == CircuitState.Closed
        && _time.GetElapsedTime(Volatile.Read(ref _lastActive)) > quietFor;
}
