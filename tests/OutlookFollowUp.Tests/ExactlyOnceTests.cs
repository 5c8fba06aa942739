using System.Collections.Concurrent;
using OutlookFollowUp.Engine;
using OutlookFollowUp.GraphSandbox;
using OutlookFollowUp.Mailbox;
using Xunit.Abstractions;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The mailbox's two promises, whatever Graph does: never the same draft twice, never a draft lost. The real SDK over
/// real HTTP against the sandbox, with faults of every kind injected into 30% of the requests.
/// </summary>
public class ExactlyOnceTests(SandboxFixture fixture, ITestOutputHelper output) : IClassFixture<SandboxFixture>
{
    /// <summary>
    /// Regression: the SDK's models remember what they sent, so a model posted a second time (after a dropped
    /// connection) went out as "{}" and created an empty draft without its key, which no later pass could find.
    /// </summary>
    [Fact]
    public async Task ADraftWrittenAgainAfterADroppedConnectionStillCarriesItsKey()
    {
        var address = $"drop-{Guid.NewGuid():N}@contoso.com";
        fixture.Sandbox.AddMailbox(address, "User", "UTC");
        fixture.Sandbox.InjectFaults(new FaultOptions { Rate = 0.5, Throttle = false, Unavailable = false, Latency = false, CommitThenFail = false, Seed = 7 });
        try
        {
            var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address),
                new MailboxResilienceOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10) }, TimeProvider.System);
            var written = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                try { return await gateway.CreateDraftAsync($"ofu1-ty-{i}", new MailDraft("Thank you", "<p>Thanks</p>", "Thanks", null), [new Person("Dana", "dana@fabrikam.com")]); }
                catch (Exception e) when (e is HttpRequestException or MailboxException) { return null; }
            }));
            var box = fixture.Sandbox.Find(address)!;
            lock (box.Gate)
                foreach (var w in written.Where(w => w is not null))
                    Assert.Equal(w!.StepKey, (string?)box.Messages[w.ItemId]["singleValueExtendedProperties"]?[0]?["value"]);
            Assert.Contains(written, w => w is not null);
        }
        finally
        {
            fixture.Sandbox.InjectFaults(new FaultOptions { Rate = 0 });
        }
    }

    [Fact]
    public async Task TwoThousandKeyedDraftsAcrossFiftyMailboxesLandExactlyOnceUnderThirtyPercentFaults()
    {
        const int mailboxes = 50, perMailbox = 40, passes = 10;
        var violationsBefore = fixture.Sandbox.ThrottleViolations;
        var faultsBefore = fixture.Sandbox.FaultsInjected;
        var requestsBefore = fixture.Sandbox.Log.Count;
        var addresses = Enumerable.Range(0, mailboxes).Select(i => $"user{i}-{Guid.NewGuid():N}@contoso.com").ToList();
        foreach (var a in addresses) fixture.Sandbox.AddMailbox(a, "User", "UTC");
        fixture.Sandbox.InjectFaults(new FaultOptions { Rate = 0.3, Seed = 20261122 });
        var resilience = new MailboxResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(20) };
        var failedAttempts = 0;
        var unwritten = new ConcurrentBag<string>();
        try
        {
            await Task.WhenAll(addresses.Select(async address =>
            {
                var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), resilience, TimeProvider.System);
                await Task.WhenAll(Enumerable.Range(0, perMailbox).Select(async i =>
                {
                    var key = $"ofu1-ty-{address}-{i}";
                    var draft = new MailDraft($"Thank you {i}", "<p>Thank you.</p>", "Thank you.", null);
                    // As the sweep does: what fails in one pass is tried again in the next.
                    for (var pass = 0; pass < passes; pass++)
                    {
                        try
                        {
                            await gateway.CreateDraftAsync(key, draft, [new Person("Dana", "dana@fabrikam.com")]);
                            return;
                        }
                        catch (Exception e) when (e is MailboxException or HttpRequestException or TaskCanceledException)
                        {
                            Interlocked.Increment(ref failedAttempts);
                        }
                    }
                    unwritten.Add(key);
                }));
            }));
        }
        finally
        {
            fixture.Sandbox.InjectFaults(new FaultOptions { Rate = 0 });
        }

        var duplicates = 0;
        var missing = 0;
        foreach (var address in addresses)
        {
            var box = fixture.Sandbox.Find(address)!;
            List<string?> keys;
            lock (box.Gate)
                keys = box.Messages.Values.Select(m => (string?)m["singleValueExtendedProperties"]?[0]?["value"]).ToList();
            for (var i = 0; i < perMailbox; i++)
            {
                var count = keys.Count(k => k == $"ofu1-ty-{address}-{i}");
                if (count == 0) missing++;
                if (count > 1) duplicates += count - 1;
            }
        }
        var summary = $"exactly-once: {mailboxes * perMailbox} keyed drafts across {mailboxes} mailboxes, {fixture.Sandbox.FaultsInjected - faultsBefore} faults injected " +
                      $"(30% of {fixture.Sandbox.Log.Count - requestsBefore} requests), {failedAttempts} attempts failed and were retried by a later pass; " +
                      $"duplicates {duplicates}, missing {missing}, concurrency violations {fixture.Sandbox.ThrottleViolations - violationsBefore}";
        output.WriteLine(summary);
        Report.Write("exactly-once", summary);
        Assert.True(unwritten.IsEmpty, $"{unwritten.Count} never written: {string.Join(", ", unwritten.Take(5))}");
        Assert.Equal(0, duplicates);
        Assert.Equal(0, missing);
        Assert.Equal(violationsBefore, fixture.Sandbox.ThrottleViolations);
        Assert.True(fixture.Sandbox.FaultsInjected - faultsBefore > 1000, "the faults must actually have happened");
    }
}
