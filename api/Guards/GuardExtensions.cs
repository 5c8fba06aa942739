using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.SignIn;

namespace OutlookFollowUp.Api.Guards;

public static class GuardExtensions
{
    /// <summary>The rate-limit policy of every pane endpoint: a token bucket per signed-in user.</summary>
    public const string PerUser = "per-user";

    /// <summary>No request the service takes is larger; endpoints set smaller limits of their own.</summary>
    public const long MaxRequestBytes = 1 << 20;

    public static IServiceCollection AddGuards(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection("RateLimits")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AddinOptions>().Bind(configuration.GetSection("Addin"))
            .Validate(o => o.Origins.All(x => Uri.TryCreate(x, UriKind.Absolute, out var u) && u.AbsolutePath == "/"), "Addin:Origins must be origins: scheme://host[:port]")
            .ValidateOnStart();
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = MaxRequestBytes);

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PerUser, http =>
            {
                var o = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var (tid, oid) = http.User.Identity();
                // Unauthenticated callers are refused before this; the address is a fallback, not an identity.
                var partition = oid.Length > 0 ? tid + "/" + oid : "ip:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = o.Burst,
                    TokensPerPeriod = Math.Max(1, o.PerMinute / 6),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString();
                else http.Response.Headers.RetryAfter = "10";
                // Graph posts a refused notification again with back-off: a 429 there delays, it does not lose.
                var detail = http.Request.Path.StartsWithSegments("/api/notifications")
                    ? "More notifications than this instance takes in a second; post this one again later."
                    : "Slow down: this pane makes a few requests a minute at most. Try again shortly.";
                await TypedResults.Problem(title: "Too many requests", detail: detail,
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
            };
        });

        services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            var origins = configuration.GetSection("Addin:Origins").Get<string[]>() ?? [];
            policy.WithOrigins(origins.Select(o => o.TrimEnd('/')).ToArray())
                .WithHeaders("Authorization", "Content-Type")
                .WithMethods("GET", "PUT", "POST")
                .SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));

        services.AddHealthChecks()
            .AddCheck<DatabaseHealth>("database")
            // Graph down is not this instance down: it reports "degraded" and keeps serving what it can.
            .AddCheck<GraphHealth>("graph", failureStatus: HealthStatus.Degraded);
        if (!environment.IsDevelopment()) services.AddHsts(h => h.MaxAge = TimeSpan.FromDays(365));
        return services;
    }

    public static WebApplication UseGuards(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-site";
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                headers.CacheControl = "no-store";
            }
            await next();
        });
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>/healthz: the database and Graph, each with its status; nothing else about the service.</summary>
    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (http, report) =>
            {
                http.Response.ContentType = "application/json";
                return http.Response.WriteAsync(JsonSerializer.Serialize(new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
                }));
            },
        });

    private sealed class DatabaseHealth(AppDb db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("reachable")
                : HealthCheckResult.Unhealthy("the database cannot be reached");
    }

    /// <summary>Graph answers at all (an unauthenticated request gets 401): reachability, not the users' grants.</summary>
    private sealed class GraphHealth(ServiceMode mode, IMailboxes mailboxes) : IHealthCheck
    {
        private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var baseUrl = mode.GraphBaseUrl ?? (mailboxes as GraphMailboxes)?.BaseUrl;
            if (baseUrl is null) return HealthCheckResult.Degraded("Graph's address is not known yet");
            try
            {
                using var response = await Http.GetAsync(baseUrl.ToString().TrimEnd('/') + "/me", cancellationToken);
                return (int)response.StatusCode is < 500 ? HealthCheckResult.Healthy("reachable") : HealthCheckResult.Degraded($"Graph answered {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "Graph cannot be reached");
            }
        }
    }
}
