using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Tests;

/// <summary>
/// A mailbox's pipeline (its four request slots and its circuit breaker) lives while it matters: a pass over 10,000
/// mailboxes kept every one of them for 15 minutes (about 3 KB each once used).
/// </summary>
public class MailboxPipelineLifetimeTests
{
    /// <summary>A clock whose timestamps move only when told.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [Fact]
    public async Task AQuietPipelineIsLetGoOnceTheBreakersWindowHasPassedWhileOneInUseOrUsedLatelyIsKept()
    {
        var clock = new SteppedClock();
        using var mailboxes = new GraphMailboxes(null!, null!, Options.Create(new MailboxResilienceOptions()), clock, null!);
        Guid quiet = Guid.NewGuid(), busy = Guid.NewGuid(), recent = Guid.NewGuid();
        var quietPipeline = mailboxes.PipelineFor(quiet);
        var busyPipeline = mailboxes.PipelineFor(busy);
        var held = await busyPipeline.TakeSlotsAsync(new HttpRequestMessage(HttpMethod.Get, "https://graph.example/v1.0/me"), CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(20));
        var recentPipeline = mailboxes.PipelineFor(recent);
        clock.Advance(TimeSpan.FromSeconds(20)); // 40 s: past the breaker's 30 s window for the first two, not the third
        mailboxes.PipelineFor(Guid.NewGuid());

        Assert.NotSame(quietPipeline, mailboxes.PipelineFor(quiet));
        Assert.Same(busyPipeline, mailboxes.PipelineFor(busy));
        Assert.Same(recentPipeline, mailboxes.PipelineFor(recent));
        busyPipeline.Release(held);
    }
}
