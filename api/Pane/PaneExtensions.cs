using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.SignIn;

namespace OutlookFollowUp.Api.Pane;

/// <summary>How the pane signs in here, read by it at start (no secret: what any browser may know).</summary>
public sealed record PaneConfig(string SignIn, string? ClientId, string? Authority, string? Scope);

/// <summary>
/// The task pane (addin/) served by the service itself at /pane, so the pane and the API share one origin: no CORS in
/// the usual deployment, and one host name in the manifest.
/// </summary>
public static class PaneExtensions
{
    public const string RequestPath = "/pane";

    // Outlook on the web shows the pane in a frame of its own pages; Office.js comes from Microsoft's CDN. Office.js
    // also adds a hidden frame (style="display:none") for Microsoft's telemetry 3 s after it loads: both are let
    // through, the style attribute only (no style element), so an open pane's console stays free of policy errors.
    private const string Policy = "default-src 'self'; script-src 'self' https://appsforoffice.microsoft.com; style-src 'self'; "
        + "style-src-attr 'unsafe-inline'; frame-src https://telemetryservice.firstpartyapps.oaspapps.com; "
        + "img-src 'self' data:; connect-src 'self' https://login.microsoftonline.com; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'self' https://outlook.office.com https://outlook.office365.com https://outlook.live.com https://*.outlook.com https://*.office.com";

    public static WebApplication MapPane(this WebApplication app, ServiceMode mode)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "addin");
        if (Directory.Exists(root))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(root),
                RequestPath = RequestPath,
                OnPrepareResponse = file =>
                {
                    file.Context.Response.Headers.ContentSecurityPolicy = Policy;
                    // The pane changes with each release and is small: always revalidated, never stale.
                    file.Context.Response.Headers.CacheControl = "no-cache";
                },
            });
        }
        app.MapGet(RequestPath + "/config.json", (IOptions<EntraOptions> entra) => Config(mode, entra.Value)).ExcludeFromDescription();
        return app;
    }

    public static Ok<PaneConfig> Config(ServiceMode mode, EntraOptions entra) => TypedResults.Ok(mode.Demo
        ? new PaneConfig("demo", null, null, null)
        : new PaneConfig("office", entra.ClientId, entra.ClientId is null ? null : $"{entra.Instance.TrimEnd('/')}/{entra.TenantId}",
            entra.ClientId is null ? null : $"{entra.Audience ?? "api://" + entra.ClientId}/{entra.Scope}"));
}
