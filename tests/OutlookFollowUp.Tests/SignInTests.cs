using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OutlookFollowUp.Api.SignIn;

namespace OutlookFollowUp.Tests;

/// <summary>
/// A Microsoft Entra ID stand-in, in memory: the tenant's OpenID metadata and signing keys for JwtBearer, and the token
/// endpoint MSAL calls for on-behalf-of. Its Graph tokens name the user, the way the sandbox reads a caller.
/// </summary>
public sealed class FakeEntra : HttpMessageHandler
{
    public const string Instance = "https://login.test/";
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    public const string Audience = "api://localhost/" + ClientId;
    public static string Issuer(string tenant = Tenant) => $"{Instance}{tenant}/v2.0";

    public RSA Key { get; } = RSA.Create(2048);
    public int TokenRequests;
    /// <summary>When set, the token endpoint refuses on-behalf-of as Entra does when consent or MFA is missing.</summary>
    public string? RefuseWithClaims { get; set; }

    public RsaSecurityKey SigningKey => new(Key) { KeyId = "test-key" };

    public string Token(Action<SecurityTokenDescriptor>? change = null, RSA? signWith = null, string tenant = Tenant, string oid = "user-1", string address = "casey@contoso.com")
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer(tenant), Audience = Audience, IssuedAt = now, NotBefore = now, Expires = now.AddHours(1),
            Subject = new ClaimsIdentity([new Claim("tid", tenant), new Claim("oid", oid), new Claim("preferred_username", address), new Claim("scp", "access_as_user")]),
            SigningCredentials = new SigningCredentials(signWith is null ? SigningKey : new RsaSecurityKey(signWith) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
            return Json(new JsonObject
            {
                ["issuer"] = Issuer(), ["jwks_uri"] = $"{Instance}{Tenant}/discovery/v2.0/keys",
                ["token_endpoint"] = $"{Instance}{Tenant}/oauth2/v2.0/token", ["authorization_endpoint"] = $"{Instance}{Tenant}/oauth2/v2.0/authorize",
            });
        if (path.EndsWith("/discovery/v2.0/keys", StringComparison.Ordinal))
        {
            var p = Key.ExportParameters(false);
            return Json(new JsonObject { ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA", ["use"] = "sig", ["kid"] = "test-key", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            }) });
        }
        if (path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref TokenRequests);
            var form = await request.Content!.ReadAsStringAsync(cancellationToken);
            if (RefuseWithClaims is { } claims)
                return Json(new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "AADSTS50076: multi-factor authentication is required.", ["suberror"] = "basic_action", ["claims"] = claims }, HttpStatusCode.BadRequest);
            // The user's API token arrives as the assertion (or a refresh token of ours later); Graph's token names the same user.
            var fields = form.Split('&').Select(kv => kv.Split('=', 2)).ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : ""));
            var user = fields.TryGetValue("assertion", out var assertion) ? new JsonWebToken(assertion) : null;
            var address = user?.GetClaim("preferred_username").Value ?? fields.GetValueOrDefault("refresh_token")?.Split('|')[0] ?? "";
            var oid = user?.GetClaim("oid").Value ?? fields.GetValueOrDefault("refresh_token")?.Split('|')[1] ?? "";
            var graph = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer(), Audience = "https://graph.microsoft.com", Expires = DateTime.UtcNow.AddHours(1),
                Subject = new ClaimsIdentity([new Claim("preferred_username", address), new Claim("oid", oid), new Claim("tid", Tenant)]),
                SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
            });
            var clientInfo = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new { uid = oid, utid = Tenant }));
            return Json(new JsonObject
            {
                ["token_type"] = "Bearer", ["scope"] = "https://graph.microsoft.com/.default", ["expires_in"] = 3600, ["ext_expires_in"] = 3600,
                ["access_token"] = graph, ["refresh_token"] = address + "|" + oid, ["client_info"] = clientInfo,
            });
        }
        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static HttpResponseMessage Json(JsonObject body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}

