using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OutlookFollowUp.Tests;

/// <summary>Tokens the tests mint themselves, for the service's local issuer (outside Production only).</summary>
public static class TestTokens
{
    public const string Issuer = "https://tests.outlookfollowup.local/";
    public const string Audience = "api://tests.outlookfollowup.local";
    public static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    public static string For(string tenantId, string objectId, string address, DateTimeOffset? now = null, string scope = "access_as_user")
    {
        var at = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = Audience, IssuedAt = at, NotBefore = at, Expires = at.AddHours(1),
            Subject = new ClaimsIdentity([new Claim("tid", tenantId), new Claim("oid", objectId), new Claim("preferred_username", address), new Claim("scp", scope)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key), SecurityAlgorithms.HmacSha256),
        });
    }
}

/// <summary>
/// The service in process, outside demo mode: its own SQLite file, Graph at the given sandbox's address with the
/// sandbox's tokens, the tests' local issuer, and no background sweep (tests run passes themselves).
/// </summary>
public class ServiceFactory : WebApplicationFactory<Program>
{
    private readonly string? graphBaseUrl;
    private readonly IReadOnlyDictionary<string, string?>? settings;

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"ofu-test-{Guid.NewGuid():N}.db");

    public ServiceFactory() { }

    internal ServiceFactory(string? graphBaseUrl, IReadOnlyDictionary<string, string?>? settings = null)
    {
        this.graphBaseUrl = graphBaseUrl;
        this.settings = settings;
    }

    /// <summary>Replaces the service's clock.</summary>
    public TimeProvider? Clock { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        if (Clock is { } clock)
            builder.ConfigureServices(s => s.Replace(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(clock)));
        var all = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = "Data Source=" + DatabasePath,
            ["Graph:BaseUrl"] = graphBaseUrl ?? "http://127.0.0.1:9/v1.0",
            ["Graph:Tokens"] = "sandbox",
            ["LocalIssuer:Issuer"] = TestTokens.Issuer,
            ["LocalIssuer:Audience"] = TestTokens.Audience,
            ["LocalIssuer:SigningKey"] = Convert.ToBase64String(TestTokens.Key),
            ["Sweep:Enabled"] = "false",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        foreach (var (k, v) in all) builder.UseSetting(k, v);
    }

    /// <summary>A client signed in as the given user (the sandbox mailbox of the same address).</summary>
    public HttpClient ClientFor(string address, string? tenantId = null, string? objectId = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            TestTokens.For(tenantId ?? "tenant-1", objectId ?? "oid-" + address, address));
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(DatabasePath + suffix);
        GC.SuppressFinalize(this);
    }
}
