using Microsoft.Extensions.Options;
using OutlookFollowUp.Reader;

namespace OutlookFollowUp.Api.Reading;

/// <summary>Settings of the learned mail reader.</summary>
public sealed class ReaderOptions
{
    public const string Section = "Reader";

    /// <summary>Read employer mail with the embedded model (default); false: the pattern rules alone, and no model in memory.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Load the model at start-up (default) rather than at the first reading, so no pane request waits for it.</summary>
    public bool LoadAtStart { get; set; } = true;

    /// <summary>How many of a user's latest corrections are read with each plan.</summary>
    public const int MaxCorrections = 500;

    /// <summary>A language model to read replies with, where the operator has one; unset (the default): the embedded reader alone.</summary>
    public LanguageModelOptions LanguageModel { get; set; } = new();
}

/// <summary>An OpenAI-compatible chat endpoint (Azure OpenAI's <c>/openai/v1/</c>, a local Ollama's <c>/v1/</c>...).</summary>
public sealed class LanguageModelOptions
{
    /// <summary>The endpoint's base address; unset: no language model.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model (or Azure deployment) name; required with <see cref="Endpoint"/>.</summary>
    public string? Model { get; set; }

    /// <summary>The endpoint's key (a secret: from the environment or a secret store, never appsettings.json).</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one reading may take before the embedded reader reads the message instead.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>From this confidence on, the product acts on a rejection, offer, on-hold or next round the model read; below it, it asks.</summary>
    public double ActFrom { get; set; } = 0.9;

    internal bool Configured => !string.IsNullOrWhiteSpace(Endpoint);

    internal string? Problem() =>
        !Configured ? null
        : !Uri.TryCreate(Endpoint, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") ? "Reader:LanguageModel:Endpoint must be an absolute http(s) address"
        : string.IsNullOrWhiteSpace(Model) ? "Reader:LanguageModel:Model is required with an endpoint"
        : Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(2) ? "Reader:LanguageModel:Timeout must be between 100 ms and 2 minutes"
        : ActFrom is < 0 or > 1 ? "Reader:LanguageModel:ActFrom must be between 0 and 1"
        : null;
}

/// <summary>The reader the engine is given, or why there is none: the product reads by its rules without one.</summary>
public sealed class Reading(MailReader? reader, string? unavailableBecause, ChatReader? chat = null)
{
    public MailReader? Reader { get; } = reader;
    public string? UnavailableBecause { get; } = unavailableBecause;

    /// <summary>The language model's reader, when one is configured (<see cref="LanguageModelOptions"/>).</summary>
    public ChatReader? Chat { get; } = chat;

    /// <summary>The same reading with a language model in front (the embedded reader, if any, as its fallback).</summary>
    public Reading WithChat(LanguageModelOptions options, TimeProvider time) => !options.Configured ? this
        : new Reading(Reader, UnavailableBecause, new ChatReader(
            ChatReader.OpenAICompatible(new Uri(options.Endpoint!), options.Model!, options.ApiKey, options.Timeout),
            options.Model!, options.Timeout, options.ActFrom, time));

    public static Reading Open(ReaderOptions options)
    {
        if (!options.Enabled) return new Reading(null, "Reader:Enabled is false");
        try
        {
            return new Reading(new MailReader(ReaderModel.Embedded("replies"), ReaderModel.Embedded("invites")), null);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException)
        {
            return new Reading(null, e.Message);
        }
    }
}

public static class ReadingExtensions
{
    public static IServiceCollection AddReading(this IServiceCollection services)
    {
        services.AddOptions<ReaderOptions>().BindConfiguration(ReaderOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.LanguageModel.Problem() is null, "Reader:LanguageModel is invalid: endpoint an absolute http(s) address, a model, timeout 100 ms to 2 minutes, ActFrom 0 to 1")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ReaderOptions>>().Value;
            var reading = Reading.Open(options).WithChat(options.LanguageModel, sp.GetRequiredService<TimeProvider>());
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Reading");
            if (reading.UnavailableBecause is { } why) log.LogWarning("Mail reader unavailable, the rules read employer mail: {Reason}", why);
            return reading;
        });
        services.AddHostedService<ReaderWarmUp>();
        return services;
    }

    /// <summary>Loads the model in the background at start-up (about 2 s and most of the process's memory), once per process.</summary>
    private sealed class ReaderWarmUp(Reading reading, IOptions<ReaderOptions> options, ILogger<ReaderWarmUp> log) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.Value.LoadAtStart && reading.Reader is not null
            ? Task.Run(() =>
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    var how = Encoder.Load();
                    log.LogInformation("Mail reader loaded in {Ms} ms, {How}", (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, how);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The first reading tries again, and a plan whose reading fails is read by the rules.
                    log.LogError("Mail reader failed to load: {Error}", e.Message);
                }
            }, stoppingToken)
            : Task.CompletedTask;
    }
}