/// <summary>The service with real sign-in (JwtBearer on the tenant's metadata, MSAL on-behalf-of) against FakeEntra.</summary>
/// <param name="tenant">Entra:TenantId: the tenant's id, or <c>common</c> for a multi-tenant app that personal accounts use too.</param>
/// <param name="allowedTenant">Entra:AllowedTenants, when set: the one tenant a multi-tenant service lets in.</param>
public sealed class EntraServiceFactory(string graphBaseUrl, FakeEntra entra, string tenant = FakeEntra.Tenant, string? allowedTenant = null)
    : ServiceFactory(graphBaseUrl, Settings(tenant, allowedTenant))
{
    private static Dictionary<string, string?> Settings(string tenant, string? allowedTenant)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Entra:Instance"] = FakeEntra.Instance, ["Entra:TenantId"] = tenant, ["Entra:ClientId"] = FakeEntra.ClientId,
            ["Entra:ClientSecret"] = "test-secret", ["Entra:Audience"] = FakeEntra.Audience, ["Graph:Tokens"] = "obo",
        };
        if (allowedTenant is not null) settings["Entra:AllowedTenants:0"] = allowedTenant;
        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton(new IdentityTransport(entra))));
    }
}

public class SignInTests : IAsyncLifetime
{
    private readonly FakeEntra _entra = new();
    private SandboxServer? _graph;
    private EntraServiceFactory? _service;

