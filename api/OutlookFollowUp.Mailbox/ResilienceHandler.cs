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

    public void Validate()
    {
        if (MaxConcurrentRequests is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), "Outlook allows 1 to 4 concurrent requests per mailbox.");
        if (MaxRetryAttempts is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), "Retry 1 to 10 times.");
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
public sealed class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wholeMailbox = new(1);
    private readonly int _maxSlots;
    private readonly TimeProvider _time;

    public ResilienceHandler(MailboxResilienceOptions options, TimeProvider time)
    {
        options.Validate();
        _time = time;
        _slots = new SemaphoreSlim(options.MaxConcurrentRequests);
        _maxSlots = options.MaxConcurrentRequests;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                // Retry-After is a floor, not the plan: competing clients that all wait exactly that long collide
                // again, so the wait also grows exponentially, with jitter.
                DelayGenerator = args =>
                {
                    var backoff = options.BaseDelay * Math.Pow(2, args.AttemptNumber) * (0.5 + Random.Shared.NextDouble());
                    var floor = RetryAfter(args.Outcome.Result);
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

    public static readonly ResiliencePropertyKey<string> MethodKey = new("http-method");

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var idempotent = context.Properties.GetValue(MethodKey, "GET") is "GET" or "DELETE" or "HEAD";
        return outcome switch
        {
            { Result: { } r } => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                                 || (idempotent && (int)r.StatusCode is 500 or 502 or 504),
            { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } } => true,
            { Exception: HttpRequestException or TimeoutRejectedException } => idempotent,
            _ => false,
        };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta) return delta;
            if (header.Date is { } date) return date > _time.GetUtcNow() ? date - _time.GetUtcNow() : TimeSpan.Zero;
        }
        // Graph may send fractional seconds ("2.128"), which the typed header does not parse.
        if (response is not null && response.Headers.TryGetValues("Retry-After", out var values)
            && double.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        return null;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(MethodKey, request.Method.Method);
        try
        {
            var first = true;
            return await _pipeline.ExecuteAsync(async ctx =>
            {
                var attempt = first ? request : Clone(request, body);
                first = false;
                var held = await TakeSlotsAsync(attempt, ctx.CancellationToken);
                try
                {
                    return await base.SendAsync(attempt, ctx.CancellationToken);
                }
                finally
                {
                    _slots.Release(held);
                }
            }, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// A request takes one slot; a $batch takes them all, because Graph runs up to four of its items at once on the
    /// mailbox. Batches take their slots one batch at a time, so two never hold half each and wait on each other.
    /// </summary>
    private async Task<int> TakeSlotsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
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
