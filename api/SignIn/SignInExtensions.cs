using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Api.SignIn;

public static class SignInExtensions
{
    /// <summary>The policy every pane endpoint requires: a valid token with the add-in's scope, a tenant and an object id.</summary>
    public const string PanePolicy = "pane";

    public static ServiceMode AddSignIn(this WebApplicationBuilder builder)
    {
        var mode = ServiceMode.From(builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.AddSingleton(mode);
        services.AddOptions<EntraOptions>().Bind(builder.Configuration.GetSection("Entra"));
        services.AddOptions<LocalIssuerOptions>().Bind(builder.Configuration.GetSection("LocalIssuer"))
            .Validate(o => o.SigningKey is null or "" || KeyBytes(o.SigningKey) is { Length: >= 32 }, "LocalIssuer:SigningKey must be base64 of at least 32 bytes")
            .ValidateOnStart();
        services.AddOptions<MailboxResilienceOptions>().Bind(builder.Configuration.GetSection("Graph:Resilience"))
            .Validate(o =>
            {
                try { o.Validate(); return true; }
                catch (ArgumentOutOfRangeException) { return false; }
            }, "Graph:Resilience is out of range: 1 to 4 concurrent requests, 1 to 10 retries, positive delays").ValidateOnStart();
        services.TryAddSingleton(new IdentityTransport(null));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<EntraOptions>, IOptions<LocalIssuerOptions>, IdentityTransport>((jwt, entra, local, transport) =>
            {
                jwt.MapInboundClaims = false;
                if (mode.Entra) ConfigureEntra(jwt, entra.Value, transport);
                else ConfigureLocal(jwt, local.Value);
            });
        services.AddAuthorizationBuilder().AddPolicy(PanePolicy, policy => policy
            .RequireAuthenticatedUser()
            // Present and not empty: the user's record is found by these two alone.
            .RequireAssertion(context => !string.IsNullOrWhiteSpace(context.User.FindFirst("tid")?.Value) && !string.IsNullOrWhiteSpace(context.User.FindFirst("oid")?.Value))
            .RequireAssertion(context => HasScope(context.User, mode.Entra
                ? builder.Configuration["Entra:Scope"] ?? new EntraOptions().Scope
                : new EntraOptions().Scope)));

        if (mode.SandboxTokens) services.AddSingleton<IGraphTokens, SandboxGraphTokens>();
        else services.AddSingleton<IGraphTokens, MsalGraphTokens>();
        services.AddSingleton<IMailboxes, GraphMailboxes>();
        return mode;
    }

    private static void ConfigureEntra(JwtBearerOptions jwt, EntraOptions entra, IdentityTransport transport)
    {
        jwt.Authority = entra.Authority + "/v2.0";
        if (transport.Handler is { } handler) jwt.BackchannelHttpHandler = handler;
        var instance = entra.Instance.TrimEnd('/') + "/";
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudiences = [entra.Audience!, entra.ClientId!],
            ValidateIssuer = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromMinutes(2),
            NameClaimType = "name",
        };
        if (entra.IsMultiTenant)
        {
            // The metadata's issuer is a template; each token's issuer must name the token's own tenant.
            var allowed = entra.AllowedTenants.ToHashSet(StringComparer.OrdinalIgnoreCase);
            jwt.TokenValidationParameters.IssuerValidator = (issuer, token, _) =>
            {
                var tid = (token as JsonWebToken)?.TryGetClaim("tid", out var claim) == true ? claim.Value : null;
                if (tid is null || issuer != instance + tid + "/v2.0")
                    throw new SecurityTokenInvalidIssuerException("the issuer does not match the token's tenant");
                if (allowed.Count > 0 && !allowed.Contains(tid))
                    throw new SecurityTokenInvalidIssuerException("this tenant is not allowed");
                return issuer;
            };
        }
        else
        {
            jwt.TokenValidationParameters.ValidIssuer = instance + entra.TenantId + "/v2.0";
        }
    }

    private static void ConfigureLocal(JwtBearerOptions jwt, LocalIssuerOptions local)
    {
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = local.Issuer,
            ValidAudience = local.Audience,
            IssuerSigningKey = LocalSigningKey(local),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromMinutes(2),
            NameClaimType = "name",
        };
    }

    private static readonly Lazy<byte[]> RandomKey = new(() => RandomNumberGenerator.GetBytes(32));

    /// <summary>The local issuer's key: configured, or one random key for this process's lifetime.</summary>
    public static SymmetricSecurityKey LocalSigningKey(LocalIssuerOptions local) =>
        new(local.SigningKey is { Length: > 0 } configured ? KeyBytes(configured)! : RandomKey.Value);

    private static byte[]? KeyBytes(string base64)
    {
        try { return Convert.FromBase64String(base64); }
        catch (FormatException) { return null; }
    }

    private static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll("scp").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Contains(scope, StringComparer.Ordinal);

    /// <summary>Tenant id and object id: who the caller is, whatever ids they send.</summary>
    public static (string TenantId, string ObjectId) Identity(this ClaimsPrincipal user) =>
        (user.FindFirstValue("tid") ?? "", user.FindFirstValue("oid") ?? "");
}
