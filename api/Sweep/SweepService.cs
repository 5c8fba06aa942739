using Microsoft.Extensions.Options;

namespace OutlookFollowUp.Api.Sweep;

/// <summary>
/// Wakes this instance's sweep before its next tick: a change notification made a mailbox due. Wakes that come while
/// a pass runs collapse into one more pass.
/// </summary>
public sealed class SweepSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        // At most one wake waits: a burst of notifications is one pass, which takes every mailbox they made due.
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>Wakes the sweep once <paramref name="delay"/> has passed (at once for zero).</summary>
    public void WakeAfter(TimeSpan delay, TimeProvider time)
    {
        if (delay <= TimeSpan.Zero)
        {
            Wake();
            return;
        }
        _ = Task.Delay(delay, time).ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Waits for a wake or <paramref name="tick"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan tick, TimeProvider time, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = _wake.WaitAsync(either.Token);
        var ticked = Task.Delay(tick, time, either.Token);
        await Task.WhenAny(woken, ticked);
        await either.CancelAsync();
        // The loser is cancelled (a wake not taken stays for the next wait); the service's stop ends both.
        try { await Task.WhenAll(woken, ticked); }
        catch (OperationCanceledException) { }
    }
}

/// <summary>Runs a pass every tick (or when woken) while the service is up; a pass sweeps only the mailboxes that are due.</summary>
public sealed class SweepService(Sweeper sweeper, SweepSignal signal, IOptions<SweepOptions> options, IHostApplicationLifetime lifetime, TimeProvider time,
    ILogger<SweepService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The demo's Graph is this very server: wait until it listens.
        if (!await Started(stoppingToken)) return;
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
            await signal.WaitAsync(options.Value.Tick, time, stoppingToken);
        } while (!stoppingToken.IsCancellationRequested);
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
        services.AddSingleton<SweepSignal>();
        if (configuration.GetValue("Sweep:Enabled", true)) services.AddHostedService<SweepService>();
        return services;
    }
}
