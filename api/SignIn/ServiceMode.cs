namespace OutlookFollowUp.Api.SignIn;

/// <summary>A configuration the service refuses to start with; the message says what to set.</summary>
public sealed class StartupProblem(string message) : Exception(message);

/// <summary>
/// How this instance runs, decided once at start-up from configuration and environment. With Entra settings: real
/// sign-in and on-behalf-of. Without them, outside Production only: a local issuer, the sandbox's tokens, and (with no
/// Graph URL either) the built-in sandbox with the demo mailbox.
/// </summary>
public sealed class ServiceMode
{
    public bool Entra { get; private init; }
    public bool SandboxTokens { get; private init; }
    /// <summary>The built-in sandbox and demo mailbox are served; never in Production.</summary>
    public bool Demo { get; private init; }
    /// <summary>Where Graph is; in demo mode, known once the server listens.</summary>
    public Uri? GraphBaseUrl { get; set; }

    public static ServiceMode From(IConfiguration configuration, IHostEnvironment environment)
    {
        var entra = configuration.GetSection("Entra").Get<EntraOptions>() ?? new EntraOptions();
        var graph = configuration.GetSection("Graph").Get<GraphOptions>() ?? new GraphOptions();
        var production = environment.IsProduction();
        if (entra.IsConfigured && entra.Missing() is { Count: > 0 } partly)
            throw new StartupProblem($"Entra ID settings are incomplete: set {string.Join(", ", partly)}.");
        if (production && !entra.IsConfigured)
            throw new StartupProblem("Production needs Entra ID settings: set Entra:TenantId, Entra:ClientId, Entra:ClientSecret and Entra:Audience "
                                     + "(as environment variables: Entra__TenantId and so on). The demo mailbox and demo sign-in run outside Production only.");
        var tokens = graph.Tokens ?? (entra.IsConfigured ? "obo" : "sandbox");
        if (tokens is not ("obo" or "sandbox")) throw new StartupProblem($"Graph:Tokens is '{tokens}': use 'obo' or 'sandbox'.");
        if (production && tokens == "sandbox") throw new StartupProblem("Graph:Tokens=sandbox is not allowed in Production.");
        if (tokens == "obo" && !entra.IsConfigured) throw new StartupProblem("Graph:Tokens=obo needs the Entra settings (Entra:TenantId, Entra:ClientId, Entra:ClientSecret, Entra:Audience).");
        Uri? baseUrl = null;
        if (!string.IsNullOrWhiteSpace(graph.BaseUrl) && !Uri.TryCreate(graph.BaseUrl, UriKind.Absolute, out baseUrl))
            throw new StartupProblem($"Graph:BaseUrl '{graph.BaseUrl}' is not an absolute URL.");
        var demo = !production && !entra.IsConfigured && baseUrl is null;
        if (baseUrl is null && !demo) baseUrl = new Uri("https://graph.microsoft.com/v1.0");
        return new ServiceMode { Entra = entra.IsConfigured, SandboxTokens = tokens == "sandbox", Demo = demo, GraphBaseUrl = baseUrl };
    }
}
