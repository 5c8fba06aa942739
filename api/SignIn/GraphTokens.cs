using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using OutlookFollowUp.Api.Data;

namespace OutlookFollowUp.Api.SignIn;

/// <summary>
/// Graph refused the user's grant: consent is missing or revoked, or MFA is due. The pane passes <see cref="Claims"/>
/// to <c>Office.auth.getAccessToken({ authChallenge })</c> and tries again.
/// </summary>
public sealed class SignInRequiredException(string message, string? claims, Exception? inner = null) : Exception(message, inner)
{
    public string? Claims { get; } = claims;
}

/// <summary>Graph access tokens on a user's behalf: while they use the pane, and later for the background sweep.</summary>
public interface IGraphTokens
{
    /// <summary>Called with the pane's own token at each request: keeps the user's grant for the sweep.</summary>
    Task RememberAsync(UserRecord user, string apiToken, CancellationToken cancellationToken);

    /// <summary>A Graph token for the user, from the kept grant; throws <see cref="SignInRequiredException"/>.</summary>
    Task<string> ForUserAsync(UserRecord user, CancellationToken cancellationToken);
}

/// <summary>
/// The HTTP transport for Entra ID (token validation metadata and MSAL's token requests). Null: the real network.
/// Tests put an in-memory identity provider here.
/// </summary>
public sealed record IdentityTransport(HttpMessageHandler? Handler);

/// <summary>The sandbox reads its caller from <c>sandbox:address</c>: outside Production only.</summary>
internal sealed class SandboxGraphTokens : IGraphTokens
{
    public Task RememberAsync(UserRecord user, string apiToken, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<string> ForUserAsync(UserRecord user, CancellationToken cancellationToken) =>
        user.Address is { Length: > 0 } address
            ? Task.FromResult("sandbox:" + address)
            : throw new SignInRequiredException("the user's address is unknown", null);
}

/// <summary>
/// On-behalf-of with MSAL: the pane's token starts a long-running on-behalf-of session (keyed by the user's id), which
/// the sweep continues without the user. MSAL's cache is kept in the database, encrypted with Data Protection, so any
/// instance can continue any user's session.
/// </summary>
internal sealed class MsalGraphTokens : IGraphTokens
{
    private readonly IConfidentialClientApplication _app;
    private readonly string[] _scopes;
    private readonly ConcurrentDictionary<Guid, string> _exchanged = new();

    public MsalGraphTokens(IOptions<EntraOptions> options, IdentityTransport transport, IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider time)
    {
        var entra = options.Value;
        _scopes = entra.GraphScopes;
        var builder = ConfidentialClientApplicationBuilder.Create(entra.ClientId)
            .WithClientSecret(entra.ClientSecret)
            .WithAuthority(entra.Authority, validateAuthority: transport.Handler is null);
        if (transport.Handler is { } handler)
            builder = builder.WithInstanceDiscovery(false).WithHttpClientFactory(new MsalHttp(handler));
        _app = builder.Build();
        var cache = new EncryptedCache(scopes, protection.CreateProtector("OutlookFollowUp.MsalCache"), time);
        _app.UserTokenCache.SetBeforeAccessAsync(cache.LoadAsync);
        _app.UserTokenCache.SetAfterAccessAsync(cache.SaveAsync);
    }

    public async Task RememberAsync(UserRecord user, string apiToken, CancellationToken cancellationToken)
    {
        // The pane sends the same token with every call for about an hour, and each exchange is a round trip to Entra
        // (which MSAL made on every request): a token already exchanged here is not exchanged again. Only a hash is
        // kept; an expired token never gets this far; a user the sweep found signed out always exchanges anew.
        var fingerprint = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(apiToken)));
        if (!user.NeedsSignIn && _exchanged.TryGetValue(user.Id, out var last) && last == fingerprint) return;
        var session = SessionKey(user);
        try
        {
            await ((ILongRunningWebApi)_app).InitiateLongRunningProcessInWebApi(_scopes, apiToken, ref session)
                .WithTenantId(user.TenantId).ExecuteAsync(cancellationToken);
        }
        catch (MsalUiRequiredException e)
        {
            throw new SignInRequiredException(Reason(e), e.Claims, e);
        }
        _exchanged[user.Id] = fingerprint;
    }

    public async Task<string> ForUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ((ILongRunningWebApi)_app).AcquireTokenInLongRunningProcess(_scopes, SessionKey(user))
                .WithTenantId(user.TenantId).ExecuteAsync(cancellationToken);
            return result.AccessToken;
        }
        catch (MsalUiRequiredException e)
        {
            throw new SignInRequiredException(Reason(e), e.Claims, e);
        }
        catch (MsalClientException e)
        {
            // Nothing kept for this session (a new instance's empty cache, or the user never opened the pane).
            throw new SignInRequiredException("no grant is kept for this user: open the pane once to sign in", null, e);
        }
    }

    /// <summary>The key of the user's tokens in the token cache (MSAL's long-running on-behalf-of session).</summary>
    public static string SessionKey(UserRecord user) => "user:" + user.Id.ToString("N");

    // MSAL's messages carry the STS's trace and correlation ids but no token; the error code is what the pane needs.
    private static string Reason(MsalUiRequiredException e) => e.Classification switch
    {
        UiRequiredExceptionClassification.ConsentRequired => "Microsoft Graph needs your consent for OutlookFollowUp",
        UiRequiredExceptionClassification.UserPasswordExpired => "your password has expired",
        _ => e.ErrorCode == "invalid_grant" && e.Claims is { Length: > 0 }
            ? "your organization asks you to sign in again (for example, multi-factor authentication)"
            : "sign in again to let OutlookFollowUp reach your mailbox",
    };

    private sealed class MsalHttp(HttpMessageHandler handler) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(handler, disposeHandler: false);
        public HttpClient GetHttpClient() => _client;
    }

    private sealed class EncryptedCache(IServiceScopeFactory scopes, IDataProtector protector, TimeProvider time)
    {
        public async Task LoadAsync(TokenCacheNotificationArgs args)
        {
            if (args.SuggestedCacheKey is not { } key) return;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            var row = await db.TokenCache.AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, args.CancellationToken);
            if (row is null) return;
            byte[] data;
            try { data = protector.Unprotect(row.Data); }
            catch (System.Security.Cryptography.CryptographicException) { return; } // a lost key ring: the user signs in again
            args.TokenCache.DeserializeMsalV3(data, shouldClearExistingCache: true);
        }

        public async Task SaveAsync(TokenCacheNotificationArgs args)
        {
            if (!args.HasStateChanged || args.SuggestedCacheKey is not { } key) return;
            var data = protector.Protect(args.TokenCache.SerializeMsalV3());
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            var row = await db.TokenCache.FirstOrDefaultAsync(r => r.Key == key, args.CancellationToken);
            if (row is null) db.TokenCache.Add(new TokenCacheRecord { Key = key, Data = data, UpdatedUtc = time.GetUtcNow().UtcDateTime });
            else
            {
                row.Data = data;
                row.UpdatedUtc = time.GetUtcNow().UtcDateTime;
            }
            try
            {
                await db.SaveChangesAsync(args.CancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another instance saved this user's cache at the same moment; theirs is as good as ours.
            }
        }
    }
}
