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
}

/// <summary>The reader the engine is given, or why there is none: the product reads by its rules without one.</summary>
public sealed class Reading(MailReader? reader, string? unavailableBecause)
{
    public MailReader? Reader { get; } = reader;
    public string? UnavailableBecause { get; } = unavailableBecause;

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
        services.AddOptions<ReaderOptions>().BindConfiguration(ReaderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ReaderOptions>>().Value;
            var reading = Reading.Open(options);
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
                    Encoder.Load();
                    log.LogInformation("Mail reader loaded in {Ms} ms", (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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
