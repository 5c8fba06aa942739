using Microsoft.Extensions.Options;

namespace OutlookFollowUp.Api.Sweep;

/// <summary>Runs a pass every tick while the service is up; a pass sweeps only the mailboxes that are due.</summary>
public sealed class SweepService(Sweeper sweeper, IOptions<SweepOptions> options, IHostApplicationLifetime lifetime, TimeProvider time,
    ILogger<SweepService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The demo's Graph is this very server: wait until it listens.
        if (!await Started(stoppingToken)) return;
        using var timer = new PeriodicTimer(options.Value.Tick, time);
        do
        {
            try
            {
                var report = await sweeper.RunOnceAsync(time.GetUtcNow(), cancellationToken: stoppingToken);
                if (report.Users > 0) log.LogInformation("Sweep: {Report}", report);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be restarting: log, and try again at the next tick.
                log.LogError("Sweep pass failed: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    private async Task<bool> Started(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var a = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var b = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}

public static class SweepExtensions
{
    public static IServiceCollection AddSweep(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SweepOptions>().Bind(configuration.GetSection("Sweep")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Sweeper>();
        if (configuration.GetValue("Sweep:Enabled", true)) services.AddHostedService<SweepService>();
        return services;
    }
}