    public async Task InitializeAsync()
    {
        _graph = await SandboxServer.StartAsync(TimeProvider.System);
        _graph.Sandbox.AddMailbox("casey@contoso.com", "Casey", "UTC");
        _service = new EntraServiceFactory(_graph.BaseUrl + "/v1.0", _entra);
    }

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
        if (_graph is not null) await _graph.DisposeAsync();
    }

    private async Task<HttpStatusCode> Call(string? token)
    {
        var client = _service!.CreateClient();
        if (token is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return (await client.GetAsync("/api/me")).StatusCode;
    }

    [Fact]
    public async Task AValidTokenFromTheTenantIsAccepted() => Assert.Equal(HttpStatusCode.OK, await Call(_entra.Token()));

    public static TheoryData<string> BadTokens => new()
    {
        "none", "expired", "not-yet-valid", "wrong-audience", "wrong-issuer", "wrong-key", "alg-none", "tampered-payload", "wrong-tenant", "malformed",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task EveryKindOfBadTokenIsRefusedWith401(string kind)
    {
        var past = DateTime.UtcNow.AddHours(-3);
        var token = kind switch
        {
            "none" => null,
            "expired" => _entra.Token(d => { d.IssuedAt = past; d.NotBefore = past; d.Expires = past.AddHours(1); }),
            "not-yet-valid" => _entra.Token(d => { d.NotBefore = DateTime.UtcNow.AddHours(1); d.Expires = DateTime.UtcNow.AddHours(2); }),
            "wrong-audience" => _entra.Token(d => d.Audience = "api://someone-else"),
            "wrong-issuer" => _entra.Token(d => d.Issuer = "https://evil.example/" + FakeEntra.Tenant + "/v2.0"),
            "wrong-key" => _entra.Token(signWith: RSA.Create(2048)),
            "alg-none" => Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + _entra.Token().Split('.')[1] + ".",
            "tampered-payload" => Tamper(_entra.Token()),
            "wrong-tenant" => _entra.Token(tenant: "99999999-2222-3333-4444-555555555555"),
            "malformed" => "not.a.token",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(token));
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        payload["oid"] = "someone-else";
        return parts[0] + "." + Base64UrlEncoder.Encode(payload.ToJsonString()) + "." + parts[2];
    }

    /// <summary>The tenant Entra ID issues personal Microsoft accounts' tokens from (outlook.com, hotmail.com).</summary>
    private const string PersonalAccounts = "9188040d-6c67-4c5b-b112-36a304b66dad";

    private async Task<HttpStatusCode> CallMultiTenant(string token, string? allowedTenant = null)
    {
        await using var service = new EntraServiceFactory(_graph!.BaseUrl + "/v1.0", _entra, "common", allowedTenant);
        var client = service.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return (await client.GetAsync("/api/me")).StatusCode;
    }

    [Fact]
    public async Task AServiceRegisteredForCommonTakesPersonalAccountsAsWellAsWorkAccounts()
    {
        Assert.Equal(HttpStatusCode.OK, await CallMultiTenant(_entra.Token(tenant: PersonalAccounts, oid: "msa-1", address: "jordan.lee@outlook.com")));
        Assert.Equal(HttpStatusCode.OK, await CallMultiTenant(_entra.Token()));
    }

    [Fact]
    public async Task AMultiTenantServiceRefusesAnIssuerThatIsNotTheTokensOwnTenant() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await CallMultiTenant(_entra.Token(d => d.Issuer = FakeEntra.Issuer(), tenant: PersonalAccounts)));

    [Fact]
    public async Task AllowedTenantsKeepPersonalAccountsOutUntilTheirTenantIsListed()
    {
        var personal = _entra.Token(tenant: PersonalAccounts, oid: "msa-1", address: "jordan.lee@outlook.com");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallMultiTenant(personal, allowedTenant: FakeEntra.Tenant));
        Assert.Equal(HttpStatusCode.OK, await CallMultiTenant(personal, allowedTenant: PersonalAccounts));
    }

    [Fact]
    public async Task ATokenWithoutTheAddinsScopeIsForbidden() =>
        Assert.Equal(HttpStatusCode.Forbidden, await Call(_entra.Token(d => d.Subject.RemoveClaim(d.Subject.FindFirst("scp")))));

    [Fact]
    public async Task ThePaneReachesTheMailboxOnTheUsersBehalf()
    {
        // The pane's token becomes a Graph token through MSAL's on-behalf-of; the sandbox reads the user from it.
        var box = _graph!.Sandbox.Find("casey@contoso.com")!;
        var invite = _graph.Sandbox.DeliverEvent("casey@contoso.com", ServiceEndToEndTests.Interview("Interview: Analyst at Fabrikam",
            "2026-11-17T09:00:00", "2026-11-17T10:00:00", "UTC", ServiceEndToEndTests.Person("Dana", "dana@fabrikam.com"), ServiceEndToEndTests.Person("Lee", "lee@fabrikam.com")))!;
        var client = _service!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _entra.Token());
        var response = await client.GetAsync($"/api/events/{(string)invite["id"]!}/plan");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(_entra.TokenRequests >= 1);
        Assert.Contains(_graph.Sandbox.Log, e => e.Mailbox == box.Address && e.Status == 200);
    }

    [Fact]
    public async Task ThePanesRequestsWithOneTokenAskEntraForGraphOnce()
    {
        // The pane calls the API several times a minute with the same token; each on-behalf-of exchange is a round trip
        // to Entra (and counts against its limits), so the grant is asked for once per pane token.
        var invite = _graph!.Sandbox.DeliverEvent("casey@contoso.com", ServiceEndToEndTests.Interview("Interview: Analyst at Litware",
            "2026-11-17T09:00:00", "2026-11-17T10:00:00", "UTC", ServiceEndToEndTests.Person("Dana", "dana@litware.com"), ServiceEndToEndTests.Person("Lee", "lee@litware.com")))!;
        var client = _service!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _entra.Token(oid: "user-3", address: "casey@contoso.com"));
        var before = _entra.TokenRequests;
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/processes")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/events/{(string)invite["id"]!}/plan")).StatusCode); // reaches Graph
        Assert.Equal(1, _entra.TokenRequests - before);

        client.DefaultRequestHeaders.Authorization = new("Bearer", _entra.Token(d => d.Expires = DateTime.UtcNow.AddMinutes(50), oid: "user-3"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/processes")).StatusCode);
        Assert.Equal(2, _entra.TokenRequests - before); // a new pane token is exchanged
    }

    [Fact]
    public async Task AConsentOrMfaChallengeReachesThePaneAsAProblemItCanActOn()
    {
        _entra.RefuseWithClaims = """{"access_token":{"capolids":{"essential":true,"values":["c1"]}}}""";
        var client = _service!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _entra.Token(oid: "user-2", address: "casey@contoso.com"));
        var response = await client.GetAsync("/api/processes");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(Api.Problems.ProblemExceptionHandler.SignInRequiredType, (string?)problem["type"]);
        Assert.Contains("capolids", (string?)problem["claims"]);
    }
}
