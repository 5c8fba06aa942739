using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Api.Sweep;
using OutlookFollowUp.Engine;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Tests;

/// <summary>
/// What the sweep decides about a mailbox when Graph fails it, with the project's own gateway interface mocked: the
/// only seam Moq stands in for (the gateway itself is tested over HTTP against the sandbox).
/// </summary>
public class SweepDecisionTests
{
    private sealed class MockedMailboxes(IMailboxes mailboxes) : ServiceFactory("http://127.0.0.1:9/v1.0")
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton(mailboxes)));
        }
    }

    private static async Task<(UserRecord User, Sweeper Sweeper, MockedMailboxes Service)> SignedUpAsync(Mock<IMailboxGateway> gateway, string address)
    {
        var mailboxes = new Mock<IMailboxes>(MockBehavior.Strict);
        mailboxes.Setup(m => m.For(It.IsAny<UserRecord>())).Returns(gateway.Object);
        var service = new MockedMailboxes(mailboxes.Object);
        Assert.True((await service.ClientFor(address).GetAsync("/api/settings")).IsSuccessStatusCode);
        await using var scope = service.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<AppDb>().Users.AsNoTracking().SingleAsync(u => u.Address == address);
        return (user, service.Services.GetRequiredService<Sweeper>(), service);
    }

    private static async Task<UserRecord> ReloadAsync(MockedMailboxes service, Guid id)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDb>().Users.AsNoTracking().SingleAsync(u => u.Id == id);
    }

    [Fact]
    public async Task AMailboxGraphCannotServeIsLeftAloneForAMinuteThenTwoAndThePassGoesOn()
    {
        var gateway = new Mock<IMailboxGateway>();
        // A pass's first Graph call is the sync.
        gateway.Setup(g => g.SyncAsync(It.IsAny<SyncState?>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ThrowsAsync(new MailboxException(503, "ServiceUnavailable", "down", "req-1", null));
        var (user, sweeper, service) = await SignedUpAsync(gateway, "down@outlook.com");
        await using var _ = service;
        var now = DateTimeOffset.UtcNow.AddMinutes(1);

        var first = await sweeper.RunOnceAsync(now);
        var after = await ReloadAsync(service, user.Id);
        Assert.Equal(1, first.Failed);
        Assert.Equal(1, after.Failures);
        Assert.Equal(now.UtcDateTime.AddMinutes(1), after.NextSweepUtc, TimeSpan.FromSeconds(1));
        Assert.Equal("Graph 503 ServiceUnavailable (request-id req-1)", after.LastError);

        var second = await sweeper.RunOnceAsync(now.AddMinutes(1));
        Assert.Equal(1, second.Failed);
        Assert.Equal(now.UtcDateTime.AddMinutes(3), (await ReloadAsync(service, user.Id)).NextSweepUtc, TimeSpan.FromSeconds(1));
        gateway.Verify(g => g.ReadAsync(It.IsAny<MailboxReadRequest>(), It.IsAny<CancellationToken>()), Times.Never);
        gateway.Verify(g => g.ApplyAsync(It.IsAny<IReadOnlyList<MailboxWrite>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task AMailboxGraphAskedToWaitLongerIsLeftAloneThatLong()
    {
        var gateway = new Mock<IMailboxGateway>();
        gateway.Setup(g => g.SyncAsync(It.IsAny<SyncState?>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new MailboxException(429, "TooManyRequests", "slow down", "req-2", null) { RetryAfter = TimeSpan.FromMinutes(20) });
        var (user, sweeper, service) = await SignedUpAsync(gateway, "throttled@outlook.com");
        await using var _ = service;
        var now = DateTimeOffset.UtcNow.AddMinutes(1);

        await sweeper.RunOnceAsync(now);
        Assert.Equal(now.UtcDateTime.AddMinutes(20), (await ReloadAsync(service, user.Id)).NextSweepUtc, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task AUserWhoseGrantIsGoneWaitsForTheirNextSignInWithoutBackingOff()
    {
        var gateway = new Mock<IMailboxGateway>();
        gateway.Setup(g => g.SyncAsync(It.IsAny<SyncState?>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ThrowsAsync(new SignInRequiredException("the refresh token expired", null));
        var (user, sweeper, service) = await SignedUpAsync(gateway, "gone@outlook.com");
        await using var _ = service;

        var report = await sweeper.RunOnceAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        var after = await ReloadAsync(service, user.Id);
        Assert.Equal(1, report.SignInNeeded);
        Assert.True(after.NeedsSignIn);
        Assert.Equal(0, after.Failures);
        gateway.Verify(g => g.ApplyAsync(It.IsAny<IReadOnlyList<MailboxWrite>>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}
